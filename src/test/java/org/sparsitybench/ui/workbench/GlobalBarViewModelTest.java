package org.sparsitybench.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.ui.common.UndoableConfig;

/** The global bar's slider flow without a toolkit: the typed target is validated here, a drag is one step. */
class GlobalBarViewModelTest {
    private final UndoableConfig config = new UndoableConfig(PruningConfig.of(GlobalSettings.of(0, "magnitude",
            Allocation.UNIFORM)));
    private final List<String> errors = new ArrayList<>();
    private final List<String> gated = new ArrayList<>();
    private final GlobalBarViewModel vm = new GlobalBarViewModel(config, errors::add, () -> false,
            (method, apply) -> {
                gated.add(method);
                apply.run();
            });

    @ParameterizedTest
    @CsvSource(textBlock = """
            0.85,    0.85
            ' 0.5 ', 0.5
            85%,     0.85
            '100 %', 1.0
            0,       0.0
            """)
    void aTypedTargetIsAShareOrAPercentage(String text, double share) {
        assertEquals(share, GlobalBarViewModel.parseTarget(text), 1e-12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1.5", "-0.1", "120%", "", "%"})
    void anythingElseIsNoTarget(String text) {
        assertNull(GlobalBarViewModel.parseTarget(text));
    }

    @Test
    void aValidTypedTargetIsAppliedAsOneStepAndShownNormalised() {
        vm.targetTextProperty().set("60%");
        assertTrue(vm.commitTargetText());
        assertEquals(0.6, config.get().global().target(), 1e-12);
        assertEquals(0.6, vm.targetProperty().get(), 1e-12);
        assertEquals("0.600", vm.targetTextProperty().get());
        assertTrue(config.canUndoProperty().get());
    }

    @Test
    void anInvalidTypedTargetChangesNothingAndShowsTheTargetInForceAgain() {
        vm.setGlobalTarget(0.25);
        vm.targetTextProperty().set("lots");
        assertFalse(vm.commitTargetText());
        assertEquals(0.25, config.get().global().target(), 1e-12);
        assertEquals("0.250", vm.targetTextProperty().get());
        config.undo();
        assertFalse(config.canUndoProperty().get(), "only the valid edit was a step");
    }

    @Test
    void aDragFollowsAtOnceAndIsOneUndoStep() {
        List<Double> seen = new ArrayList<>();
        vm.targetProperty().addListener((o, a, b) -> seen.add(b.doubleValue()));
        for (int i = 1; i <= 5; i++) {
            vm.setGlobalTarget(i / 10.0, true);
        }
        vm.setGlobalTarget(0.5, false);
        assertEquals(List.of(0.1, 0.2, 0.3, 0.4, 0.5), seen, "each value once, none written twice");
        assertEquals("0.500", vm.targetTextProperty().get());
        config.undo();
        assertEquals(0.0, vm.targetProperty().get());
        assertFalse(config.canUndoProperty().get());
    }

    @Test
    void targetsAreClampedAndTheGuidedAllocationNeedsAnAnalysis() {
        vm.setGlobalTarget(1.7);
        assertEquals(1.0, config.get().global().target());
        vm.setAllocation(Allocation.SENSITIVITY);
        assertEquals(Allocation.UNIFORM, config.get().global().allocation());
        assertEquals(1, errors.size());
        vm.setMethod("wanda");
        assertEquals(List.of("wanda"), gated, "a method change passes the gate (Wanda's calibration)");
        assertEquals("wanda", config.get().global().method());
        assertFalse(vm.setNmPattern("5:4"));
        assertEquals(1, errors.size(), "a malformed N:M pattern is reported inline, not as a dialog: " + errors);
        assertTrue(vm.nmProblemProperty().get().startsWith("'5:4' refused: "), vm.nmProblemProperty().get());
        assertTrue(vm.setNmPattern("1:4"));
        assertEquals("", vm.nmProblemProperty().get());
        assertFalse(vm.commitSeedText("x1"));
        assertTrue(vm.commitSeedText(" 42 "));
        assertEquals(42, config.get().global().seed());
    }
}
