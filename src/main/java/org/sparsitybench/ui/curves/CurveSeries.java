package org.sparsitybench.ui.curves;

import java.util.List;
import java.util.Objects;

/**
 * A named series of the curves: one sweep (method / allocation) or one saved snapshot.
 *
 * @param name   legend text, unique among the plotted series
 * @param points in the order they were measured
 */
public record CurveSeries(String name, List<CurvePoint> points) {
    public CurveSeries {
        Objects.requireNonNull(name, "name");
        points = List.copyOf(points);
    }
}
