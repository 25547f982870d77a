package org.sparsitybench.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.Reconstruction;
import org.sparsitybench.prune.stats.HeatmapGrid;
import org.sparsitybench.prune.stats.WeightHistogram;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.heatmap.HeatmapMode;
import org.sparsitybench.ui.layers.LayerRow;
import org.sparsitybench.ui.reconstruct.ReconstructedWeights;

/**
 * The distribution, heatmap and layer table of the workbench on fashion-lenet5 at 70 % magnitude (tasks on the
 * calling thread) show the reconstructed weights Ŵ once reconstruction has run, say so, and go back to the mask
 * over W when it is switched off or a slider moves.
 */
class ReconstructedViewsTest {
    private static final Path LENET5 = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");

    private final List<String> errors = new ArrayList<>();
    private WorkbenchViewModel vm;
    private LayerRow fc1;

    @BeforeEach
    void openAt70Percent() {
        vm = new WorkbenchViewModel(FxTaskExecutor.direct());
        vm.errorProperty().addListener((o, a, b) -> {
            if (!b.isEmpty()) {
                errors.add(b);
            }
        });
        assertTrue(vm.open(LENET5));
        vm.bar().setGlobalTarget(0.7);
        fc1 = vm.layers().rows().stream().filter(r -> r.op().equals("Gemm")).findFirst().orElseThrow();
        vm.layers().selectedProperty().set(fc1);
    }

    @Test
    void distributionShowsTheReconstructedKeptWeightsAndSaysSo() {
        assertEquals(ReconstructedWeights.MASK_ONLY, vm.distribution().weightsProperty().get());
        WeightHistogram maskOnly = vm.distribution().histogramProperty().get();

        vm.reconstruct().enabledProperty().set(true);
        assertEquals(List.of(), errors);
        assertEquals(ReconstructedWeights.RECONSTRUCTED, vm.distribution().weightsProperty().get());
        WeightHistogram shown = vm.distribution().histogramProperty().get();
        // Same mask, same count kept; the kept weights themselves moved (least squares), the cut ones did not.
        assertEquals(maskOnly.keptTotal(), shown.keptTotal());
        assertFalse(Arrays.equals(maskOnly.kept(), shown.kept()) && Arrays.equals(maskOnly.edges(), shown.edges()),
                "the kept histogram is the mask's");

        vm.reconstruct().enabledProperty().set(false);
        assertEquals(ReconstructedWeights.MASK_ONLY, vm.distribution().weightsProperty().get());
        assertTrue(Arrays.equals(maskOnly.kept(), vm.distribution().histogramProperty().get().kept()));
    }

    @Test
    void heatmapShowsTheChangeOnKeptCellsOnly() {
        vm.heatmap().modeProperty().set(HeatmapMode.CHANGE);
        assertEquals(0f, vm.heatmap().gridProperty().get().maxMeanAbs(), "no reconstruction, no change");
        assertTrue(vm.heatmap().captionProperty().get().contains("no reconstruction on screen"),
                vm.heatmap().captionProperty().get());

        vm.reconstruct().enabledProperty().set(true);
        HeatmapGrid change = vm.heatmap().gridProperty().get();
        assertTrue(change.maxMeanAbs() > 0, "reconstruction moved kept weights");
        assertTrue(vm.heatmap().captionProperty().get().startsWith("mean |Ŵ − W| on kept weights"),
                vm.heatmap().captionProperty().get());
        // One cell per weight of fc1: a pruned weight's cell is fully grey and shows no change.
        int pruned = 0;
        for (int i = 0; i < change.meanAbs().length; i++) {
            if (change.keptFraction()[i] == 0) {
                pruned++;
                assertEquals(0f, change.meanAbs()[i], "cell " + i + " is pruned");
            }
        }
        assertTrue(pruned > 0);

        vm.heatmap().modeProperty().set(HeatmapMode.WEIGHTS);
        assertTrue(vm.heatmap().captionProperty().get().endsWith(ReconstructedWeights.RECONSTRUCTED),
                vm.heatmap().captionProperty().get());
    }

    @Test
    void layerTableShowsEachLayersErrorBeforeAndAfterWhileReconstructed() {
        assertEquals("", fc1.reconstructionProperty().get());
        vm.reconstruct().enabledProperty().set(true);
        Reconstruction.Result r = vm.reconstruct().resultProperty().get();
        assertNotNull(r);
        Reconstruction.LayerReport report = r.layers().stream().filter(l -> l.name().equals(fc1.name()))
                .findFirst().orElseThrow();
        String text = fc1.reconstructionProperty().get();
        assertTrue(text.matches("\\d+\\.\\d → \\d+\\.\\d%"), text);
        assertTrue(report.errorAfter() < report.errorMaskOnly(), report.toString());
        assertEquals(r.masks().get(fc1.name()).sparsity(), fc1.achievedProperty().get(), 1e-12);

        // A slider moving: the mask alone again, at once.
        vm.bar().setGlobalTarget(0.6, true);
        assertEquals("", fc1.reconstructionProperty().get());
        assertEquals(ReconstructedWeights.MASK_ONLY, vm.distribution().weightsProperty().get());
        vm.bar().setGlobalTarget(0.6, false);
        assertFalse(fc1.reconstructionProperty().get().isEmpty());
    }

    @Test
    void calibrationReadsTheValidationSplit() {
        vm.reconstruct().enabledProperty().set(true);
        assertEquals(List.of(), errors);
        String status = vm.reconstruct().statusProperty().get();
        assertTrue(status.endsWith("on 128 validation samples"), status);
        assertFalse(status.contains("training"), status);
    }
}
