package org.sparsitybench.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparsitybench.quantize.Precision;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;

/**
 * Issue 17: a snapshot records its precisions, and restoring it sets them back with its configuration. Real
 * digits-mlp, tasks on the calling thread.
 */
class SnapshotRestoreTest {
    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");

    @Test
    void restoringASnapshotBringsBackItsConfigurationAndItsPrecisions() {
        WorkbenchViewModel vm = new WorkbenchViewModel(FxTaskExecutor.direct(), null, Duration.ofMillis(50));
        vm.open(DIGITS);
        String first = vm.precision().layers().get(0);
        vm.bar().setGlobalTarget(0.5);
        vm.precision().setGlobal(Precision.INT8);
        vm.precision().setLayer(first, Precision.INT4);
        Map<String, String> saved = vm.precision().snapshot();
        vm.project().saveSnapshot("half, int8");

        vm.bar().setGlobalTarget(0.2);
        vm.precision().setLayer(first, null);
        vm.precision().setGlobal(Precision.FLOAT32);
        assertEquals(Precision.FLOAT32, vm.precision().precision(first));

        vm.project().restoreSnapshot(vm.project().snapshots().get(0));
        assertEquals(0.5, vm.configProperty().get().global().target(), 1e-12);
        assertEquals(saved, vm.precision().snapshot());
        assertEquals(Precision.INT4, vm.precision().precision(first));
        assertEquals("Restored snapshot 'half, int8' with its precisions", vm.project().statusProperty().get());

        vm.undo();
        assertEquals(0.2, vm.configProperty().get().global().target(), 1e-12, "one undoable step");
    }

    @Test
    void theStatusLineForgetsTheLastSessionsSnapshotWhenAnotherModelOpens() {
        WorkbenchViewModel vm = new WorkbenchViewModel(FxTaskExecutor.direct(), null, Duration.ofMillis(50));
        vm.open(DIGITS);
        vm.project().saveSnapshot("half");
        assertEquals("Saved snapshot 'half' (1 in this session)", vm.project().statusProperty().get());
        vm.open(Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx"));
        assertEquals(0, vm.project().snapshots().size());
        assertEquals("", vm.project().statusProperty().get(), "nothing was saved in this session yet");
    }

    @Test
    void restoringAFloatSnapshotMakesEveryLayerFloatAgain() {
        WorkbenchViewModel vm = new WorkbenchViewModel(FxTaskExecutor.direct(), null, Duration.ofMillis(50));
        vm.open(DIGITS);
        vm.project().saveSnapshot("float");
        vm.precision().setGlobal(Precision.INT8);
        vm.project().restoreSnapshot(vm.project().snapshots().get(0));
        for (String layer : vm.precision().layers()) {
            assertEquals(Precision.FLOAT32, vm.precision().precision(layer), layer);
        }
        assertEquals(32, vm.precision().bitsPerWeight(), 1e-12);
    }
}
