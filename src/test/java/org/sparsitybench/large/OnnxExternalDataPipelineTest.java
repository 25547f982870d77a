package org.sparsitybench.large;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.Masking;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Ort;
import org.sparsitybench.tools.bench.large.ExportVerification;
import org.sparsitybench.tools.bench.large.OnnxChain;

/**
 * An ONNX model with external data, through the whole path: read (with a tensor past 2 GiB in its data file),
 * global magnitude pruning by the engine, export with the pruned values streamed into a new data file beside the
 * export, re-read, and run in ONNX Runtime. The writer takes the same external-data path for any model that
 * already keeps its weights outside (as every model over 2 GB must), so this small model covers the code that
 * {@code bench large --format onnx} runs on a real 2.4 GB one.
 */
class OnnxExternalDataPipelineTest {
    /** Sparse hole before the last weight: its offset in the data file lies beyond 2^31. */
    private static final long HOLE = 3L << 30;

    @TempDir
    Path dir;

    /**
     * Small weights, and weights whose data file (5 × 2048² floats, 80 MiB) is past
     * {@link org.sparsitybench.formats.BackgroundWrites#DIRECT_MIN_BYTES}, which the writer sends to the disk with
     * direct I/O.
     */
    @ParameterizedTest(name = "hidden {0}, {1} layers")
    @CsvSource({"64, 4", "2048, 5"})
    void anExternalDataModelIsPrunedExportedBesideItselfAndRunsInOnnxRuntime(int hidden, int layers) throws Exception {
        Path in = dir.resolve("source").resolve("chain.onnx");
        Files.createDirectories(in.getParent());
        OnnxChain.write(in, hidden, layers, HOLE, 7);
        assertTrue(Files.size(OnnxChain.dataFile(in)) > (2L << 30), "source data file reaches past 2 GiB");
        String before = sha256(in) + sha256(OnnxChain.dataFile(in));

        Model model = ModelFiles.read(in);
        assertEquals(layers, model.prunableTensors().size());
        model.tensors().forEach(t -> assertTrue(t.storage().contains("external"), t.toString()));
        PruningResult result = new PruningEngine(model).run(
                PruningConfig.of(GlobalSettings.of(0.7, "magnitude", Allocation.GLOBAL)),
                ProgressListener.NONE, CancellationToken.NONE);
        assertTrue(result.targetMet());

        Map<String, TensorUpdate> updates = new LinkedHashMap<>();
        for (Map.Entry<String, Mask> e : result.masks().entrySet()) {
            WeightTensor t = model.tensor(e.getKey()).orElseThrow();
            updates.put(t.name(), new TensorUpdate(t.shape(), Masking.masked(t.data(), e.getValue())));
        }
        Path out = dir.resolve("export").resolve("pruned.onnx");
        ModelFiles.writerFor(model.format()).write(model, updates, Map.of(), out);

        Path data = out.resolveSibling("pruned.onnx.data");
        try (var files = Files.list(out.getParent())) {
            assertEquals(List.of("pruned.onnx", "pruned.onnx.data"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertTrue(Files.size(data) >= 4L * hidden * hidden * layers, "the weights are in the data file");
        assertTrue(Files.size(data) < HOLE, "the export is written contiguously, without the source's hole");

        Model reread = ModelFiles.read(out);
        ExportVerification v = ExportVerification.check(model, reread, result);
        assertTrue(v.ok(), v.problems().toString());
        assertEquals(layers, v.prunedTensors());
        for (WeightTensor t : reread.tensors()) {
            assertTrue(t.storage().contains("external"), t + " stays external");
            float[] expected = Masking.apply(model.tensor(t.name()).orElseThrow().data(), result.mask(t.name()));
            float[] actual = new float[expected.length];
            t.data().readFloats(0, FloatBuffer.wrap(actual));
            assertArrayEquals(expected, actual, 0f, t.name());
        }

        float[] x = OnnxChain.input(hidden, 3);
        double[] reference = OnnxChain.forward(reread, x);
        float[] y = Ort.run(out, "X", x, 1, hidden);
        assertTrue(OnnxChain.relativeError(y, reference) < 1e-5, "ONNX Runtime runs the pruned export");
        double[] dense = OnnxChain.forward(model, x);
        assertTrue(OnnxChain.relativeError(y, dense) > 1e-3, "and it is the pruned model, not the dense one");

        assertEquals(before, sha256(in) + sha256(OnnxChain.dataFile(in)), "the source is not modified");
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 20);
            long size = ch.size();
            // The sparse hole reads as zeros; hash only the written ends so the test stays fast.
            for (long at : new long[] {0, Math.max(0, size - (1 << 20))}) {
                b.clear();
                ch.read(b, at);
                b.flip();
                d.update(b);
            }
            d.update(Long.toString(size).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
