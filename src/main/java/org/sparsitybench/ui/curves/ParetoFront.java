package org.sparsitybench.ui.curves;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The accuracy/latency Pareto front: the points no other point beats, where higher accuracy and lower latency
 * are better, and latencies within noise of each other are ties. A point's latency is its noise band [p10, p90]
 * (the median alone when its spread is unknown); {@code q} is faster than {@code p} only when q's band ends below
 * p's ({@code q.p90 < p.p10}), and the two are tied when their bands overlap. Point {@code q} dominates {@code p}
 * when it is more accurate and not slower (faster or tied), or as accurate and faster. So among models whose
 * latencies are the same within noise (unstructured pruning leaves ONNX Runtime's time unchanged) only the most
 * accurate is on the front, and the front never steps through 0.0005 ms differences. Points missing either value
 * (NaN or infinite) take no part, nor do points at or below a floor (chance level: a model that guesses is never
 * crowned, however fast).
 */
public final class ParetoFront {
    private ParetoFront() {
    }

    /** {@link #of(List, double)} without an accuracy floor. */
    public static List<CurvePoint> of(List<CurvePoint> points) {
        return of(points, Double.NEGATIVE_INFINITY);
    }

    /**
     * The non-dominated points of {@code points} (not modified), by increasing median latency. Of points equal in
     * accuracy and tied in latency, the one with the lower median is kept (the first given when that is equal
     * too). O(n²): the noise bands make dominance non-transitive, so each point is checked against all others.
     *
     * @param minAccuracy points with accuracy at or below it take no part (chance level; -∞ for none)
     */
    public static List<CurvePoint> of(List<CurvePoint> points, double minAccuracy) {
        List<CurvePoint> measured = new ArrayList<>();
        for (CurvePoint p : points) {
            if (Double.isFinite(p.accuracy()) && Double.isFinite(p.latencyMs()) && p.accuracy() > minAccuracy) {
                measured.add(p);
            }
        }
        List<CurvePoint> front = new ArrayList<>();
        for (int i = 0; i < measured.size(); i++) {
            CurvePoint p = measured.get(i);
            boolean beaten = false;
            for (int j = 0; j < measured.size() && !beaten; j++) {
                if (j != i) {
                    beaten = beats(measured.get(j), j, p, i);
                }
            }
            if (!beaten) {
                front.add(p);
            }
        }
        // List.sort is stable: equal medians stay in the order given.
        front.sort(Comparator.comparingDouble(CurvePoint::latencyMs));
        return front;
    }

    /** Whether {@code a}'s latency band ends below {@code b}'s: faster beyond noise. */
    public static boolean faster(CurvePoint a, CurvePoint b) {
        return a.latencyHighMs() < b.latencyLowMs();
    }

    /** Whether the two latencies are within noise of each other: their bands overlap. */
    public static boolean tied(CurvePoint a, CurvePoint b) {
        return !faster(a, b) && !faster(b, a);
    }

    private static boolean beats(CurvePoint q, int qi, CurvePoint p, int pi) {
        if (q.accuracy() > p.accuracy()) {
            return !faster(p, q);
        }
        if (q.accuracy() < p.accuracy()) {
            return false;
        }
        if (faster(q, p)) {
            return true;
        }
        // Equal accuracy, tied latency: one of them stands for both.
        return tied(q, p) && (q.latencyMs() < p.latencyMs() || q.latencyMs() == p.latencyMs() && qi < pi);
    }
}
