package org.sparsitybench.ui.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
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
import org.sparsitybench.ui.common.UndoableConfig;

/** The layer table's rows without a toolkit, on the digits sample and its real engine results. */
class LayerTableViewModelTest {
    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");

    private final UndoableConfig config = new UndoableConfig(PruningConfig.of(GlobalSettings.of(0, "magnitude",
            Allocation.UNIFORM)));
    private final LayerTableViewModel vm = new LayerTableViewModel(config);
    private final PruningEngine engine;

    LayerTableViewModelTest() throws Exception {
        Model model = ModelFiles.read(DIGITS);
        engine = new PruningEngine(model);
        vm.setTensors(model.prunableTensors());
    }

    private PruningResult run() {
        return engine.run(config.get(), ProgressListener.NONE, CancellationToken.NONE);
    }

    @Test
    void aDraggedRowShowsItsValueAtOnceAndAStaleResultDoesNotMoveIt() {
        LayerRow first = vm.rows().get(0);
        assertEquals(first, vm.selectedProperty().get());
        vm.setLayerSparsity(first.name(), 0.2, true);
        PruningResult stale = run(); // computed for 0.2 while the drag goes on
        vm.setLayerSparsity(first.name(), 0.6, true);
        assertEquals(0.6, first.requestedProperty().get(), "the row follows the drag before any result");
        vm.showResult(stale);
        assertEquals(0.6, first.requestedProperty().get(), "a result for an older value does not pull it back");
        assertEquals(0.2, first.achievedProperty().get(), 1e-3, "it shows what that result achieved");
        vm.setLayerSparsity(first.name(), 0.6, false);
        vm.showResult(run());
        assertEquals(0.6, first.achievedProperty().get(), 1e-3);
        config.undo();
        assertEquals(0.0, first.requestedProperty().get(), "the whole drag is one step");
        assertFalse(config.canUndoProperty().get());
    }

    @Test
    void rowsWithoutOverrideShowTheAllocatedLevelAndEditsAreClamped() {
        config.edit(c -> c.withTarget(0.5));
        vm.showResult(run());
        LayerRow second = vm.rows().get(1);
        assertEquals(0.5, second.requestedProperty().get(), 1e-12);
        vm.setLayerSparsity(second.name(), 1.7, false);
        assertEquals(1.0, config.get().layer(second.name()).sparsity(), "clamped to 0–1");
        assertEquals(1.0, second.requestedProperty().get());
    }

    @Test
    void lockingKeepsTheAchievedLevelAndExcludingShowsAtOnce() {
        config.edit(c -> c.withTarget(0.3));
        vm.showResult(run());
        LayerRow first = vm.rows().get(0);
        vm.setLocked(first.name(), true);
        assertTrue(first.lockedProperty().get());
        assertEquals(first.achievedProperty().get(), config.get().layer(first.name()).sparsity(), 1e-12);
        vm.setExcluded(vm.rows().get(1).name(), true);
        assertTrue(vm.rows().get(1).excludedProperty().get(), "before any result");
        vm.setSensitivity(Map.of(first.name(), 0.04));
        assertEquals(0.04, first.sensitivityProperty().get());
        assertTrue(Double.isNaN(vm.rows().get(1).sensitivityProperty().get()));
    }
}
