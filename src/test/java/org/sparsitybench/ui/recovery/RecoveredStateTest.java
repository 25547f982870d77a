package org.sparsitybench.ui.recovery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.project.ProjectFiles;
import org.sparsitybench.project.Project;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.workbench.WorkbenchFrame;
import org.sparsitybench.ui.workbench.WorkbenchViewModel;

/**
 * A finished Recover run becomes the window's current state: the workbench on the digits MLP at 50 % magnitude,
 * tasks on the calling thread, a short run on 400 training samples.
 */
class RecoveredStateTest {
    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");

    private final List<String> errors = new ArrayList<>();

    /** The workbench, tasks on the calling thread, its errors collected in {@link #errors}. */
    private WorkbenchViewModel workbench() {
        WorkbenchViewModel vm = new WorkbenchViewModel(FxTaskExecutor.direct());
        vm.errorProperty().addListener((o, a, b) -> {
            if (!b.isEmpty()) {
                errors.add(b);
            }
        });
        return vm;
    }

    @Test
    void recoveredWeightsAreShownMeasuredUndoableAndSnapshotted(@TempDir Path dir) throws Exception {
        WorkbenchViewModel vm = workbench();
        assertTrue(vm.open(DIGITS));
        vm.bar().setGlobalTarget(0.5);
        WorkbenchFrame oneShot = vm.frameProperty().get();
        double oneShotAccuracy = vm.evaluation().evaluationProperty().get().accuracy();
        assertTrue(vm.evaluation().textProperty().get().contains("(one-shot: mask only)"),
                vm.evaluation().textProperty().get());
        assertFalse(vm.canUndoProperty().get() && oneShot.recovered() != null);

        vm.recovery().limitProperty().set(400);
        vm.recovery().epochsProperty().set(2);
        vm.recovery().learningRateProperty().set(3e-3);
        assertTrue(vm.recovery().start());
        assertEquals(List.of(), errors);

        WorkbenchFrame rec = vm.frameProperty().get();
        assertNotNull(rec.recovered(), "the recovered weights are the current state");
        assertEquals(oneShot.result().config(), rec.result().config(), "same configuration, same masks");
        String line = vm.evaluation().textProperty().get();
        assertTrue(line.contains("(recovered: epoch "), line);
        assertTrue(vm.totalsProperty().get().contains("weights: recovered"), vm.totalsProperty().get());
        double recoveredAccuracy = vm.evaluation().evaluationProperty().get().accuracy();
        assertTrue(recoveredAccuracy != oneShotAccuracy, "the recovered weights were measured");

        // Distribution and heatmap show the recovered values: kept weights moved, pruned ones stay 0.
        String layer = rec.layer();
        assertNotNull(layer);
        Mask mask = rec.result().masks().get(layer);
        float[] before = vm.modelProperty().get().tensor(layer).orElseThrow().data().readAllFloats();
        float[] after = rec.recovered().model().tensor(layer).orElseThrow().data().readAllFloats();
        boolean moved = false;
        for (int i = 0; i < after.length; i++) {
            if (!mask.isKept(i)) {
                assertEquals(0f, after[i], layer + "[" + i + "] was pruned");
            } else {
                moved |= after[i] != before[i];
            }
        }
        assertTrue(moved, "fine-tuning moved the kept weights");
        assertFalse(Arrays.equals(oneShot.heatmap().meanAbs(), rec.heatmap().meanAbs()), "the heatmap shows them");
        assertFalse(Arrays.equals(oneShot.histogram().kept(), rec.histogram().kept()), "the histogram shows them");
        assertEquals(mask.size() - mask.keptCount(), rec.histogram().zeros(), "the pruned weights are the zeros shown");

        // A snapshot records the recovered state with its figures.
        vm.project().saveSnapshot("recovered half");
        Project.Snapshot snap = vm.project().snapshots().get(0);
        assertTrue(snap.weights().startsWith("recovered: epoch "), snap.weights());
        assertTrue(snap.weights().contains(", best on validation; lr ") && snap.weights().contains(" cosine"),
                "the snapshot says how the weights were trained: " + snap.weights());
        assertEquals(recoveredAccuracy, snap.accuracy(), 0);
        Path project = dir.resolve("s.sbproj");
        vm.project().saveProject(project);
        assertEquals(snap.weights(), ProjectFiles.read(project).project().snapshots().get(0).weights(),
                "the project file keeps which weights the figures belong to");

        // Undo returns to the one-shot weights of the same configuration; Redo brings the recovered ones back.
        assertTrue(vm.canUndoProperty().get());
        vm.undo();
        assertNull(vm.frameProperty().get().recovered());
        assertEquals(oneShot.result().config(), vm.configProperty().get());
        assertEquals(oneShotAccuracy, vm.evaluation().evaluationProperty().get().accuracy(), 0);
        assertArrayEquals(oneShot.heatmap().meanAbs(), vm.frameProperty().get().heatmap().meanAbs());
        assertTrue(vm.evaluation().textProperty().get().contains("one-shot"), vm.evaluation().textProperty().get());
        vm.redo();
        assertNotNull(vm.frameProperty().get().recovered());
        assertEquals(recoveredAccuracy, vm.evaluation().evaluationProperty().get().accuracy(), 0);

        // Another target shows that target's one-shot weights; undoing back to 50 % shows the recovered ones.
        vm.bar().setGlobalTarget(0.6);
        assertNull(vm.frameProperty().get().recovered());
        vm.undo();
        assertNotNull(vm.frameProperty().get().recovered());
        vm.project().saveSnapshot("again");
        assertEquals(List.of(), errors);
    }

