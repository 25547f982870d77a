package org.sparsitybench.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.eval.ActivationNorms;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.project.Project;
import org.sparsitybench.project.ProjectFiles;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.session.Autosave;
import org.sparsitybench.session.RecentFiles;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.layers.LayerRow;

/**
 * The workbench's state without the FX toolkit: tasks run on the calling thread ({@link FxTaskExecutor#direct()}),
 * so every call below has finished, with its real engine and ONNX Runtime work, when it returns.
 */
class WorkbenchViewModelTest {
    @TempDir
    Path dir;

    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");

    private final List<String> errors = new ArrayList<>();

    private WorkbenchViewModel vm(Path userDir) {
        WorkbenchViewModel vm = new WorkbenchViewModel(FxTaskExecutor.direct(), userDir, Duration.ofMillis(50));
        vm.errorProperty().addListener((o, a, b) -> {
            if (!b.isEmpty()) {
                errors.add(b);
            }
        });
        return vm;
    }

    @Test
    void openingTheSampleFillsRowsViewsAndAccuracy() {
        WorkbenchViewModel vm = vm(null);
        assertTrue(vm.open(DIGITS));
        assertEquals(List.of(), errors);
        assertEquals(2, vm.layers().rows().size());
        assertNotNull(vm.frameProperty().get().histogram());
        assertNotNull(vm.frameProperty().get().heatmap());
        assertEquals(vm.layers().rows().get(0), vm.layers().selectedProperty().get());
        assertNotNull(vm.evaluation().evaluationProperty().get(), "the card's test set was evaluated");
        assertTrue(vm.evaluation().evaluationProperty().get().accuracy() > 0.95);
        assertTrue(vm.totalsProperty().get().startsWith("achieved 0.0%"), vm.totalsProperty().get());
    }

    @Test
    void aSnapshotRecordsAccuracyLatencyAndSizeOfTheMeasuredConfiguration() {
        WorkbenchViewModel vm = vm(null);
        vm.open(DIGITS);
        vm.bar().setGlobalTarget(0.5);
        vm.project().saveSnapshot("half");
        Project.Snapshot s = vm.project().snapshots().get(0);
        assertEquals(vm.evaluation().evaluationProperty().get().accuracy(), s.accuracy());
        assertTrue(s.latencyMs() != null && s.latencyMs() > 0, "latency " + s.latencyMs());
        assertTrue(s.hasLatencySpread() && s.latencyP10Ms() <= s.latencyMs() && s.latencyMs() <= s.latencyP90Ms(),
                "the latency is recorded with its spread: " + s);
        assertEquals(vm.evaluation().latencyProperty().get().p90Ms(), s.latencyP90Ms());
        long total = vm.layers().rows().stream().mapToLong(LayerRow::params).sum();
        assertEquals(total - Math.round(0.5 * vm.layers().rows().get(0).params()) - Math.round(0.5 * vm.layers().rows().get(1).params()),
                s.keptParams());
        // Float32 with an int64 index per kept value: sparse storage is no smaller at 50 %, so the estimate is the
        // dense size; at 90 % it is smaller.
        long dense = vm.modelProperty().get().tensors().stream().mapToLong(t -> 4L * t.elementCount()).sum();
        assertEquals(dense, s.sparseBytes());
        vm.bar().setGlobalTarget(0.9);
        vm.project().saveSnapshot("ninety");
        long sparse = vm.project().snapshots().get(1).sparseBytes();
        assertTrue(sparse < dense && sparse > 0.1 * dense, sparse + " of " + dense);
        assertTrue(vm.evaluation().textProperty().get().contains("latency"), vm.evaluation().textProperty().get());
    }

    @Test
    void theSeedChoosesTheRandomMaskAndIsUndoable() {
        WorkbenchViewModel vm = vm(null);
        vm.open(DIGITS);
        vm.bar().setMethod("random");
        vm.bar().setGlobalTarget(0.5);
        String layer = vm.layers().rows().get(0).name();
        var first = vm.frameProperty().get().result().masks().get(layer);
        vm.bar().setSeed(12345);
        var second = vm.frameProperty().get().result().masks().get(layer);
        assertEquals(first.keptCount(), second.keptCount());
        boolean differs = false;
        for (long i = 0; i < first.size() && !differs; i++) {
            differs = first.isKept(i) != second.isKept(i);
        }
        assertTrue(differs, "another seed, another choice");
        vm.undo();
        var back = vm.frameProperty().get().result().masks().get(layer);
        for (long i = 0; i < first.size(); i++) {
            assertEquals(first.isKept(i), back.isKept(i));
        }
    }

