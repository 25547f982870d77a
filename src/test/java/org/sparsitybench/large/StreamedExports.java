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
import org.sparsitybench.tools.bench.large.ExportVerification;

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
        ExportVerification v = ExportVerification.check(src, ModelFiles.read(out), again);
        assertTrue(v.ok(), v.problems().toString());
        assertEquals(prunedByLayer.values().stream().filter(p -> p > 0).count(), v.prunedTensors());
        assertTrue(v.untouchedTensors() > 0, "the norms are copied, not pruned");
        assertEquals(params - v.zeros(), totals.get("paramsAfter").asLong(), "zeros of the pruned tensors as re-read");
        assertRawBytesFollowTheMasks(source, out, again);
    }

    /**
     * The same check without the product's reader: both files' SafeTensors headers parsed here, and every BF16
     * element of the export compared with the source's bytes: +0 ({@code 0x0000}) where the mask prunes, the
     * source's two bytes everywhere else; tensors without a mask byte-identical.
     */
    private static void assertRawBytesFollowTheMasks(Path source, Path out, PruningResult result) throws Exception {
        try (java.nio.channels.FileChannel a = java.nio.channels.FileChannel.open(source);
             java.nio.channels.FileChannel b = java.nio.channels.FileChannel.open(out)) {
            Map<String, long[]> srcAt = rawOffsets(a);
            Map<String, long[]> outAt = rawOffsets(b);
            assertEquals(srcAt.keySet(), outAt.keySet(), "the same tensors");
            for (Map.Entry<String, long[]> e : srcAt.entrySet()) {
                String name = e.getKey();
                long[] s = e.getValue();
                long[] o = outAt.get(name);
                assertEquals(s[1] - s[0], o[1] - o[0], name + ": byte length");
                java.nio.ByteBuffer sb = a.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, s[0], s[1] - s[0]);
                java.nio.ByteBuffer ob = b.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, o[0], o[1] - o[0]);
                org.sparsitybench.prune.Mask mask = result.masks().get(name);
                if (mask == null || mask.prunedCount() == 0) {
                    assertEquals(sb, ob, name + ": copied byte for byte");
                    continue;
                }
                org.sparsitybench.prune.BitMask bits = mask.toBitMask();
                long zeroed = 0;
                for (int i = 0; i < sb.limit() / 2; i++) {
                    boolean kept = (bits.word(i >>> 6) >>> i & 1L) != 0;
                    short want = kept ? sb.getShort(2 * i) : 0;
                    if (ob.getShort(2 * i) != want) {
                        throw new AssertionError(name + " element " + i + ": " + ob.getShort(2 * i) + ", expected "
                                + want + (kept ? " (kept)" : " (pruned)"));
                    }
                    zeroed += kept ? 0 : 1;
                }
                assertEquals(mask.prunedCount(), zeroed, name);
            }
        }
    }

    /** Tensor name to {first, end} absolute byte offsets, from the file's own header (8-byte length, JSON). */
    private static Map<String, long[]> rawOffsets(java.nio.channels.FileChannel ch) throws Exception {
        java.nio.ByteBuffer len = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        ch.read(len, 0);
        long n = len.getLong(0);
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate((int) n);
        ch.read(header, 8);
        JsonNode h = new ObjectMapper().readTree(new String(header.array(), StandardCharsets.UTF_8));
        Map<String, long[]> out = new LinkedHashMap<>();
        h.fields().forEachRemaining(f -> {
            if (!f.getKey().equals("__metadata__")) {
                assertEquals("BF16", f.getValue().get("dtype").asText(), f.getKey());
                JsonNode off = f.getValue().get("data_offsets");
                out.put(f.getKey(), new long[] {8 + n + off.get(0).asLong(), 8 + n + off.get(1).asLong()});
            }
        });
        return out;
    }
}
