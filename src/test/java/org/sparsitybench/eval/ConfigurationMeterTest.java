package org.sparsitybench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.CancelledException;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/** The one measurement of a pruned configuration, on the bundled digits sample and its test set. */
class ConfigurationMeterTest {
    @TempDir
    Path dir;

    private Model model;
    private ConfigurationMeter meter;

    private void openDigits() throws Exception {
        Path sample = Fixtures.projectDir().resolve("sample-models/digits-mlp");
        Files.copy(sample.resolve("model.onnx"), dir.resolve("model.onnx"));
        Files.copy(sample.resolve(ModelCard.FILE_NAME), dir.resolve(ModelCard.FILE_NAME));
        model = ModelFiles.read(dir.resolve("model.onnx"));
        ModelCard card = ModelCard.beside(model.file()).orElseThrow();
        LabeledData data = Datasets.open(card.testData(Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx"))
                .orElseThrow());
        meter = new ConfigurationMeter(model, card, data);
    }

    private PruningResult pruned(double sparsity) {
        return new PruningEngine(model).run(PruningConfig.of(GlobalSettings.of(sparsity, "magnitude",
                Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
    }

    private List<Path> temporaries() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(TemporaryModels.TEMP_PREFIX)).toList();
        }
    }

    @Test
    void aMeasurementEqualsEvaluatingTheExportedModelAndLeavesNoFile() throws Exception {
        openDigits();
        PruningResult r = pruned(0.7);
        ConfigurationMeter.Measurement m = meter.measure(r, Integer.MAX_VALUE, 3, ProgressListener.NONE,
                CancellationToken.NONE);
        assertEquals(List.of(), temporaries());

        Path out = dir.resolve("export/pruned.onnx");
        PruneExport.write(PrunePipeline.exportRequest(model, r, new PruneExport.Options(out, false, false),
                CancellationToken.NONE), ProgressListener.NONE, CancellationToken.NONE);
        Evaluation exported;
        try (OrtModel session = OrtModel.open(out, meter.card().input(), 0)) {
            exported = Evaluator.evaluate(session, meter.card(), meter.data(), 64, Integer.MAX_VALUE,
                    ProgressListener.NONE, CancellationToken.NONE);
        }
        assertEquals(exported.accuracy(), m.evaluation().accuracy());
        assertEquals(exported.loss(), m.evaluation().loss(), 1e-9);
        assertEquals(meter.data().count(), m.evaluation().samples());
        assertTrue(m.latency().p10Ms() <= m.latencyMs() && m.latencyMs() <= m.latency().p90Ms(), m.latency().toString());
        assertTrue(m.latency().runs() >= 3 && m.latency().batch() == 1 && m.latency().threads() == 1);
        assertTrue(m.fileBytes() > 0);
    }

    @Test
    void aPrunedModelServesAQuickEstimateThenTheWholeSetFromOneFile() throws Exception {
        openDigits();
        try (ConfigurationMeter.Pruned p = meter.open(pruned(0.5), CancellationToken.NONE)) {
            assertEquals(List.of(p.file()), temporaries());
            assertEquals(50, p.evaluate(50, ProgressListener.NONE, CancellationToken.NONE).samples());
            assertEquals(meter.data().count(), p.evaluate(Integer.MAX_VALUE, ProgressListener.NONE,
                    CancellationToken.NONE).samples());
        }
        assertEquals(List.of(), temporaries());
    }

    @Test
    void withoutLatencyRunsNoLatencyIsReported() throws Exception {
        openDigits();
        ConfigurationMeter.Measurement m = meter.measure(pruned(0.3), 100, 0, ProgressListener.NONE,
                CancellationToken.NONE);
        assertEquals(null, m.latency());
        assertTrue(Double.isNaN(m.latencyMs()));
    }

    @Test
    void aMeasurementCancelledWhileWritingOrEvaluatingLeavesNoFile() throws Exception {
        openDigits();
        PruningResult r = pruned(0.5);
        int cancelledRuns = 0;
        for (int checks : new int[] {1, 3, 10, 30}) {
            int[] asked = {0};
            CancellationToken token = () -> ++asked[0] > checks;
            try {
                meter.measure(r, Integer.MAX_VALUE, 3, ProgressListener.NONE, token);
            } catch (CancelledException e) {
                cancelledRuns++;
            }
            assertEquals(List.of(), temporaries(), "after " + checks + " checks");
        }
        assertTrue(cancelledRuns >= 3, cancelledRuns + " of 4 runs cancelled");
    }
}
