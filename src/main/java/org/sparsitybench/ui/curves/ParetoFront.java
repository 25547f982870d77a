package org.sparsitybench.ui.curves;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The accuracy/latency Pareto front: the points no other point beats, where higher accuracy and lower latency
 * are better. Point {@code q} dominates {@code p} when {@code q.accuracy ≥ p.accuracy} and {@code q.latency ≤
 * p.latency} with at least one strict. Points missing either value (NaN or infinite) take no part.
 */
public final class ParetoFront {
    private ParetoFront() {
    }

    /**
     * The non-dominated points of {@code points} (not modified), by increasing latency; of points with equal
     * accuracy and latency, the first is kept. O(n log n): sorted by latency (ties: higher accuracy first), a
     * point is on the front exactly when it is more accurate than every faster point before it.
     */
    public static List<CurvePoint> of(List<CurvePoint> points) {
        List<CurvePoint> measured = new ArrayList<>();
        for (CurvePoint p : points) {
            if (Double.isFinite(p.accuracy()) && Double.isFinite(p.latencyMs())) {
                measured.add(p);
            }
        }
        // List.sort is stable, so among equal points the first given stays first.
        measured.sort(Comparator.comparingDouble(CurvePoint::latencyMs)
                .thenComparing(Comparator.comparingDouble(CurvePoint::accuracy).reversed()));
        List<CurvePoint> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (CurvePoint p : measured) {
            if (p.accuracy() > best) {
                front.add(p);
                best = p.accuracy();
            }
        }
        return front;
    }
}
