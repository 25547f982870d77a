package org.sparsitybench.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.testing.Fixtures;

/**
 * {@code bench e2e --warm}: the same prune several times in one JVM beside the fresh-process runs, on the bundled
 * LeNet-5 (real files, real child JVMs).
 */
class BenchE2eWarmTest {
    @TempDir
    Path dir;

    private Path lenet() throws Exception {
        Path model = dir.resolve("lenet5.onnx");
        Files.copy(Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx"), model);
        return model;
    }

    @Test
    void warmPrunesRunTheCommandInOneJvmAndLeaveNothingBehind() throws Exception {
        Path model = lenet();
        Path out = dir.resolve("out.onnx");
        long t0 = System.nanoTime();
        double[] ms = WarmPrunes.run(3, 150, new String[] {"prune", model.toString(), "--out", out.toString(), "--method",
            "global", "--sparsity", "0.5", "--no-eval"});
        double elapsedMs = (System.nanoTime() - t0) / 1e6;
        assertEquals(3, ms.length);
        assertTrue(elapsedMs >= 3 * 150 + java.util.Arrays.stream(ms).sum() - 3,
                "each run waits 150 ms first, outside its time: " + elapsedMs + " ms for " + java.util.Arrays.toString(ms));
        for (double m : ms) {
            assertTrue(m > 0, java.util.Arrays.toString(ms));
        }
        assertFalse(Files.exists(out) || Files.exists(PruneExport.reportFile(out)), "outputs deleted after each run");

        assertThrows(IllegalArgumentException.class, () -> WarmPrunes.run(0, 0, new String[] {"prune"}));
        assertThrows(IllegalArgumentException.class, () -> WarmPrunes.run(1, -1, new String[] {"prune",
                model.toString(), "--out", out.toString()}), "a negative wait");
        assertThrows(IllegalArgumentException.class, () -> WarmPrunes.run(2, 0, new String[] {"prune", model.toString()}),
                "no --out");
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> WarmPrunes.run(2, 0,
                new String[] {"prune", dir.resolve("missing.onnx").toString(), "--out", out.toString()}));
        assertTrue(failed.getMessage().startsWith("prune run 1 of 2"), failed.getMessage());
    }

    @Test
    void theBenchReportsTheWarmRunsBesideTheFreshProcesses() throws Exception {
        Path model = lenet();
        BenchPruneCommandTest.Run r = BenchPruneCommandTest.cli("bench", "e2e", "--model", model.toString(),
                "--no-peer", "--repeats", "1", "--warm", "2", "--settle", "0.2", "--dir", dir.resolve("work").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        JsonNode warm = json.get("warm");
        assertEquals(3, warm.get("ms").size(), r.out());
        assertTrue(warm.get("firstMs").asDouble() > 0 && warm.get("medianLaterMs").asDouble() > 0, warm.toString());
        assertEquals(warm.get("medianLaterMs").asDouble() / json.at("/medianMs/cp").asDouble(),
                warm.get("laterOverCp").asDouble(), 0.01 * warm.get("laterOverCp").asDouble() + 0.01);
        assertTrue(json.at("/medianMs/prune").asDouble() > 0);
        assertTrue(Files.exists(model), "the model is never deleted");
        // Every side starts after the same wait; cp is also timed right after a copy was deleted.
        assertEquals(0.2, json.at("/settle/seconds").asDouble(), r.out());
        assertEquals(Files.exists(Path.of("/sys/module/page_reporting/parameters/page_reporting_order")),
                json.at("/settle/freePageReportingOrder").asInt() >= 0, r.out());
        double justFreed = json.at("/medianMs/cpJustFreed").asDouble();
        assertTrue(justFreed > 0, r.out());
        assertEquals(json.at("/timesMs/cpJustFreed/0").asDouble(), justFreed, 0.01, "one run: its time is the median");
        // The disk's own time with direct I/O, or -1 and a note where the file system refuses it.
        double dd = json.at("/medianMs/ddDirect").asDouble();
        assertTrue(dd > 0 || dd == -1 && json.get("notes").toString().contains("ddDirect skipped"), r.out());
        assertTrue(json.at("/goals/atMost3xCp").isBoolean(), "a checkpoint given with --model: the 3x cp goal");
        assertEquals(json.at("/medianMs/prune").asDouble() / justFreed, json.at("/ratios/pruneOverCpJustFreed")
                .asDouble(), 0.01 * json.at("/ratios/pruneOverCpJustFreed").asDouble() + 0.01);

        BenchPruneCommandTest.Run bad = BenchPruneCommandTest.cli("bench", "e2e", "--model", model.toString(),
                "--no-peer", "--warm", "-1");
        assertEquals(org.sparsitybench.cli.SparsityBenchCli.EXIT_USAGE, bad.code(), bad.err());
        assertTrue(bad.err().contains("--warm -1"), bad.err());
        BenchPruneCommandTest.Run badSettle = BenchPruneCommandTest.cli("bench", "e2e", "--model", model.toString(),
                "--no-peer", "--settle", "-1");
        assertEquals(org.sparsitybench.cli.SparsityBenchCli.EXIT_USAGE, badSettle.code(), badSettle.err());
        assertTrue(badSettle.err().contains("--settle -1"), badSettle.err());
    }
}
