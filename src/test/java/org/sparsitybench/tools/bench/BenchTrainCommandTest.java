package org.sparsitybench.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.testing.Fixtures;

/** {@code sparsitybench bench train} on a few batches, without the peer: the figures it prints, and --model. */
class BenchTrainCommandTest {
    private static final String SAMPLES = Fixtures.projectDir().resolve("sample-models").toString();

    @Test
    void oneShapeAtOneThreadPrintsItsDenseAndMaskedThroughput() throws Exception {
        BenchPruneCommandTest.Run r = BenchPruneCommandTest.cli("bench", "train", "--model", "lenet5", "--samples",
                "128", "--batch", "32", "--repeats", "1", "--threads", "1", "--samples-dir", SAMPLES, "--no-peer");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertTrue(json.at("/ours_samples_per_s/lenet5").asDouble() > 0, r.out());
        assertTrue(json.at("/ours_samples_per_s/lenet5_masked90").asDouble() > 0, r.out());
        assertFalse(json.get("ours_samples_per_s").has("lenet-300-100"), "--model leaves the other shape out");
        assertTrue(json.get("peer").asText().startsWith("not run"), r.out());
    }

    @Test
    void anUnknownShapeIsAUsageError() {
        BenchPruneCommandTest.Run r = BenchPruneCommandTest.cli("bench", "train", "--model", "vgg16", "--samples-dir",
                SAMPLES);
        assertEquals(SparsityBenchCli.EXIT_USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--model: vgg16 is not one of lenet-300-100, lenet5"), r.err());
    }
}
