package org.sparsitybench.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.PruneExportCurves;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.curves.CurveSeries;
import org.sparsitybench.ui.curves.CurvesViewModel;
import org.sparsitybench.ui.curves.SweepViewModel;
import org.sparsitybench.ui.layers.LayerRow;

/**
 * Issue 18, "wrong or misleading results": what the window shows must belong to the model and run it came from.
 * Tasks run on the calling thread ({@link FxTaskExecutor#direct()}) with the real engine and ONNX Runtime.
 */
class TrustInResultsTest {
    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");
    private static final Path LENET5 = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");

    private final List<String> errors = new ArrayList<>();

    private WorkbenchViewModel vm() {
        WorkbenchViewModel vm = new WorkbenchViewModel(FxTaskExecutor.direct(), null, Duration.ofMillis(50));
        vm.errorProperty().addListener((o, a, b) -> {
            if (!b.isEmpty()) {
                errors.add(b);
            }
        });
        return vm;
    }

    @Test
    void anotherModelClearsTheSweepCurvesAndTheirCsvRows() {
        WorkbenchViewModel vm = vm();
        vm.open(DIGITS);
        assertTrue(vm.runSweep(List.of("magnitude"), List.of(0.0, 0.5), 20));
        assertEquals(2, vm.sweep().points().size());
        vm.open(LENET5);
        assertEquals(List.of(), errors);
        assertEquals(List.of(), List.copyOf(vm.sweep().points()), "digits-mlp's points must not stay beside lenet5");
        assertEquals(List.of(), vm.sweep().runs());
    }

    @Test
    void aSecondSweepReplacesTheFirstUnlessKeptAndThenSitsBesideAsItsOwnRun() {
        WorkbenchViewModel vm = vm();
        vm.open(DIGITS);
        SweepViewModel sweep = vm.sweep();
        vm.runSweep(List.of("magnitude"), List.of(0.0, 0.5), 20);
        vm.runSweep(List.of("magnitude"), List.of(0.0, 0.5), 20);
        assertEquals(2, sweep.points().size(), "the second run replaced the first");
        assertEquals(1, sweep.runs().size());
        assertEquals(2, sweep.runs().get(0).id());
        assertTrue(sweep.runs().get(0).label().startsWith("run 2: magnitude / uniform at "), sweep.runs().get(0).label());

        sweep.keepPreviousProperty().set(true);
        vm.runSweep(List.of("magnitude"), List.of(0.0, 0.5), 20);
        assertEquals(4, sweep.points().size());
        List<SweepPoint> points = List.copyOf(sweep.points());
        List<CurveSeries> series = CurvesViewModel.fromSweep(points, p -> "run " + sweep.runOf(p).id());
        assertEquals(List.of("run 2 · magnitude / uniform", "run 3 · magnitude / uniform"),
                series.stream().map(CurveSeries::name).toList(), "two runs are two lines, not one zig-zag");
        String csv = PruneExportCurves.csv(points, sweep.runLabels(points), "test");
        String[] lines = csv.split("\n");
        assertEquals(5, lines.length);
        assertTrue(lines[0].startsWith("run,method,"), lines[0]);
        assertTrue(lines[1].startsWith("run 2: magnitude / uniform at "), lines[1]);
        assertTrue(lines[4].startsWith("run 3: magnitude / uniform at "), lines[4]);
        assertFalse(csv.contains(",,magnitude"), csv);
    }

    @Test
    void aRowOverrideNeverPushesTheOtherLayersToAllPrunedAndTheUnmetTargetIsShown() {
        WorkbenchViewModel vm = vm();
        vm.open(LENET5);
        vm.bar().setGlobalTarget(0.816);
        assertEquals("", vm.messagesProperty().get());
        String fc1 = vm.layers().rows().stream().max(java.util.Comparator.comparingLong(LayerRow::params))
                .orElseThrow().name();
        vm.layers().setLayerSparsity(fc1, 0.06, false);
        for (LayerRow row : vm.layers().rows()) {
            assertTrue(row.achievedProperty().get() < 0.995,
                    row.name() + " pruned to " + row.achievedProperty().get());
        }
        assertFalse(vm.frameProperty().get().result().targetMet());
        assertTrue(vm.messagesProperty().get().contains("cannot be met"), vm.messagesProperty().get());
        assertTrue(vm.totalsProperty().get().contains("target 81.6% NOT met"), vm.totalsProperty().get());
    }