    @Test
    void aRecoveryFinishedAfterTheSliderMovedRecordsNoInvisibleStepAndUndoBackShowsIt() {
        WorkbenchViewModel vm = workbench();
        assertTrue(vm.open(DIGITS));
        vm.bar().setGlobalTarget(0.5);
        var trained = vm.configProperty().get();
        vm.recovery().limitProperty().set(400);
        vm.recovery().epochsProperty().set(2);
        // The user moves the slider while the first epoch is reported (tasks run on this thread here).
        vm.recovery().history().addListener((javafx.collections.ListChangeListener<Object>) c -> {
            if (vm.configProperty().get().equals(trained)) {
                vm.bar().setGlobalTarget(0.7);
            }
        });
        assertTrue(vm.recovery().start());
        assertEquals(List.of(), errors);
        assertNull(vm.frameProperty().get().recovered(), "70 % shows its one-shot weights");
        assertTrue(vm.recovery().statusProperty().get().contains("Undo back to it"),
                vm.recovery().statusProperty().get());
        vm.undo();
        assertEquals(trained, vm.configProperty().get(), "the first Undo goes back to what was trained");
        assertNotNull(vm.frameProperty().get().recovered(), "and shows the recovered weights");
    }

    @Test
    void aWandaConfigurationIsRecoveredWithTheMasksTheWindowShows() {
        WorkbenchViewModel vm = workbench();
        assertTrue(vm.open(DIGITS));
        vm.bar().setMethod("wanda");
        vm.bar().setGlobalTarget(0.6);
        assertTrue(vm.isCalibrated());
        WorkbenchFrame oneShot = vm.frameProperty().get();
        vm.recovery().limitProperty().set(300);
        vm.recovery().epochsProperty().set(1);
        assertTrue(vm.recovery().start());
        assertEquals(List.of(), errors, "Wanda's masks need its calibration, which the window's engine has");
        WorkbenchFrame rec = vm.frameProperty().get();
        assertNotNull(rec.recovered());
        for (var e : oneShot.result().masks().entrySet()) {
            float[] after = rec.recovered().model().tensor(e.getKey()).orElseThrow().data().readAllFloats();
            for (int i = 0; i < after.length; i++) {
                if (!e.getValue().isKept(i)) {
                    assertEquals(0f, after[i], e.getKey() + "[" + i + "]: the shown mask was kept");
                }
            }
        }
    }
}
