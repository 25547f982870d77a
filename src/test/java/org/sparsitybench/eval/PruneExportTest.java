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
        PruneExport.Report rep = PruneExport.write(PruneExport.Request.of(m, r, new PruneExport.Options(out, false,
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
                PruneExport.Request.of(m, r, new PruneExport.Options(m.file(), false, false), CancellationToken.NONE),
                ProgressListener.NONE, CancellationToken.NONE));
        assertTrue(e.getMessage().contains(m.file().toString()), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(m.file()));
    }

    @Test
    void compactingUnstructuredMasksIsRefusedSayingWhy() throws Exception {
        Model m = copyOf("fashion-lenet5");
        PruningResult r = new PruningEngine(m).run(PruningConfig.of(GlobalSettings.of(0.9, "magnitude",
                Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> PruneExport.Request.of(m, r,
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
        PruneExport.Report rep = PruneExport.write(PruneExport.Request.of(m, r, new PruneExport.Options(out, true,
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
        PruneExport.Request req = PruneExport.Request.of(m, r, new PruneExport.Options(out, false, false), token);
        token.cancel();
        assertThrows(CancelledException.class, () -> PruneExport.write(req, ProgressListener.NONE, token));
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(PruneExport.reportFile(out)));
    }
}