    @Test
    void sweepAndSensitivityOnAWeightOnlyFileAreNotOfferedAndSayWhy(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        WorkbenchViewModel vm = vm();
        assertEquals("open a model first", vm.cannotMeasureProperty().get());
        vm.open(DIGITS);
        assertEquals("", vm.cannotMeasureProperty().get());
        Path file = org.sparsitybench.tools.fuzz.SafeTensorsFiles.builder()
                .tensor("up.weight", "F32", new long[] {4, 3},
                        org.sparsitybench.tools.fuzz.SafeTensorsFiles.f32(new float[12]))
                .write(dir.resolve("w.safetensors"));
        vm.open(file);
        assertTrue(vm.cannotMeasureProperty().get().contains("no graph to run"), vm.cannotMeasureProperty().get());
    }

    @Test
    void sensitivityGuidedSnapshotsCompareAndEqualValuesAreNotFlagged() {
        WorkbenchViewModel vm = vm();
        vm.open(DIGITS);
        assertTrue(vm.runSensitivity(List.of(0.0, 0.5, 0.9), 200));
        vm.bar().setAllocation(org.sparsitybench.prune.Allocation.SENSITIVITY);
        vm.bar().setGlobalTarget(0.5);
        vm.project().saveSnapshot("guided");
        vm.bar().setMethod("random");
        vm.project().saveSnapshot("guided random");
        assertEquals(List.of(), errors);
        var snaps = List.copyOf(vm.project().snapshots());
        assertTrue(snaps.get(0).sensitivity() != null && !snaps.get(0).sensitivity().isEmpty(),
                "a guided snapshot carries its curves");
        var compare = new org.sparsitybench.ui.snapshots.SnapshotCompareViewModel(vm.modelProperty().get(), snaps,
                FxTaskExecutor.direct());
        assertTrue(compare.load());
        assertEquals("", compare.errorProperty().get());
        assertTrue(compare.loadedProperty().get());
        assertTrue(compare.gridProperty().get() != null, "the mask difference is drawn");
        var method = compare.rows().stream().filter(r -> r.label().equals("method")).findFirst().orElseThrow();
        assertEquals(List.of("magnitude", "random"), method.cells());
        var alloc = compare.rows().stream().filter(r -> r.label().equals("allocation")).findFirst().orElseThrow();
        assertEquals(List.of(false, false), alloc.changed(), "the same allocation is not a difference");
        for (var row : compare.rows()) {
            for (int i = 0; i < row.cells().size(); i++) {
                assertEquals(!row.cells().get(i).equals(row.cells().get(0)), row.changed().get(i),
                        row.label() + " " + row.cells() + " flagged " + row.changed());
            }
        }
    }

    @Test
    /**
     * Item 6: a {@code .sbproj} keeps the session's sweeps (each run with its id and label) and its sensitivity
     * analysis, so a reopened project shows them and the guided allocation works without rerunning.
     */
    void aReopenedProjectShowsItsSweepsAndSensitivityWithoutRerunningThem(@org.junit.jupiter.api.io.TempDir Path dir) {
        WorkbenchViewModel first = vm();
        first.open(DIGITS);
        assertTrue(first.runSweep(List.of("magnitude"), List.of(0.0, 0.5), 20));
        assertTrue(first.runSensitivity(List.of(0.0, 0.5, 0.9), 100));
        Path project = dir.resolve("study.sbproj");
        first.project().saveProject(project);
        assertEquals(List.of(), errors);

        WorkbenchViewModel again = vm();
        assertTrue(again.project().openProject(project));
        assertEquals(List.of(), errors);
        assertEquals(first.sweep().runs(), again.sweep().runs(), "the runs with their ids and labels");
        assertEquals(List.copyOf(first.sweep().points()), List.copyOf(again.sweep().points()));
        assertEquals(first.sensitivity().curves(), again.sensitivity().curves());
        for (LayerRow row : again.layers().rows()) {
            assertFalse(Double.isNaN(row.sensitivityProperty().get()), row.name() + " shows its drop");
        }
        again.bar().setAllocation(org.sparsitybench.prune.Allocation.SENSITIVITY);
        assertEquals(List.of(), errors, "the guided allocation needs no new analysis");
        assertEquals(org.sparsitybench.prune.Allocation.SENSITIVITY, again.configProperty().get().global().allocation());
        assertTrue(again.runSweep(List.of("magnitude"), List.of(0.5), 20));
        assertEquals(first.sweep().runs().get(0).id() + 1, again.sweep().runs().get(0).id(),
                "a new run's id follows the restored ones");
    }
}
