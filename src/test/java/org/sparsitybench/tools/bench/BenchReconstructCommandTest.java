package org.sparsitybench.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.testing.Fixtures;

/** {@code sparsitybench bench reconstruct} once on fashion-lenet5, through the command line (no timing asserted). */
class BenchReconstructCommandTest {
    private static final String LENET5 = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx")
            .toString();

    @Test
    void reconstructsEveryPrunedLayerOnTheValidationSplitAndPrintsItsTimes() throws Exception {
        BenchPruneCommandTest.Run r = BenchPruneCommandTest.cli("bench", "reconstruct", "--model", LENET5,
                "--samples", "16", "--repeats", "1", "--methods", "magnitude");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals("validation", json.get("calibrationSplit").asText());
        assertEquals(16, json.get("samples").asInt());
        JsonNode c = json.get("cases").get(0);
        assertEquals("magnitude", c.get("method").asText());
        assertEquals(5, c.get("layers").asInt(), "conv1, conv2, fc1, fc2, fc3");
        assertTrue(c.get("medianMs").asDouble() > 0 && c.get("medianCpuMs").isNumber(), r.out());
    }

    @Test
    void aTargetOutsideZeroToOneIsAUsageError() {
        BenchPruneCommandTest.Run r = BenchPruneCommandTest.cli("bench", "reconstruct", "--model", LENET5,
                "--target", "1.5");
        assertEquals(SparsityBenchCli.EXIT_USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--target in [0, 1)"), r.err());
    }
}