    @Test
    void theHeatmapShowsWeightsKernelsOrChannels() {
        WorkbenchViewModel vm = vm(null);
        vm.open(Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx"));
        LayerRow conv2 = vm.layers().rows().stream().filter(r -> r.name().equals("conv2.weight")).findFirst().orElseThrow();
        vm.layers().selectedProperty().set(conv2);
        var g = vm.frameProperty().get().heatmap();
        assertEquals(16, g.gridRows());
        assertEquals(150, g.gridCols(), "one cell per weight of [16, 6·5·5]");
        vm.heatmap().modeProperty().set(org.sparsitybench.ui.heatmap.HeatmapMode.KERNELS);
        g = vm.frameProperty().get().heatmap();
        assertEquals(6, g.gridCols(), "one cell per input channel's 5×5 kernel");
        vm.bar().setMethod("nm");
        vm.bar().setGlobalTarget(0.5);
        vm.heatmap().modeProperty().set(org.sparsitybench.ui.heatmap.HeatmapMode.CHANNELS);
        vm.layers().selectedProperty().set(vm.layers().rows().stream().filter(r -> r.name().equals("fc1.weight")).findFirst().orElseThrow());
        g = vm.frameProperty().get().heatmap();
        assertEquals(120, g.gridRows());
        assertEquals(1, g.gridCols());
        for (float kept : g.keptFraction()) {
            assertEquals(0.5f, kept, 1e-6f, "2:4 keeps half of every output channel");
        }
    }

    @Test
    void wandaCalibratesFirstAndThenPrunesOtherWeightsThanMagnitude() {
        WorkbenchViewModel vm = vm(null);
        vm.open(DIGITS);
        vm.bar().setGlobalTarget(0.5);
        String layer = vm.layers().rows().get(0).name();
        var magnitude = vm.frameProperty().get().result().masks().get(layer);
        assertFalse(vm.isCalibrated());
        vm.bar().setMethod("wanda");
        assertEquals(List.of(), errors);
        assertTrue(vm.isCalibrated());
        assertEquals("wanda", vm.configProperty().get().global().method());
        var wanda = vm.frameProperty().get().result().masks().get(layer);
        assertEquals(magnitude.keptCount(), wanda.keptCount(), "the same count, to the element");
        long differ = 0;
        for (long i = 0; i < wanda.size(); i++) {
            differ += wanda.isKept(i) != magnitude.isKept(i) ? 1 : 0;
        }
        assertTrue(differ > 0, "input norms change which weights go");
    }

    @Test
    void structuredPruningRemovesWholeOutputChannelsInTheWindow() {
        WorkbenchViewModel vm = vm(null);
        vm.open(Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx"));
        vm.bar().setMethod("l1-structured");
        vm.bar().setGlobalTarget(0.5);
        assertEquals(List.of(), errors);
        vm.heatmap().modeProperty().set(org.sparsitybench.ui.heatmap.HeatmapMode.CHANNELS);
        vm.layers().selectedProperty().set(vm.layers().rows().stream().filter(r -> r.name().equals("conv2.weight")).findFirst().orElseThrow());
        var g = vm.frameProperty().get().heatmap();
        int removed = 0;
        for (float kept : g.keptFraction()) {
            assertTrue(kept == 0f || kept == 1f, "a channel is kept or removed whole: " + kept);
            removed += kept == 0f ? 1 : 0;
        }
        assertTrue(removed > 0 && removed < 16, removed + " of 16 channels removed");
    }

    @Test
    void signedHistogramsAndEveryLayersSmallHistogramAreComputedOnlyWhenAskedFor() {
        WorkbenchViewModel vm = vm(null);
        vm.open(Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx"));
        vm.bar().setGlobalTarget(0.7);
        assertFalse(vm.frameProperty().get().histogram().signed());
        assertEquals(null, vm.frameProperty().get().tiles(), "small multiples cost nothing while hidden");
        vm.distribution().signedProperty().set(true);
        var h = vm.frameProperty().get().histogram();
        assertTrue(h.signed());
        assertTrue(h.edges()[0] < 0 && h.edges()[h.bins()] > 0, "signed bins span both signs");
        vm.distribution().allLayersProperty().set(true);
        var tiles = vm.distribution().tilesProperty().get();
        assertEquals(vm.layers().rows().size(), tiles.size());
        for (int i = 0; i < tiles.size(); i++) {
            assertEquals(vm.layers().rows().get(i).name(), tiles.get(i).name());
            long kept = vm.frameProperty().get().result().masks().get(tiles.get(i).name()).keptCount();
            assertEquals(kept, tiles.get(i).histogram().keptTotal(), tiles.get(i).name());
        }
    }

    @Test
    void eachRowGetsItsStoredZerosAndNonFiniteCountFromTheBackgroundStatistics() throws Exception {
        // A model whose first layer has exact zeros and a NaN: written by the engine's own export path.
        var m = org.sparsitybench.formats.ModelFiles.read(DIGITS);
        var t = m.prunableTensors().get(0);
        float[] v = t.data().readAllFloats();
        for (int i = 0; i < v.length / 4; i++) {
            v[i] = 0f;
        }
        v[v.length - 1] = Float.NaN;
        Path file = dir.resolve("zeros.onnx");
        new org.sparsitybench.formats.onnx.OnnxWriter().write(m, java.util.Map.of(t.name(),
                org.sparsitybench.formats.TensorUpdate.of(t, v)), java.util.Map.of(), file);
        WorkbenchViewModel vm = vm(null);
        vm.open(file);
        LayerRow first = vm.layers().rows().get(0);
        long zeros = 0;
        for (float x : v) {
            zeros += x == 0f ? 1 : 0;
        }
        assertEquals((double) zeros / v.length, first.zerosProperty().get(), 1e-12);
        assertEquals(1, first.nonFinite());
        assertEquals(0, vm.layers().rows().get(1).nonFinite());
        assertFalse(Double.isNaN(vm.layers().rows().get(1).zerosProperty().get()));
    }

    @Test
    void aWeightOnlySafeTensorsFileOpensPrunesAndSaysFlopsNeedAGraph() throws Exception {
        float[] w = new float[40 * 30];
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        Path file = org.sparsitybench.tools.fuzz.SafeTensorsFiles.builder()
                .tensor("model.layers.0.mlp.up_proj.weight", "F32", new long[] {40, 30},
                        org.sparsitybench.tools.fuzz.SafeTensorsFiles.f32(w))
                .write(dir.resolve("weights.safetensors"));
        WorkbenchViewModel vm = vm(null);
        vm.open(file);
        assertEquals(List.of(), errors);
        assertEquals(1, vm.layers().rows().size());
        vm.bar().setGlobalTarget(0.25);
        assertEquals(0.25, vm.layers().rows().get(0).achievedProperty().get(), 1e-12);
        assertTrue(vm.totalsProperty().get().contains("FLOPs n/a (no graph)"), vm.totalsProperty().get());
        assertTrue(vm.evaluation().textProperty().get().contains("no model card"), vm.evaluation().textProperty().get());
    }

    @Test
    void aDragIsOneUndoStepAndUndoRedoWalkTheHistory() {
        WorkbenchViewModel vm = vm(null);
        vm.open(DIGITS);
        String layer = vm.layers().rows().get(0).name();
        for (int i = 1; i <= 20; i++) {
            vm.layers().setLayerSparsity(layer, i / 40.0, true);
        }
        assertFalse(vm.canUndoProperty().get(), "no undo step while dragging");
        vm.layers().setLayerSparsity(layer, 0.5, false);
        assertTrue(vm.canUndoProperty().get());
        assertEquals(0.5, vm.layers().rows().get(0).achievedProperty().get(), 1e-3);
        vm.bar().setGlobalTarget(0.3);
        vm.undo();
        assertEquals(0.0, vm.configProperty().get().global().target());
        assertEquals(0.5, vm.layers().rows().get(0).achievedProperty().get(), 1e-3);
        vm.undo();
        assertEquals(0.0, vm.layers().rows().get(0).achievedProperty().get(), "back to dense in one step");
        assertFalse(vm.canUndoProperty().get());
        vm.redo();
        vm.redo();
        assertEquals(0.3, vm.configProperty().get().global().target());
        assertFalse(vm.canRedoProperty().get());
    }

    @Test
    void theAutosaveHoldsConfigurationAndSnapshotsAndACleanCloseDeletesIt() throws Exception {
        Path user = dir.resolve("user");
        WorkbenchViewModel vm = vm(user);
        vm.open(DIGITS);
        vm.project().autosave().flush();
        assertFalse(Files.exists(vm.project().autosave().file()), "an untouched session needs no recovery");
        vm.bar().setGlobalTarget(0.6);
        vm.project().saveSnapshot("sixty");
        vm.layers().setExcluded(vm.layers().rows().get(1).name(), true);
        vm.project().autosave().flush();
        Path file = vm.project().autosave().file();
        Project saved = ProjectFiles.read(file).project();
        assertEquals(vm.configProperty().get(), saved.config());
        assertEquals(1, saved.snapshots().size());
        assertEquals("sixty", saved.snapshots().get(0).name());
        assertEquals(0.6, saved.snapshots().get(0).config().global().target());
        assertEquals(DIGITS.toAbsolutePath().normalize(), ProjectFiles.read(file).model());
        assertTrue(Autosave.orphans(user).isEmpty(), "a live session's autosave is not an orphan");
        vm.project().close();
        assertFalse(Files.exists(file), "a clean exit leaves no autosave");
    }

    @Test
    void anOrphanedAutosaveIsFoundAndRecoveredWithItsSnapshots() throws Exception {
        Path user = dir.resolve("user");
        WorkbenchViewModel first = vm(user);
        first.open(DIGITS);
        first.bar().setGlobalTarget(0.45);
        first.bar().setAllocation(Allocation.ERK);
        first.project().saveSnapshot("a");
        first.project().saveSnapshot("b");
        first.project().autosave().flush();
        // As if the process had been killed: the file stays under a pid that no longer runs.
        long dead = deadPid();
        Path orphanFile = user.resolve("autosave-" + dead + ".sbproj");
        Files.move(first.project().autosave().file(), orphanFile);
        List<Autosave.Orphan> orphans = Autosave.orphans(user);
        assertEquals(1, orphans.size());
        assertEquals(orphanFile, orphans.get(0).file());

        WorkbenchViewModel second = vm(user);
        assertTrue(second.project().recover(orphanFile));
        assertEquals(List.of(), errors);
        assertEquals(first.configProperty().get(), second.configProperty().get());
        assertEquals(List.of("a", "b"), second.project().snapshots().stream().map(Project.Snapshot::name).toList());
        assertEquals(first.layers().rows().get(0).achievedProperty().get(), second.layers().rows().get(0).achievedProperty().get());
        Autosave.discard(orphans);
        assertTrue(Autosave.orphans(user).isEmpty());
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    @Test
    void recentFilesKeepTheNewestFirstAndForgetMissingOnes() throws Exception {
        Path user = dir.resolve("user");
        WorkbenchViewModel vm = vm(user);
        Path copy = dir.resolve("copy.onnx");
        Files.copy(DIGITS, copy);
        Files.copy(DIGITS.resolveSibling("model-card.json"), dir.resolve("model-card.json"));
        vm.open(DIGITS);
        vm.open(copy);
        assertEquals(List.of(copy.toAbsolutePath(), DIGITS.toAbsolutePath().normalize()), vm.project().recentFiles());
        Files.delete(copy);
        assertEquals(List.of(DIGITS.toAbsolutePath().normalize()), new RecentFiles(user).list(),
                "a file that is gone is dropped");
        RecentFiles r = new RecentFiles(user);
        for (int i = 0; i < 15; i++) {
            Path f = dir.resolve("m" + i + ".onnx");
            Files.writeString(f, "x");
            r.add(f);
        }
        assertEquals(RecentFiles.LIMIT, r.list().size());
        assertEquals(dir.resolve("m14.onnx").toAbsolutePath(), r.list().get(0));
        Files.writeString(user.resolve("recent.json"), "{not json");
        assertEquals(List.of(), new RecentFiles(user).list(), "a broken list is an empty one");
    }

    @Test
    void aDatasetThatDoesNotFitTheInputIsRefusedNamingFileAndShapes() {
        WorkbenchViewModel vm = vm(null);
        vm.open(DIGITS);
        Path before = vm.datasetPath();
        Path fashion = Fixtures.projectDir().resolve("sample-models/data/fashion-mnist/t10k-images-idx3-ubyte.gz");
        vm.openDataset(fashion);
        assertEquals(1, errors.size());
        String e = errors.get(0);
        assertTrue(e.contains("t10k-images-idx3-ubyte.gz") && e.contains("[28, 28]") && e.contains("64"), e);
        assertEquals(before, vm.datasetPath(), "the dataset in use stays");
    }

    @Test
    void aSensitivityRunFillsTheCurvesTheTableAndEnablesTheGuidedAllocation() {
        WorkbenchViewModel vm = vm(null);
        vm.open(DIGITS);
        vm.bar().setAllocation(Allocation.SENSITIVITY);
        assertEquals(1, errors.size(), "guided allocation before any analysis is refused: " + errors);
        assertTrue(errors.get(0).contains("sensitivity"), errors.get(0));
        vm.bar().setAllocation(Allocation.UNIFORM);
        assertTrue(vm.runSensitivity(List.of(0.0, 0.5, 0.9), 300));
        assertEquals(2, vm.sensitivity().curves().size());
        for (LayerRow row : vm.layers().rows()) {
            assertFalse(Double.isNaN(row.sensitivityProperty().get()), row.name());
        }
        vm.bar().setAllocation(Allocation.SENSITIVITY);
        vm.bar().setGlobalTarget(0.5);
        assertEquals(1, errors.size(), "no new error: " + errors);
        assertEquals(0.5, vm.frameProperty().get().result().achievedSparsity(), 1e-3);
    }

    @Test
    void sensitivityAndWandaCalibrationReadTheValidationSplitNeverTheTestData() throws Exception {
        WorkbenchViewModel vm = vm(null);
        vm.open(DIGITS);
        var model = vm.modelProperty().get();
        var card = vm.modelUnderTest().card();
        var validation = DataSplits.validation(card, DIGITS).orElseThrow().data();
        var test = vm.modelUnderTest().data();
        assertEquals(card.testData(DIGITS).orElseThrow(), test.source(), "the accuracy line reports on the test file");
        assertTrue(vm.validationSource().contains("held out"), vm.validationSource());

        List<Double> levels = List.of(0.0, 0.5, 0.9);
        assertTrue(vm.runSensitivity(levels, 300));
        assertEquals(Sensitivity.analyze(model, card, validation, levels, 300, ProgressListener.NONE,
                CancellationToken.NONE), vm.sensitivity().curves(), "measured on the validation split");
        assertNotEquals(Sensitivity.analyze(model, card, test, levels, 300, ProgressListener.NONE,
                CancellationToken.NONE), vm.sensitivity().curves(), "and not on the test data");

        vm.bar().setGlobalTarget(0.5);
        vm.bar().setMethod("wanda");
        assertEquals(List.of(), errors);
        var cfg = vm.configProperty().get();
        var onValidation = new PruningEngine(model, new ScoreCache(false), null, ActivationNorms.capture(model, card,
                validation, WorkbenchViewModel.CALIBRATION_SAMPLES, ProgressListener.NONE, CancellationToken.NONE))
                .run(cfg, ProgressListener.NONE, CancellationToken.NONE);
        var onTest = new PruningEngine(model, new ScoreCache(false), null, ActivationNorms.capture(model, card,
                test, WorkbenchViewModel.CALIBRATION_SAMPLES, ProgressListener.NONE, CancellationToken.NONE))
                .run(cfg, ProgressListener.NONE, CancellationToken.NONE);
        var window = vm.frameProperty().get().result();
        assertEquals(PruneExport.masksSha256(onValidation.masks()), PruneExport.masksSha256(window.masks()),
                "Wanda calibrated on the validation split");
        assertNotEquals(PruneExport.masksSha256(onTest.masks()), PruneExport.masksSha256(window.masks()),
                "not on the test data");
        assertTrue(vm.evaluation().textProperty().get().startsWith("test accuracy "),
                vm.evaluation().textProperty().get());
    }
}
