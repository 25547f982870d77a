package org.sparsitybench.ui.snapshots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.project.Project;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.LayerSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.stats.MaskDiffGrid;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;

/** Snapshot comparison state on fashion-lenet5, without the FX toolkit. */
class SnapshotCompareViewModelTest {
    private static Model model;

    @BeforeAll
    static void open() throws Exception {
        model = ModelFiles.read(Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx"));
    }

    private static Project.Snapshot snap(String name, double target, Double accuracy) {
        return new Project.Snapshot(name, PruningConfig.of(GlobalSettings.of(target, "magnitude", Allocation.UNIFORM)),
                target, accuracy, accuracy == null ? null : 0.3);
    }

    private static SnapshotCompareViewModel loaded(List<Project.Snapshot> snaps) {
        SnapshotCompareViewModel vm = new SnapshotCompareViewModel(model, snaps, FxTaskExecutor.direct());
        assertTrue(vm.load());
        assertEquals("", vm.errorProperty().get());
        assertTrue(vm.loadedProperty().get());
        return vm;
    }

    @Test
    void layerRowsHoldEachSnapshotsAchievedSparsityAndFlagChangedMasks() {
        Project.Snapshot half = snap("half", 0.5, 0.9);
        half = new Project.Snapshot(half.name(), half.config(), half.achieved(), half.accuracy(), half.loss(), 0.42,
                null, null, null, null, null, 0.40, 0.45);
        Project.Snapshot eighty = snap("eighty", 0.8, 0.85);
        eighty = new Project.Snapshot(eighty.name(), eighty.config(), eighty.achieved(), eighty.accuracy(),
                eighty.loss(), 0.5, null, null);
        List<Project.Snapshot> snaps = List.of(half, eighty,
                new Project.Snapshot("conv1 dense", PruningConfig.of(GlobalSettings.of(0.5, "magnitude",
                        Allocation.UNIFORM)).withLayer("conv1.weight", LayerSettings.excludedLayer()), 0.5, null, null));
        SnapshotCompareViewModel vm = loaded(snaps);
        List<WeightTensor> prunable = model.prunableTensors();
        assertEquals(prunable.size() + 8, vm.rows().size(), "layers, method, allocation and six measures");
        SnapshotCompareViewModel.Row conv1 = vm.rows().get(0);
        assertEquals("conv1.weight", conv1.label());
        assertEquals(List.of("50.00%", "80.00%", "excluded"), conv1.cells());
        assertEquals(List.of(false, true, true), conv1.changed());
        SnapshotCompareViewModel.Row fc1 = vm.rows().stream().filter(r -> r.label().equals("fc1.weight")).findFirst()
                .orElseThrow();
        assertEquals(List.of(false, true, false), fc1.changed(), "same config for fc1 gives the same mask");
        SnapshotCompareViewModel.Row accuracy = vm.rows().stream().filter(r -> r.label().equals("test accuracy"))
                .findFirst().orElseThrow();
        assertEquals(List.of("90.00%", "85.00%", "not measured"), accuracy.cells());
        assertEquals(List.of(false, true, true), accuracy.changed());
        SnapshotCompareViewModel.Row latency = vm.rows().stream().filter(r -> r.label().startsWith("latency"))
                .findFirst().orElseThrow();
        assertEquals(List.of("0.420 ms (0.400–0.450)", "0.500 ms (no spread)", "not measured"),
                latency.cells(), "a latency is shown with its spread where it was recorded");
        SnapshotCompareViewModel.Row size = vm.rows().stream()
                .filter(r -> r.label().equals("size with sparse storage (est.)")).findFirst().orElseThrow();
        for (int i = 0; i < 3; i++) {
            assertEquals(org.sparsitybench.ui.common.Sizes.bytes(org.sparsitybench.eval.StorageEstimate.of(model,
                    vm.results().get(i).masks()).sparseStorageBytes()), size.cells().get(i),
                    "the same estimate as the window's totals line");
        }
    }

    @Test
    void maskDifferenceOfNestedMagnitudeMasksIsOnlyA() {
        SnapshotCompareViewModel vm = loaded(List.of(snap("half", 0.5, null), snap("eighty", 0.8, null)));
        assertEquals("conv1.weight", vm.layerProperty().get());
        vm.layerProperty().set("fc1.weight");
        MaskDiffGrid g = vm.gridProperty().get();
        PruningResult half = vm.results().get(0);
        PruningResult eighty = vm.results().get(1);
        Mask a = half.mask("fc1.weight");
        Mask b = eighty.mask("fc1.weight");
        long onlyA = 0;
        long onlyB = 0;
        for (long i = 0; i < a.size(); i++) {
            onlyA += a.isKept(i) && !b.isKept(i) ? 1 : 0;
            onlyB += !a.isKept(i) && b.isKept(i) ? 1 : 0;
        }
        assertEquals(onlyA, g.total(MaskDiffGrid.Kind.ONLY_A));
        assertEquals(onlyB, g.total(MaskDiffGrid.Kind.ONLY_B));
        assertEquals(0, onlyB, "a higher magnitude threshold keeps a subset");
        assertEquals(b.prunedCount() - a.prunedCount(), onlyA);
        assertTrue(vm.gridSummaryProperty().get().startsWith("fc1.weight: "), vm.gridSummaryProperty().get());

        vm.aProperty().set(1);
        vm.bProperty().set(0);
        assertEquals(onlyA, vm.gridProperty().get().total(MaskDiffGrid.Kind.ONLY_B), "swapping A and B swaps the kinds");
    }

    @Test
    void masksAreRecomputedBitIdenticallyFromTheSnapshotsConfig() {
        Project.Snapshot s = snap("half", 0.5, null);
        SnapshotCompareViewModel vm = loaded(List.of(s, snap("same", 0.5, null)));
        PruningResult direct = new PruningEngine(model).run(s.config(), ProgressListener.NONE, CancellationToken.NONE);
        for (WeightTensor t : model.prunableTensors()) {
            assertEquals(direct.mask(t.name()).sha256(), vm.results().get(0).mask(t.name()).sha256());
        }
        assertTrue(vm.rows().stream().filter(SnapshotCompareViewModel.Row::layer)
                .noneMatch(r -> r.changed().contains(true)), "identical snapshots differ nowhere");
        assertEquals(0, vm.gridProperty().get().differing());
    }

    @Test
    void oneSnapshotIsNotAComparison() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SnapshotCompareViewModel(
                model, List.of(snap("only", 0.5, null)), FxTaskExecutor.direct()));
        assertTrue(e.getMessage().contains("two or more"));
    }
}
