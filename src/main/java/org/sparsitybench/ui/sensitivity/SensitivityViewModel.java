package org.sparsitybench.ui.sensitivity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.eval.SensitivityScore;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;

/**
 * Per-layer sensitivity without any toolkit: each layer's measured curve, the levels measured (union over
 * layers, ascending), and the accuracy drop of every layer × level cell against that layer's own lowest level
 * (level 0 = dense). The colour scale is symmetric around no change and never finer than one point, so noise on
 * a robust model stays pale. With an executor it also runs the analysis ({@link #analyze}).
 */
public final class SensitivityViewModel {
    /** The smallest drop painted in full red: one accuracy point. */
    public static final double MIN_SCALE = 0.01;

    private final List<Sensitivity.LayerCurve> curves = new ArrayList<>();
    private final List<Double> levels = new ArrayList<>();
    private final List<Runnable> listeners = new ArrayList<>();
    private final FxTaskExecutor executor;
    private final Consumer<String> errors;

    /** A view model that only shows curves it is given. */
    public SensitivityViewModel() {
        this(null, e -> { });
    }

    /**
     * @param executor runs {@link #analyze}
     * @param errors   hears a failure, phrased for a dialog
     */
    public SensitivityViewModel(FxTaskExecutor executor, Consumer<String> errors) {
        this.executor = executor;
        this.errors = errors;
    }

    /**
     * Prunes each layer of {@code on.model()} alone at every level and measures the accuracy on at most
     * {@code limit} samples of {@code on.data()} (the validation split: the analysis chooses), as a long task;
     * when it finishes the curves show and {@code then} hears them (unless
     * {@code on.model()} is no longer {@code current}'s by then).
     *
     * @return false when nothing can be measured (reported) or another long task runs
     */
    public boolean analyze(ModelUnderTest on, List<Double> levels, int limit,
                           java.util.function.Supplier<ModelUnderTest> current,
                           Consumer<List<Sensitivity.LayerCurve>> then) {
        if (!on.measurable()) {
            errors.accept("a sensitivity analysis needs a model with a model card and validation data");
            return false;
        }
        return executor.foreground("Sensitivity", (progress, cancel) -> Sensitivity.analyze(
                        on.model(), on.card(), on.data(), levels, limit, progress, cancel))
                .onSucceeded(curves -> {
                    if (current.get().model() == on.model()) {
                        setCurves(curves);
                        then.accept(curves);
                    }
                })
                .onFailed(e -> errors.accept(FxTaskExecutor.describe(e)))
                .start();
    }

    /** Each layer's accuracy lost at 50 % ({@link SensitivityScore#dropNearHalf}), in layer order. */
    public Map<String, Double> drops() {
        Map<String, Double> out = new LinkedHashMap<>();
        curves.forEach(c -> out.put(c.name(), SensitivityScore.dropNearHalf(c)));
        return out;
    }

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
