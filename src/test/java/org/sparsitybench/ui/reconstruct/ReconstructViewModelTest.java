package org.sparsitybench.ui.reconstruct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.ModelFiles;
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

/** The Reconstruct toggle on fashion-lenet-300-100, calibrated on 64 samples of its validation split. */
class ReconstructViewModelTest {
    private ReconstructViewModel.Request request(String method) throws Exception {
        Path file = Fixtures.projectDir().resolve("sample-models/fashion-lenet-300-100/model.onnx");
        Model model = ModelFiles.read(file);
        PruningResult r = new PruningEngine(model).run(new PruningConfig(GlobalSettings.of(0.7, method, Allocation.UNIFORM),
                Map.of()), ProgressListener.NONE, CancellationToken.NONE);
        ModelCard card = ModelCard.forModel(file, null);
        return new ReconstructViewModel.Request(model, card, r, DataSplits.validation(card, file).orElseThrow().data(), 64);
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

    @Test
    void progressMovesLayerByLayerAndCancelKeepsTheMaskOnScreen() throws Exception {
        ReconstructViewModel vm = new ReconstructViewModel(FxTaskExecutor.direct());
        vm.enabledProperty().set(true);
        List<String> seen = new ArrayList<>();
        vm.statusProperty().addListener((o, a, b) -> seen.add(b));
        // Cancel as the user would, from the first layer's progress report: the layers after it are not solved.
        boolean[] once = {false};
        vm.progressProperty().addListener((o, a, b) -> {
            if (!once[0] && b.doubleValue() > 0 && b.doubleValue() < 1 && vm.runningProperty().get()) {
                once[0] = true;
                assertTrue(vm.statusProperty().get().contains("reconstructing: reconstructed fc"),
                        vm.statusProperty().get());
                vm.cancel();
            }
        });
        vm.settled(request("magnitude"));
        assertNull(vm.resultProperty().get());
        assertFalse(vm.runningProperty().get());
        assertEquals(ReconstructViewModel.MASK_ONLY + " (reconstruction cancelled)", vm.statusProperty().get());
        assertTrue(seen.stream().anyMatch(t -> t.contains("reconstructing on 64 validation samples")), seen.toString());

        // Settling again (the next slider release) reconstructs in full.
        vm.settled(request("magnitude"));
        assertNotNull(vm.resultProperty().get());
    }
}
