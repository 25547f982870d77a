package org.sparsitybench.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.OutputPathException;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.Masking;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.structure.ChannelCompactor;
import org.sparsitybench.prune.structure.ChannelStructure;
import org.sparsitybench.prune.structure.StructuredSelection;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.CancelledException;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.testing.Ort;

/** The export service on the bundled samples, checked in ONNX Runtime and against {@code prune}'s own output. */
class PruneExportTest {
    @TempDir
    Path dir;

    private Model copyOf(String sample) throws Exception {
        Path src = Fixtures.projectDir().resolve("sample-models").resolve(sample).resolve("model.onnx");
        Path copy = dir.resolve(sample + ".onnx");
        Files.copy(src, copy);
        return ModelFiles.read(copy);
    }

    @Test
    void anEngineResultIsWrittenAsTheCommandWritesTheSameConfiguration() throws Exception {
        Model m = copyOf("fashion-lenet5");
        PruningConfig cfg = PruningConfig.of(GlobalSettings.of(0.8, "magnitude", Allocation.UNIFORM));
        PruningResult r = new PruningEngine(m).run(cfg, ProgressListener.NONE, CancellationToken.NONE);
        Path out = dir.resolve("window.onnx");
        List<Double> progress = new ArrayList<>();
        PruneExport.Report rep = PruneExport.write(PrunePipeline.exportRequest(m, r, new PruneExport.Options(out, false,
                false), CancellationToken.NONE), (f, msg) -> progress.add(f), CancellationToken.NONE);

        JsonNode json = new ObjectMapper().readTree(PruneExport.reportFile(out).toFile());
        assertEquals(new ObjectMapper().readTree(rep.json().toString()), json, "the report returned is the one written");
        assertEquals(r.achievedSparsity(), json.get("totals").get("achieved").asDouble(), 1e-15);
        assertEquals(PruneExport.masksSha256(r.masks()), json.get("masksSha256").asText());
        assertEquals(1.0, progress.get(progress.size() - 1));
        Model written = ModelFiles.read(out);
        assertEquals(r.pruned(), written.prunableTensors().stream().mapToLong(t -> t.stats().zeros()).sum());

        Path cfgFile = dir.resolve("cfg.json");
        Files.writeString(cfgFile, json.get("config").toString());
        Path cli = dir.resolve("cli.onnx");
        java.io.PrintStream sink = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        int code = org.sparsitybench.cli.SparsityBenchCli.run(new String[] {"prune", m.file().toString(), "--out",
                cli.toString(), "--config", cfgFile.toString()}, sink, sink);
        assertEquals(0, code);
        assertArrayEquals(Files.readAllBytes(cli), Files.readAllBytes(out), "same bytes as 'prune --config'");
        JsonNode cliJson = new ObjectMapper().readTree(PruneExport.reportFile(cli).toFile());
        assertEquals(cliJson.get("layers"), json.get("layers"));
        assertEquals(cliJson.get("totals"), json.get("totals"));
    }

