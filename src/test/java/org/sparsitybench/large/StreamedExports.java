package org.sparsitybench.large;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.sparsitybench.cli.BenchLargeCommand;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/** Runs an export of a generated checkpoint in a child JVM with a small heap, and checks it by re-reading it. */
final class StreamedExports {
    private StreamedExports() {
    }

    /** What the child printed and how it ended. */
    record Child(int exit, String out, String err) {
    }

    /**
     * Runs {@code mainClass} with {@code args} in a child JVM on this test's class path, with heap {@code heapMb}
     * and the serial collector (no collector threads' slack), and asserts it ended in time without
     * OutOfMemoryError.
     */
    static Child run(Path dir, long heapMb, String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heapMb + "m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Path stdout = dir.resolve("child.out.txt");
        Path stderr = dir.resolve("child.err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        boolean finished = p.waitFor(300, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly().waitFor();
        }
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        assertTrue(finished, mainClass + " finished in time; stderr: " + err);
        assertTrue(!err.contains("OutOfMemoryError"), err);
        return new Child(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8), err);
    }

    /**
     * Checks a global magnitude export of {@code source} at {@code sparsity}: the report's totals, and the export
     * re-read against the masks the engine computes here (which must be the report's).
     */
    static void verify(Path source, Path out, double sparsity, long params) throws Exception {
        JsonNode report = new ObjectMapper().readTree(PruneExport.reportFile(out).toFile());
        JsonNode totals = report.get("totals");
        Map<String, Long> prunedByLayer = new LinkedHashMap<>();
        long prunable = 0;
        for (JsonNode l : report.get("layers")) {
            prunable += l.get("params").asLong();
            prunedByLayer.put(l.get("name").asText(), l.get("params").asLong() - l.get("kept").asLong());
        }
        long pruned = prunedByLayer.values().stream().mapToLong(Long::longValue).sum();
        assertEquals(Math.rint(sparsity * prunable), pruned, 0.0, "global allocation meets the target exactly");
        assertEquals((double) pruned / prunable, totals.get("achieved").asDouble(), 1e-12);
        assertEquals(sparsity, totals.get("requested").asDouble(), 0.0);
        assertEquals(params, totals.get("paramsBefore").asLong());
        assertEquals(Files.size(source), totals.get("fileBytesBefore").asLong());
        assertEquals(Files.size(out), totals.get("fileBytesAfter").asLong());

        // The engine run here gives the report's masks; the export, re-read, matches them bit for bit: each pruned
        // tensor holds its kept weights and +0 where pruned (so at least as many zeros as pruned), every other
        // tensor is byte-identical to the source.
        Model src = ModelFiles.read(source);
        PruningResult again = new PruningEngine(src, new ScoreCache(false), null).run(PruningConfig.of(
                GlobalSettings.of(sparsity, "magnitude", Allocation.GLOBAL)), ProgressListener.NONE,
                CancellationToken.NONE);
        assertEquals(report.get("masksSha256").asText(), PruneExport.masksSha256(again.masks()));
        for (LayerResult l : again.layers()) {
            assertEquals(l.pruned(), prunedByLayer.get(l.name()), l.name());
        }
        BenchLargeCommand.Verification v = BenchLargeCommand.verify(src, ModelFiles.read(out), again);
        assertTrue(v.ok(), v.problems().toString());
        assertEquals(prunedByLayer.values().stream().filter(p -> p > 0).count(), v.prunedTensors());
        assertTrue(v.untouchedTensors() > 0, "the norms are copied, not pruned");
        assertEquals(params - v.zeros(), totals.get("paramsAfter").asLong(), "zeros of the pruned tensors as re-read");
    }
}
