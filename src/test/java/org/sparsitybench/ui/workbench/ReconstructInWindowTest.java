package org.sparsitybench.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;

/**
 * The Reconstruct toggle in the workbench on fashion-lenet5 at 70 % magnitude, tasks on the calling thread
 * ({@link FxTaskExecutor#direct()}): the accuracy line measures the reconstructed weights on the test set,
 * calibrated on 128 samples of the validation split, and says which weights it measured.
 */
class ReconstructInWindowTest {
    private static final Path LENET5 = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");

    @Test
    void reconstructionRaisesTheAccuracyShownAndSaysSo() {
        List<String> errors = new ArrayList<>();
        WorkbenchViewModel vm = new WorkbenchViewModel(FxTaskExecutor.direct());
        vm.errorProperty().addListener((o, a, b) -> {
            if (!b.isEmpty()) {
                errors.add(b);
            }
        });
        assertTrue(vm.open(LENET5));
        vm.bar().setGlobalTarget(0.7);
        double maskOnly = vm.evaluation().evaluationProperty().get().accuracy();
        assertTrue(vm.evaluation().textProperty().get().contains("mask only)"), vm.evaluation().textProperty().get());
        assertEquals("Weights on screen: mask only", vm.reconstruct().statusProperty().get());

        vm.reconstruct().enabledProperty().set(true);
        assertEquals(List.of(), errors);
        assertNotNull(vm.reconstruct().resultProperty().get());
        String status = vm.reconstruct().statusProperty().get();
        assertTrue(status.startsWith("Weights on screen: reconstructed") && status.contains("on 128 validation samples"),
                status);
        double reconstructed = vm.evaluation().evaluationProperty().get().accuracy();
        String line = vm.evaluation().textProperty().get();
        assertTrue(line.contains("(reconstructed)"), line);
        assertTrue(vm.totalsProperty().get().contains("reconstructed"), vm.totalsProperty().get());
        assertTrue(reconstructed > maskOnly, "reconstructed " + reconstructed + " vs mask only " + maskOnly);

        // Another layer selected: same configuration, so the reconstruction stays on screen.
        vm.layers().selectedProperty().set(vm.layers().rows().get(1));
        assertNotNull(vm.reconstruct().resultProperty().get());

        // While a slider moves the mask alone is shown; reconstruction waits for the gesture's end.
        vm.bar().setGlobalTarget(0.6, true);
        assertNull(vm.reconstruct().resultProperty().get());
        assertTrue(vm.evaluation().textProperty().get().contains("mask only)"), vm.evaluation().textProperty().get());
        vm.bar().setGlobalTarget(0.6, false);
        assertNotNull(vm.reconstruct().resultProperty().get());
        assertTrue(vm.evaluation().textProperty().get().contains("(reconstructed)"));

        vm.reconstruct().enabledProperty().set(false);
        assertNull(vm.reconstruct().resultProperty().get());
        assertTrue(vm.evaluation().textProperty().get().contains("mask only)"), vm.evaluation().textProperty().get());
        assertFalse(vm.totalsProperty().get().contains("reconstructed"), vm.totalsProperty().get());
    }
}
