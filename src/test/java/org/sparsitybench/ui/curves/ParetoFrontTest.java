package org.sparsitybench.ui.curves;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The accuracy/latency front: higher accuracy and lower latency win; unmeasured points take no part. */
class ParetoFrontTest {
    private static CurvePoint p(double accuracy, double latency) {
        return new CurvePoint(0.5, accuracy, 0.3, latency);
    }

    @Test
    void dominatedPointsAreLeftOutAndTheFrontRunsByLatency() {
        CurvePoint fastPoor = p(0.60, 1.0);
        CurvePoint middle = p(0.80, 2.0);
        CurvePoint slowBest = p(0.90, 4.0);
        CurvePoint dominated = p(0.70, 3.0); // slower than middle and less accurate
        CurvePoint slowWorse = p(0.50, 5.0);
        assertEquals(List.of(fastPoor, middle, slowBest), ParetoFront.of(List.of(slowWorse, slowBest, dominated, middle, fastPoor)));
    }

    @Test
    void ofTwoPointsAtTheSameLatencyOnlyTheMoreAccurateIsOnTheFront() {
        CurvePoint better = p(0.9, 2.0);
        assertEquals(List.of(better), ParetoFront.of(List.of(p(0.8, 2.0), better)));
    }

    @Test
    void ofTwoPointsWithTheSameAccuracyOnlyTheFasterIsOnTheFront() {
        CurvePoint faster = p(0.9, 1.0);
        assertEquals(List.of(faster), ParetoFront.of(List.of(p(0.9, 2.0), faster)));
    }

    @Test
    void identicalPointsAppearOnceAsTheFirstGiven() {
        CurvePoint first = p(0.9, 1.0);
        CurvePoint second = p(0.9, 1.0);
        List<CurvePoint> front = ParetoFront.of(List.of(first, second));
        assertEquals(1, front.size());
        assertSame(first, front.get(0));
    }

    @Test
    void pointsWithoutLatencyOrAccuracyTakeNoPart() {
        CurvePoint measured = p(0.5, 3.0);
        // Unmeasured, these would dominate everything.
        List<CurvePoint> all = List.of(p(0.99, Double.NaN), p(Double.NaN, 0.1), p(0.99, Double.POSITIVE_INFINITY), measured);
        assertEquals(List.of(measured), ParetoFront.of(all));
        assertEquals(List.of(), ParetoFront.of(List.of(p(0.9, Double.NaN))));
    }

    private static CurvePoint timed(double accuracy, double median, double p10, double p90) {
        return new CurvePoint(0.5, accuracy, 0.3, median, p10, p90);
    }

    @Test
    void latenciesWithinEachOthersNoiseAreTiesSoOnlyTheMostAccurateOfThemIsOnTheFront() {
        // Issue 18: identical-cost models at 0.018 and 0.0265 ms medians whose p10–p90 bands overlap.
        CurvePoint dense = timed(0.90, 0.0265, 0.017, 0.034);
        CurvePoint pruned = timed(0.85, 0.0180, 0.016, 0.030);
        CurvePoint pruned2 = timed(0.80, 0.0175, 0.015, 0.029);
        assertEquals(List.of(dense), ParetoFront.of(List.of(pruned, dense, pruned2)),
                "no front through noise: the faster medians are ties, and less accurate");
        assertEquals(true, ParetoFront.tied(dense, pruned));
    }

    @Test
    void aPointFasterBeyondNoiseStaysOnTheFront() {
        CurvePoint dense = timed(0.90, 0.030, 0.028, 0.033);
        CurvePoint compact = timed(0.85, 0.012, 0.011, 0.014); // its p90 ends below dense's p10
        assertEquals(List.of(compact, dense), ParetoFront.of(List.of(dense, compact)));
    }

    @Test
    void chanceLevelModelsAreNeverCrownedHoweverFast() {
        CurvePoint good = timed(0.90, 0.030, 0.028, 0.033);
        CurvePoint guessing = timed(0.11, 0.001, 0.0009, 0.0011);
        assertEquals(List.of(guessing, good), ParetoFront.of(List.of(good, guessing)));
        assertEquals(List.of(good), ParetoFront.of(List.of(good, guessing), 0.1 + CurvesViewModel.CHANCE_MARGIN));
        CurvesViewModel vm = new CurvesViewModel();
        vm.setSeries(List.of(new CurveSeries("random / uniform", List.of(good, guessing))));
        vm.setClasses(10);
        assertEquals(List.of(good), vm.paretoFront());
    }
}
