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
}
