package org.sparsitybench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The greedy allocation over sensitivity curves, on hand-made curves. */
class SensitivityAllocationTest {
    private static Sensitivity.Point p(double level, double loss) {
        return new Sensitivity.Point(level, 0, loss, 0);
    }

    @Test
    void cheapLayersArePrunedFirstAndLossesThatDipDoNotStallTheSearch() {
        var robust = new Sensitivity.LayerCurve("big", 900, List.of(p(0, 1.0), p(0.5, 0.98), p(0.9, 1.05)));
        var fragile = new Sensitivity.LayerCurve("small", 100, List.of(p(0, 1.0), p(0.5, 2.0), p(0.9, 4.0)));
        Map<String, Double> levels = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> Sensitivity.allocation(List.of(robust, fragile), 0.8));
        assertEquals(Map.of("big", 0.9, "small", 0.0), levels);
    }

    @Test
    void anUnreachableTargetStopsAtEveryLayersHighestLevel() {
        var a = new Sensitivity.LayerCurve("a", 10, List.of(p(0, 1), p(0.5, 2)));
        assertEquals(Map.of("a", 0.5), Sensitivity.allocation(List.of(a), 0.9));
    }

    private static Sensitivity.Point pa(double level, double accuracy, double loss) {
        return new Sensitivity.Point(level, accuracy, loss, 0);
    }

    @Test
    void anAccuracyBudgetStopsBeforeTheSummedDropsExceedIt() {
        var big = new Sensitivity.LayerCurve("big", 900,
                List.of(pa(0, 0.90, 1.0), pa(0.5, 0.899, 1.01), pa(0.9, 0.85, 1.5)));
        var small = new Sensitivity.LayerCurve("small", 100,
                List.of(pa(0, 0.90, 1.0), pa(0.5, 0.895, 1.05), pa(0.9, 0.70, 3.0)));
        assertEquals(Map.of("big", 0.5, "small", 0.5), Sensitivity.allocationForBudget(List.of(big, small), 0.01));
        assertEquals(Map.of("big", 0.0, "small", 0.0), Sensitivity.allocationForBudget(List.of(big, small), 0.0005));
        assertEquals(Map.of("big", 0.9, "small", 0.5), Sensitivity.allocationForBudget(List.of(big, small), 0.06));
    }
}
