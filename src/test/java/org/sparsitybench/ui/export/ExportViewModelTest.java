package org.sparsitybench.ui.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.Reconstruction;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.eval.PruneExportCurves;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;
import org.sparsitybench.ui.workbench.EvaluationViewModel;

/** The export dialog's state without the FX toolkit, exporting for real on the calling thread. */
class ExportViewModelTest {
    @TempDir
    Path dir;

    private Model model;
    private PruningResult result;

    private ExportRequestSource source(List<SweepPoint> points, List<ChartExporter> charts) throws Exception {
        Path copy = dir.resolve("lenet5.onnx");
        Files.copy(Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx"), copy);
        model = ModelFiles.read(copy);
        result = new PruningEngine(model).run(PruningConfig.of(GlobalSettings.of(0.6, "magnitude", Allocation.UNIFORM)),
                ProgressListener.NONE, CancellationToken.NONE);
        return new ExportRequestSource(model, result, points, charts);
    }

    private static SweepPoint point(double s, double acc) {
        return new SweepPoint("magnitude", "uniform", s, s, acc, 0.99, 0.4, 1.5, Double.NaN, Double.NaN, 1000, 2000, 3000);
    }

    @Test
    void theWindowsMeasurementOfTheExportedResultGoesIntoTheReportWithItsSplit() throws Exception {
        source(List.of(), List.of());
        Path sample = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");
        ModelCard card = ModelCard.forModel(sample, null);
        EvaluationViewModel window = new EvaluationViewModel(FxTaskExecutor.direct());
        window.request(new ModelUnderTest(model, card, Datasets.open(card.testData(sample).orElseThrow())), result);
        ObjectNode measured = window.reportFor(result).orElseThrow();
        PruningResult other = new PruningEngine(model).run(PruningConfig.of(GlobalSettings.of(0.3, "magnitude",
                Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
        assertTrue(window.reportFor(other).isEmpty(), "figures of another configuration are not this export's");

        ExportViewModel vm = new ExportViewModel(new ExportRequestSource(model, result, List.of(), List.of(), null,
                null, measured), FxTaskExecutor.direct());
        assertTrue(vm.export());
        JsonNode report = new ObjectMapper().readTree(PruneExport.reportFile(vm.modelFile()).toFile());
        JsonNode m = report.get("measured");
        assertEquals("test", m.get("split").asText());
        assertTrue(m.get("dataset").asText().contains("t10k"), m.toString());
        assertEquals(window.evaluationProperty().get().accuracy(), m.get("accuracy").asDouble());
        assertEquals(window.evaluationProperty().get().loss(), m.get("loss").asDouble());
        assertEquals(10_000, m.get("samples").asInt());
        JsonNode latency = m.get("latencyMs");
        assertTrue(latency.get("p10").asDouble() <= latency.get("median").asDouble()
                && latency.get("median").asDouble() <= latency.get("p90").asDouble(), latency.toString());
        assertEquals(report.toString(), vm.report().json().toString(), "the dialog's report is the one written");
    }

    @Test
    void theEngineRunsTimeIsTheReportsPruneStepAndIsLeftOutWhenUnknown() throws Exception {
        source(List.of(), List.of());
        ExportViewModel timed = new ExportViewModel(new ExportRequestSource(model, result, List.of(), List.of(), null,
                null, null, null, 12.5), FxTaskExecutor.direct());
        assertTrue(timed.export());
        JsonNode t = new ObjectMapper().readTree(PruneExport.reportFile(timed.modelFile()).toFile()).get("timingsMs");
        assertEquals(12.5, t.get("prune").asDouble());
        assertTrue(t.get("write").asDouble() > 0 && t.has("report"), t.toString());

        ExportViewModel untimed = new ExportViewModel(new ExportRequestSource(model, result, List.of(), List.of()),
                FxTaskExecutor.direct());
        untimed.baseNameProperty().set("untimed");
        assertTrue(untimed.export());
        JsonNode u = new ObjectMapper().readTree(PruneExport.reportFile(untimed.modelFile()).toFile()).get("timingsMs");
        assertFalse(u.has("prune"), "no engine time was given: " + u);
        assertTrue(u.has("write"), u.toString());
    }

    @Test
    void theReconstructedOrRecoveredWeightsOnScreenAreTheOnesWrittenAndMeasured() throws Exception {
        source(List.of(), List.of());
        Path sample = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");
        ModelCard card = ModelCard.forModel(sample, null);
        Reconstruction.Result rec = Reconstruction.run(model, card, result, result.prunedValues(model),
                DataSplits.validation(card, sample).orElseThrow().data(), 64, null,
                Reconstruction.Options.of(true, false, false), ProgressListener.NONE, CancellationToken.NONE);
        EvaluationViewModel window = new EvaluationViewModel(FxTaskExecutor.direct());
        ModelUnderTest on = new ModelUnderTest(model, card, Datasets.open(card.testData(sample).orElseThrow()));
        window.request(on, result, rec.values(), EvaluationViewModel.RECONSTRUCTED);
        assertTrue(window.reportFor(result).isEmpty(), "the line measured Ŵ, not the masked weights");
        ObjectNode measured = window.reportFor(result, rec.values()).orElseThrow();

        ExportViewModel vm = new ExportViewModel(new ExportRequestSource(model, result, List.of(), List.of(), null,
                null, measured, new ExportRequestSource.Weights(rec, null, EvaluationViewModel.RECONSTRUCTED)),
                FxTaskExecutor.direct());
        assertTrue(vm.export());
        Model written = ModelFiles.read(vm.modelFile());
        String layer = "fc1.weight";
        float[] shown = rec.values().get(layer).readAllFloats();
        float[] masked = result.prunedValues(model).get(layer).readAllFloats();
        assertFalse(java.util.Arrays.equals(shown, masked), "reconstruction moved the kept weights");
        assertArrayEquals(shown, written.tensor(layer).orElseThrow().data().readAllFloats(), "Ŵ as on screen");
        JsonNode report = new ObjectMapper().readTree(PruneExport.reportFile(vm.modelFile()).toFile());
        assertEquals(EvaluationViewModel.RECONSTRUCTED, report.get("weights").asText());
        assertEquals(window.evaluationProperty().get().accuracy(), report.get("measured").get("accuracy").asDouble());

        // Recovered weights: fine-tuned tensors written over the masked ones, masks kept.
        float[] tuned = masked.clone();
        for (int i = 0; i < tuned.length; i++) {
            tuned[i] *= 0.5f;
        }
        ExportViewModel recovered = new ExportViewModel(new ExportRequestSource(model, result, List.of(), List.of(),
                null, null, null, new ExportRequestSource.Weights(null,
                java.util.Map.of(layer, org.sparsitybench.model.TensorData.ofFloats(tuned)), "recovered: epoch 1 of 1")),
                FxTaskExecutor.direct());
        recovered.baseNameProperty().set("recovered");
        assertTrue(recovered.export());
        assertArrayEquals(tuned, ModelFiles.read(recovered.modelFile()).tensor(layer).orElseThrow().data().readAllFloats());
    }

    @Test
    void defaultsToAFolderBesideTheModelThatClashesWithNothing() throws Exception {
        ExportRequestSource src = source(List.of(), List.of());
        Files.createDirectory(dir.resolve("lenet5-export"));
        Files.createDirectory(dir.resolve("lenet5-export-2"));
        ExportViewModel vm = new ExportViewModel(src, FxTaskExecutor.direct());
        assertEquals(dir.resolve("lenet5-export-3"), vm.folderProperty().get());
        assertEquals(dir.resolve("lenet5-export-3/lenet5-pruned.onnx"), vm.modelFile());
        assertFalse(vm.writeCurvesProperty().get(), "no points, no CSV");
        assertEquals("", vm.validationProperty().get());
    }

    @Test
    void aNameThatWouldOverwriteTheOpenedModelIsRefusedAndNothingIsWritten() throws Exception {
        ExportViewModel vm = new ExportViewModel(source(List.of(), List.of()), FxTaskExecutor.direct());
        byte[] before = Files.readAllBytes(model.file());
        vm.folderProperty().set(dir);
        vm.baseNameProperty().set("lenet5");
        assertTrue(vm.validationProperty().get().contains("is the opened model"), vm.validationProperty().get());
        assertFalse(vm.export());
        assertArrayEquals(before, Files.readAllBytes(model.file()));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(model.file()), files.toList());
        }
    }

    @Test
    void exportsModelReportCurvesAndChartsIntoTheFolder() throws Exception {
        List<Path> chartCalls = new ArrayList<>();
        ChartExporter chart = new ChartExporter() {
            @Override
            public String name() {
                return "Accuracy vs sparsity";
            }

            @Override
            public List<Path> export(Path folder, String baseName) throws IOException {
                Path f = folder.resolve(baseName + "-accuracy.svg");
                Files.writeString(f, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
                chartCalls.add(f);
                return List.of(f);
            }
        };
        List<SweepPoint> points = List.of(point(0, 0.90), point(0.5, 0.89));
        ExportViewModel vm = new ExportViewModel(source(points, List.of(chart)), FxTaskExecutor.direct());
        assertTrue(vm.writeCurvesProperty().get());
        assertTrue(vm.export());
        assertEquals("", vm.errorProperty().get());
        Path folder = vm.folderProperty().get();
        assertEquals(List.of(folder.resolve("lenet5-pruned-accuracy.svg"), folder.resolve("lenet5-pruned.onnx"),
                folder.resolve("lenet5-pruned.onnx.report.json"), folder.resolve("lenet5-pruned-curves.csv")), vm.written());
        assertEquals(1, chartCalls.size());
        Model written = ModelFiles.read(vm.modelFile());
        assertEquals(result.pruned(), written.prunableTensors().stream().mapToLong(t -> t.stats().zeros()).sum());
        JsonNode rep = new ObjectMapper().readTree(folder.resolve("lenet5-pruned.onnx.report.json").toFile());
        assertEquals(result.achievedSparsity(), rep.get("totals").get("achieved").asDouble(), 1e-15);
        assertEquals(PruneExportCurves.csv(points, "test"), Files.readString(vm.curvesFile()));
        List<String> csv = Files.readAllLines(vm.curvesFile());
        assertTrue(csv.get(0).endsWith(",split") && csv.get(1).endsWith(",test"), "every row names its split: " + csv);
        assertTrue(vm.statusProperty().get().startsWith("Wrote 4 files"), vm.statusProperty().get());
        assertFalse(vm.runningProperty().get());
    }

    @Test
    void withoutTheReportOnlyTheModelIsLeft() throws Exception {
        ExportViewModel vm = new ExportViewModel(source(List.of(), List.of()), FxTaskExecutor.direct());
        vm.writeReportProperty().set(false);
        assertTrue(vm.writeModelProperty().get());
        assertTrue(vm.export());
        assertEquals(List.of(vm.modelFile()), vm.written());
        assertFalse(Files.exists(vm.modelFile().resolveSibling("lenet5-pruned.onnx.report.json")));
    }

    @Test
    void askingForTheReportAsksForTheModelItNeeds() throws Exception {
        ExportViewModel vm = new ExportViewModel(source(List.of(), List.of()), FxTaskExecutor.direct());
        vm.writeModelProperty().set(false);
        assertFalse(vm.writeReportProperty().get());
        assertEquals("choose something to write", vm.validationProperty().get());
        vm.writeReportProperty().set(true);
        assertTrue(vm.writeModelProperty().get());
        assertEquals("", vm.validationProperty().get());
    }

    @Test
    void compactionOfUnstructuredPruningShowsTheRefusalAndWritesNoModel() throws Exception {
        ExportViewModel vm = new ExportViewModel(source(List.of(), List.of()), FxTaskExecutor.direct());
        vm.compactProperty().set(true);
        assertTrue(vm.export());
        assertTrue(vm.compactionProperty().get().startsWith("Compaction refused"), vm.compactionProperty().get());
        assertTrue(vm.errorProperty().get().contains("nothing to compact"), vm.errorProperty().get());
        assertTrue(vm.errorProperty().get().contains("lenet5"), "names the file: " + vm.errorProperty().get());
        assertFalse(Files.exists(vm.modelFile()));
        assertTrue(vm.written().isEmpty());
    }

    @Test
    void aFolderThatCannotBeCreatedIsReportedByName() throws Exception {
        ExportViewModel vm = new ExportViewModel(source(List.of(), List.of()), FxTaskExecutor.direct());
        Path blocker = dir.resolve("occupied");
        Files.writeString(blocker, "a file, not a folder");
        vm.folderProperty().set(blocker.resolve("sub"));
        assertFalse(vm.export());
        assertTrue(vm.errorProperty().get().contains(blocker.toString()), vm.errorProperty().get());
    }

    @Test
    void cancellingAsSoonAsTheExportReportsProgressWritesNothing() throws Exception {
        FxTaskExecutor executor = FxTaskExecutor.direct();
        ExportViewModel vm = new ExportViewModel(source(List.of(point(0, 0.9)), List.of()), executor);
        executor.progressProperty().addListener((o, was, now) -> {
            if (now.doubleValue() >= 0) {
                vm.cancel();
            }
        });
        assertTrue(vm.export());
        assertTrue(vm.statusProperty().get().startsWith("Export cancelled"), vm.statusProperty().get());
        assertEquals("", vm.errorProperty().get());
        assertFalse(vm.runningProperty().get());
        assertTrue(vm.written().isEmpty());
        assertFalse(Files.exists(vm.modelFile()));
        assertFalse(Files.exists(vm.curvesFile()));
    }

    @Test
    void chartsAreExportedLightAtTheChosenSizeWhateverTheWindowShowsAndAnAbsurdSizeIsRefused(
            @org.junit.jupiter.api.io.TempDir Path out) throws Exception {
        List<ChartOptions> asked = new java.util.ArrayList<>();
        ChartExporter probe = new ChartExporter() {
            @Override
            public String name() {
                return "probe";
            }

            @Override
            public List<Path> export(Path folder, String baseName) {
                throw new AssertionError("the options must reach the exporter");
            }

            @Override
            public List<Path> export(Path folder, String baseName, ChartOptions o) {
                asked.add(o);
                return List.of();
            }
        };
        ExportViewModel vm = new ExportViewModel(source(List.of(), List.of(probe)), FxTaskExecutor.direct());
        assertEquals(org.sparsitybench.ui.common.ChartTheme.LIGHT, vm.chartThemeProperty().get());
        vm.folderProperty().set(out);
        vm.writeModelProperty().set(false);
        vm.chartWidthProperty().set(50);
        assertTrue(vm.validationProperty().get().contains("chart size 50 × 800"), vm.validationProperty().get());
        vm.chartWidthProperty().set(2400);
        vm.chartHeightProperty().set(1600);
        assertEquals("", vm.validationProperty().get());
        assertTrue(vm.export());
        assertEquals(List.of(new ChartOptions(2400, 1600, org.sparsitybench.ui.common.ChartTheme.LIGHT)), asked);
    }
}
