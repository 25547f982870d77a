package org.sparsitybench.ui.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;

/** The configuration's history without a toolkit: drags, steps, echoes, undo and redo. */
class UndoableConfigTest {
    private final UndoableConfig config = new UndoableConfig(PruningConfig.of(GlobalSettings.of(0, "magnitude",
            Allocation.UNIFORM)));
    private final List<Double> shown = new ArrayList<>();
    private int steps;

    UndoableConfigTest() {
        config.configProperty().addListener((o, a, b) -> shown.add(b.global().target()));
        config.addStepListener(() -> steps++);
    }

    private void target(double t, boolean dragging) {
        config.edit(c -> c.withTarget(t), dragging);
    }

    @Test
    void aDragShowsEveryValueAndRecordsOneStepWhenItEnds() {
        for (int i = 1; i <= 10; i++) {
            target(i / 20.0, true);
        }
        assertEquals(10, shown.size(), "every drag value is shown at once");
        assertFalse(config.canUndoProperty().get(), "no step while dragging");
        target(0.5, false);
        assertEquals(1, steps);
        config.undo();
        assertEquals(0.0, config.get().global().target(), "one undo goes back to before the drag");
        assertFalse(config.canUndoProperty().get());
        config.redo();
        assertEquals(0.5, config.get().global().target());
    }

    @Test
    void aDragThatEndsWhereItStartedRecordsNothing() {
        target(0.3, true);
        target(0.0, true);
        target(0.0, false);
        assertEquals(0, steps);
        assertFalse(config.canUndoProperty().get());
    }

    @Test
    void theValueAlreadyShownChangesNothing() {
        target(0.4, false);
        shown.clear();
        target(0.4, false);
        assertEquals(List.of(), shown, "an echo of the shown value fires no change");
        assertEquals(1, steps, "and records no step");
    }

    @Test
    void aNewStepAfterUndoDropsTheRedoHistoryAndResetStartsAfresh() {
        target(0.2, false);
        target(0.4, false);
        config.undo();
        assertTrue(config.canRedoProperty().get());
        target(0.7, false);
        assertFalse(config.canRedoProperty().get());
        config.undo();
        assertEquals(0.2, config.get().global().target());
        config.reset(PruningConfig.of(GlobalSettings.of(0.9, "random", Allocation.ERK)));
        assertFalse(config.canUndoProperty().get());
        assertFalse(config.canRedoProperty().get());
        assertEquals(0.9, config.get().global().target());
    }

    @Test
    void aPanesOwnStepIsUndoneAndRedoneInOrderWithTheConfigurationSteps() {
        List<String> log = new ArrayList<>();
        target(0.5, false);
        config.record(() -> log.add("undo recovered"), () -> log.add("redo recovered"));
        assertEquals(2, steps);
        assertEquals(List.of(0.5), shown, "recording leaves the configuration as it is");
        target(0.6, false);

        config.undo();
        assertEquals(0.5, config.get().global().target());
        assertEquals(List.of(), log);
        config.undo();
        assertEquals(List.of("undo recovered"), log);
        assertEquals(0.5, config.get().global().target(), "the pane's step did not move the configuration");
        config.undo();
        assertEquals(0.0, config.get().global().target());
        assertFalse(config.canUndoProperty().get());

        config.redo();
        config.redo();
        assertEquals(List.of("undo recovered", "redo recovered"), log);
        config.redo();
        assertEquals(0.6, config.get().global().target());
        assertFalse(config.canRedoProperty().get());

        config.undo();
        config.record(() -> log.add("undo again"), () -> log.add("redo again"));
        assertFalse(config.canRedoProperty().get(), "a new step clears what could be redone");
    }
}
