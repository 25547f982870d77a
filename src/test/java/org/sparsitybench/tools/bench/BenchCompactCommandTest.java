package org.sparsitybench.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.testing.Fixtures;

/**
 * {@code sparsitybench bench compact} once on fashion-resnet-mini and its l1-structured compaction, through the
 * command line (no timing asserted: only that both models are timed at each batch and the figures are there).
 */
class BenchCompactCommandTest {
    private static final String RESNET = Fixtures.projectDir().resolve("sample-models/fashion-resnet-mini/model.onnx")
            .toString();

    @TempDir
    Path dir;

    @Test
    void timesTheDenseAndTheCompactedModelAtEachBatchAndPrintsTheirSpeedup() throws Exception {
        Path compacted = dir.resolve("c.onnx");
        BenchPruneCommandTest.Run p = BenchPruneCommandTest.cli("prune", RESNET, "--out", compacted.toString(),
                "--method", "l1-structured", "--sparsity", "0.5", "--compact", "--no-eval");
        assertEquals(0, p.code(), p.err());
        BenchPruneCommandTest.Run r = BenchPruneCommandTest.cli("bench", "compact", "--dense", RESNET, "--compacted",
                compacted.toString(), "--batches", "1,4", "--rounds", "2", "--runs", "2");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertTrue(json.get("compactedParams").asLong() < json.get("denseParams").asLong(), r.out());
        assertEquals(2, json.get("cases").size());
        for (int i = 0; i < 2; i++) {
            JsonNode c = json.get("cases").get(i);
            assertEquals(i == 0 ? 1 : 4, c.get("batch").asInt());
            for (String model : new String[] {"denseMs", "compactedMs", "denseCpuMs", "compactedCpuMs"}) {
                JsonNode m = c.get(model);
                assertTrue(m.get("p10").asDouble() <= m.get("median").asDouble()
                        && m.get("median").asDouble() <= m.get("p90").asDouble(), m.toString());
            }
            assertEquals(2, c.get("denseMs").get("roundMedians").size());
            assertTrue(c.get("speedupMedian").asDouble() > 0 && c.get("cpuSpeedupMedian").asDouble() > 0, c.toString());
        }
    }

    @Test
    void noRoundsIsAUsageError() {
        BenchPruneCommandTest.Run r = BenchPruneCommandTest.cli("bench", "compact", "--compacted", RESNET,
                "--rounds", "0");
        assertEquals(SparsityBenchCli.EXIT_USAGE, r.code(), r.err());
    }
}