    @Test
    void theOpenedModelIsNeverOverwritten() throws Exception {
        Model m = copyOf("fashion-lenet5");
        byte[] before = Files.readAllBytes(m.file());
        PruningResult r = new PruningEngine(m).run(PruningConfig.of(GlobalSettings.of(0.5, "magnitude",
                Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
        OutputPathException e = assertThrows(OutputPathException.class, () -> PruneExport.write(
                PrunePipeline.exportRequest(m, r, new PruneExport.Options(m.file(), false, false), CancellationToken.NONE),
                ProgressListener.NONE, CancellationToken.NONE));
        assertTrue(e.getMessage().contains(m.file().toString()), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(m.file()));
    }

    @Test
    void compactingUnstructuredMasksIsRefusedSayingWhy() throws Exception {
        Model m = copyOf("fashion-lenet5");
        PruningResult r = new PruningEngine(m).run(PruningConfig.of(GlobalSettings.of(0.9, "magnitude",
                Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> PrunePipeline.exportRequest(m, r,
                new PruneExport.Options(dir.resolve("c.onnx"), true, false), CancellationToken.NONE));
        assertTrue(e.getMessage().contains("nothing to compact"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("c.onnx")));
    }

    @Test
    void channelsOfAStructuredResultAreRemovedAndTheCompactedModelIsChecked() throws Exception {
        Model m = copyOf("fashion-lenet-300-100");
        PruningResult r = new PruningEngine(m).run(PruningConfig.of(GlobalSettings.of(0.5, "l1-structured",
                Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
        Path out = dir.resolve("compact.onnx");
        PruneExport.Report rep = PruneExport.write(PrunePipeline.exportRequest(m, r, new PruneExport.Options(out, true,
                false), CancellationToken.NONE), ProgressListener.NONE, CancellationToken.NONE);

        assertTrue(rep.compactionCheck().orElseThrow().passed());
        assertTrue(Files.size(out) < Files.size(m.file()) * 0.8, "removed channels shrink the file");
        long removed = 0;
        for (JsonNode g : rep.json().get("groups")) {
            removed += g.get("removed").asLong();
        }
        assertTrue(removed > 0);
        float[] x = new float[28 * 28];
        java.util.Arrays.fill(x, 0.25f);
        JsonNode card = new ObjectMapper().readTree(Fixtures.projectDir()
                .resolve("sample-models/fashion-lenet-300-100/model-card.json").toFile());
        String input = card.get("input").asText();
        long[] shape = new ObjectMapper().convertValue(card.get("inputShape"), long[].class);
        assertEquals(10, Ort.run(out, input, x, shape).length);
    }

    @Test
    void aCancelledExportWritesNothing() throws Exception {
        Model m = copyOf("fashion-lenet5");
        PruningResult r = new PruningEngine(m).run(PruningConfig.of(GlobalSettings.of(0.5, "magnitude",
                Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
        Path out = dir.resolve("cancelled.onnx");
        CancellationToken.Source token = CancellationToken.newSource();
        PruneExport.Request req = PrunePipeline.exportRequest(m, r, new PruneExport.Options(out, false, false), token);
        token.cancel();
        assertThrows(CancelledException.class, () -> PruneExport.write(req, ProgressListener.NONE, token));
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(PruneExport.reportFile(out)));
    }

    @Test
    void sparseStorageKeepsDenseTheTensorsItWouldEnlarge() throws Exception {
        Model m = copyOf("fashion-lenet5");
        Map<Double, JsonNode> reports = new LinkedHashMap<>();
        Map<Double, long[]> sizes = new LinkedHashMap<>();
        for (double level : new double[] {0.5, 0.9}) {
            PruningResult r = new PruningEngine(m).run(PruningConfig.of(GlobalSettings.of(level, "magnitude",
                    Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
            Path dense = dir.resolve("dense-" + level + ".onnx");
            Path sparse = dir.resolve("sparse-" + level + ".onnx");
            PruneExport.write(PrunePipeline.exportRequest(m, r, new PruneExport.Options(dense, false, false),
                    CancellationToken.NONE), ProgressListener.NONE, CancellationToken.NONE);
            reports.put(level, PruneExport.write(PrunePipeline.exportRequest(m, r, new PruneExport.Options(sparse, false,
                    true), CancellationToken.NONE), ProgressListener.NONE, CancellationToken.NONE).json());
            sizes.put(level, new long[] {Files.size(dense), Files.size(sparse)});
        }
        // Float32 with an int64 index per value: at 50 % zeros no tensor shrinks, so none is stored sparse and the
        // file is no larger than the dense export; at 90 % the pruned weights do.
        JsonNode half = reports.get(0.5).get("sparseStorage");
        assertEquals(0, half.get("stored").size(), half.toString());
        assertTrue(half.get("keptDense").size() > 0, half.toString());
        assertTrue(sizes.get(0.5)[1] <= sizes.get(0.5)[0], java.util.Arrays.toString(sizes.get(0.5)));
        JsonNode ninety = reports.get(0.9).get("sparseStorage");
        assertTrue(ninety.get("stored").size() > 0, ninety.toString());
        assertTrue(sizes.get(0.9)[1] < sizes.get(0.9)[0] * 0.6, java.util.Arrays.toString(sizes.get(0.9)));
        for (JsonNode name : ninety.get("stored")) {
            assertTrue(m.tensor(name.asText()).orElseThrow().elementCount() > 0, name.asText());
        }
    }

    @Test
    void anExportCancelledAtAnyCheckLeavesTheEarlierModelAndReportOrWritesBoth() throws Exception {
        Model m = copyOf("fashion-lenet5");
        Path out = dir.resolve("pair.onnx");
        PruningResult older = new PruningEngine(m).run(PruningConfig.of(GlobalSettings.of(0.3, "magnitude",
                Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
        PruningResult newer = new PruningEngine(m).run(PruningConfig.of(GlobalSettings.of(0.8, "magnitude",
                Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
        PruneExport.Options options = new PruneExport.Options(out, false, false);
        long[] checks = {0};
        PruneExport.write(PrunePipeline.exportRequest(m, newer, options, CancellationToken.NONE), ProgressListener.NONE,
                () -> checks[0]++ < 0);
        assertTrue(checks[0] >= 3, "cancellation is checked while the model is written: " + checks[0]);
        int cancelled = 0;
        for (long k = 0; k <= checks[0]; k++) {
            PruneExport.write(PrunePipeline.exportRequest(m, older, options, CancellationToken.NONE),
                    ProgressListener.NONE, CancellationToken.NONE);
            byte[] oldModel = Files.readAllBytes(out);
            byte[] oldReport = Files.readAllBytes(PruneExport.reportFile(out));
            long stopAt = k;
            long[] seen = {0};
            PruneExport.Request req = PrunePipeline.exportRequest(m, newer, options, CancellationToken.NONE);
            try {
                PruneExport.write(req, ProgressListener.NONE, () -> seen[0]++ >= stopAt);
                JsonNode rep = new ObjectMapper().readTree(PruneExport.reportFile(out).toFile());
                assertEquals(PruneExport.masksSha256(newer.masks()), rep.get("masksSha256").asText(),
                        "completed at check " + k + ": the new report");
                long zeros = 0;
                for (WeightTensor t : ModelFiles.read(out).tensors()) {
                    for (float v : t.prunable() ? t.data().readAllFloats() : new float[0]) {
                        zeros += v == 0f ? 1 : 0;
                    }
                }
                assertTrue(zeros >= newer.pruned(), "completed at check " + k + ": the new model, " + zeros
                        + " zeros for " + newer.pruned() + " pruned");
            } catch (CancelledException e) {
                cancelled++;
                assertArrayEquals(oldModel, Files.readAllBytes(out), "cancelled at check " + k + ": earlier model");
                assertArrayEquals(oldReport, Files.readAllBytes(PruneExport.reportFile(out)),
                        "cancelled at check " + k + ": earlier report");
            }
            try (var left = Files.list(dir)) {
                assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("."))
                        .toList(), "no temporary left at check " + k);
            }
        }
        assertTrue(cancelled >= 2, "cancelled runs: " + cancelled);
    }

    @Test
    void theCompressedSizeEstimateIsCloseToTheExactOne() throws Exception {
        // Pruned-like float32 weights: 70 % zeros at random places, the rest ~N(0, 0.02); 8 MB.
        java.util.Random rnd = new java.util.Random(3);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 << 20).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            b.putFloat(rnd.nextDouble() < 0.7 ? 0f : (float) (rnd.nextGaussian() * 0.02));
        }
        Path f = dir.resolve("weights.bin");
        Files.write(f, b.array());
        long exact = CompressedSize.exact(f);
        long estimate = CompressedSize.estimate(f, 16, 64 << 10);
        assertTrue(Math.abs(estimate - exact) < 0.03 * exact, estimate + " estimated, " + exact + " exact");
        assertTrue(exact < 0.6 * Files.size(f), "the zeros compress: " + exact);
        assertEquals(exact, CompressedSize.estimate(f, 16, 1 << 20), "a file within the sample is "
                + "compressed whole");
    }
}
