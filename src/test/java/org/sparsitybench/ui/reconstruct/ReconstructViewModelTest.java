package org.sparsitybench.ui.reconstruct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.ModelCard;
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

/** The Reconstruct toggle on fashion-lenet-300-100, calibrated on 64 images of the Fashion-MNIST training file. */
class ReconstructViewModelTest {
    private static final Path CALIBRATION = Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");

    private ReconstructViewModel.Request request(String method) throws Exception {
        Path file = Fixtures.projectDir().resolve("sample-models/fashion-lenet-300-100/model.onnx");
        Model model = ModelFiles.read(file);
        PruningResult r = new PruningEngine(model).run(new PruningConfig(GlobalSettings.of(0.7, method, Allocation.UNIFORM),
                Map.of()), ProgressListener.NONE, CancellationToken.NONE);
        return new ReconstructViewModel.Request(model, ModelCard.forModel(file, null), r, Datasets.open(CALIBRATION), 64);
    }

    @Test
    void toggleOffLeavesTheMaskOnScreen() throws Exception {
        ReconstructViewModel vm = new ReconstructViewModel(FxTaskExecutor.direct());
        vm.settled(request("magnitude"));
        assertNull(vm.resultProperty().get());
        assertEquals(ReconstructViewModel.MASK_ONLY, vm.statusProperty().get());
    }

    @Test
    void toggleOnReconstructsWhenSettledAndSaysSo() throws Exception {
        ReconstructViewModel vm = new ReconstructViewModel(FxTaskExecutor.direct());
        vm.enabledProperty().set(true);
        ReconstructViewModel.Request req = request("magnitude");
        vm.settled(req);
        assertNotNull(vm.resultProperty().get());
        assertFalse(vm.runningProperty().get());
        assertTrue(vm.statusProperty().get().startsWith("Weights on screen: reconstructed"), vm.statusProperty().get());
        assertTrue(vm.statusProperty().get().contains("least-squares"), vm.statusProperty().get());
        var fc1 = req.model().tensor("fc1.weight").orElseThrow();
        float[] change = ReconstructedWeights.change(vm.resultProperty().get(), fc1,
                vm.resultProperty().get().masks().getOrDefault("fc1.weight", req.pruning().masks().get("fc1.weight")))
                .readAllFloats();
        double total = 0;
        for (float c : change) {
            total += c;
        }
        assertTrue(total > 0);

        vm.maskChanged();
        assertNull(vm.resultProperty().get());
        assertTrue(vm.statusProperty().get().startsWith(ReconstructViewModel.MASK_ONLY));
        vm.enabledProperty().set(false);
        assertEquals(ReconstructViewModel.MASK_ONLY, vm.statusProperty().get());
    }

    @Test
    void sparseGptLayersReconstructEvenWithTheToggleOff() throws Exception {
        ReconstructViewModel vm = new ReconstructViewModel(FxTaskExecutor.direct());
        vm.settled(request("sparsegpt"));
        assertNotNull(vm.resultProperty().get());
        assertTrue(vm.statusProperty().get().contains("SparseGPT"), vm.statusProperty().get());
    }
}
