package org.sparsitybench.ui.sensitivity;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.sparsitybench.eval.Sensitivity;

/**
 * Per-layer sensitivity without any toolkit: each layer's measured curve, the levels measured (union over
 * layers, ascending), and the accuracy drop of every layer × level cell against that layer's own lowest level
 * (level 0 = dense). The colour scale is symmetric around no change and never finer than one point, so noise on
 * a robust model stays pale.
 */
public final class SensitivityViewModel {
    /** The smallest drop painted in full red: one accuracy point. */
    public static final double MIN_SCALE = 0.01;

    private final List<Sensitivity.LayerCurve> curves = new ArrayList<>();
    private final List<Double> levels = new ArrayList<>();
    private final List<Runnable> listeners = new ArrayList<>();

    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    /** Replaces the curves (as {@link Sensitivity#analyze} returns them). */
    public void setCurves(List<Sensitivity.LayerCurve> next) {
        curves.clear();
        curves.addAll(next);
        TreeSet<Double> all = new TreeSet<>();
        next.forEach(c -> c.points().forEach(p -> all.add(p.level())));
        levels.clear();
        levels.addAll(all);
        for (Runnable r : List.copyOf(listeners)) {
            r.run();
        }
    }

    public List<Sensitivity.LayerCurve> curves() {
        return List.copyOf(curves);
    }

    public List<String> layers() {
        return curves.stream().map(Sensitivity.LayerCurve::name).toList();
    }

    /** Levels measured on any layer, ascending. */
    public List<Double> levels() {
        return List.copyOf(levels);
    }

    /** Accuracy of the layer's lowest measured level (its own baseline); NaN for an empty curve. */
    public double baseline(int layer) {
        List<Sensitivity.Point> ps = curves.get(layer).points();
        return ps.stream().min((a, b) -> Double.compare(a.level(), b.level())).map(Sensitivity.Point::accuracy)
                .orElse(Double.NaN);
    }

    /** Baseline accuracy minus the accuracy at {@code level}; NaN when that level was not measured. */
    public double drop(int layer, int level) {
        double at = levels.get(level);
        for (Sensitivity.Point p : curves.get(layer).points()) {
            if (p.level() == at) {
                return baseline(layer) - p.accuracy();
            }
        }
        return Double.NaN;
    }

    /** The drop painted deepest: the largest |drop| measured, at least {@link #MIN_SCALE}. */
    public double scale() {
        double max = MIN_SCALE;
        for (int l = 0; l < curves.size(); l++) {
            for (int v = 0; v < levels.size(); v++) {
                double d = drop(l, v);
                if (Double.isFinite(d)) {
                    max = Math.max(max, Math.abs(d));
                }
            }
        }
        return max;
    }

    /** The cell's colour as packed RGB. */
    public int color(int layer, int level) {
        return DropColors.rgb(drop(layer, level), scale());
    }
}
