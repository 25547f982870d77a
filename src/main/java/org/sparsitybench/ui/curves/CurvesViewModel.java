package org.sparsitybench.ui.curves;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.project.Project;

/**
 * What the curves show, without any toolkit: the named series (sweeps and snapshots), which of them the user
 * hid through the legend, and the current configuration as one highlighted point. The Pareto front is computed
 * over the visible series. Listeners hear every change; the view redraws from {@link #visibleSeries()}.
 */
public final class CurvesViewModel {
    /** Legend name of the current configuration's point. */
    public static final String CURRENT = "current configuration";

    private final List<CurveSeries> series = new ArrayList<>();
    private final Set<String> hidden = new LinkedHashSet<>();
    private final List<Runnable> listeners = new ArrayList<>();
    private CurvePoint current;
    private double chance = Double.NEGATIVE_INFINITY;

    /** Calls {@code listener} after every change. */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    private void changed() {
        for (Runnable r : List.copyOf(listeners)) {
            r.run();
        }
    }

    /**
     * Replaces the series. Names must be unique; a hidden name that is still present stays hidden.
     *
     * @throws IllegalArgumentException naming a repeated series
     */
    public void setSeries(Collection<CurveSeries> next) {
        Set<String> names = new LinkedHashSet<>();
        for (CurveSeries s : next) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("two series named '" + s.name() + "'");
            }
        }
        series.clear();
        series.addAll(next);
        hidden.retainAll(names);
        changed();
    }

    /** All series, in the order given. */
    public List<CurveSeries> series() {
        return List.copyOf(series);
    }

    /** The series not hidden, in the order given. */
    public List<CurveSeries> visibleSeries() {
        return series.stream().filter(s -> !hidden.contains(s.name())).toList();
    }

    /** The current configuration's measured point; null for none. */
    public CurvePoint current() {
        return current;
    }

    public void setCurrent(CurvePoint point) {
        current = point;
        changed();
    }

    public boolean isVisible(String name) {
        return !hidden.contains(name);
    }

    /** Hides a shown series or shows a hidden one (a click on its legend item). Unknown names are ignored. */
    public void toggle(String name) {
        if (series.stream().noneMatch(s -> s.name().equals(name))) {
            return;
        }
        if (!hidden.remove(name)) {
            hidden.add(name);
        }
        changed();
    }

    /**
     * The accuracy/latency Pareto front over the visible series and the current point, latencies within noise tied,
     * points within {@link #CHANCE_MARGIN} of chance level left out ({@link ParetoFront}).
     */
    public List<CurvePoint> paretoFront() {
        List<CurvePoint> all = new ArrayList<>();
        visibleSeries().forEach(s -> all.addAll(s.points()));
        if (current != null) {
            all.add(current);
        }
        return ParetoFront.of(all, chance + CHANCE_MARGIN);
    }

    /** Accuracy within this of chance level counts as guessing: never on the front. */
    public static final double CHANCE_MARGIN = 0.05;

    /** Chance-level accuracy (1 / classes), or -∞ when the number of classes is unknown. */
    public double chance() {
        return chance;
    }

    /** Sets chance level from the number of classes (0 or less: unknown). */
    public void setClasses(int classes) {
        chance = classes > 0 ? 1.0 / classes : Double.NEGATIVE_INFINITY;
        changed();
    }

    /**
     * One series per swept method and allocation ("magnitude / uniform"; recovered points apart as
     * "magnitude + recovery (3 ep) / uniform"), points in the order measured. A
     * structured point's latency is that of its compacted model when it was measured: what a deployment runs.
     */
    public static List<CurveSeries> fromSweep(List<SweepPoint> points) {
        return fromSweep(points, p -> "");
    }

    /**
     * As {@link #fromSweep(List)}, one series per run as well when the points come from more than one run
     * ("run 2 · magnitude / uniform"), so two sweeps never join into one line through repeated x values.
     *
     * @param run the run id of a point (any text; equal text is one run)
     */
    public static List<CurveSeries> fromSweep(List<SweepPoint> points, java.util.function.Function<SweepPoint, String> run) {
        boolean several = points.stream().map(run).distinct().count() > 1;
        Map<String, List<CurvePoint>> byName = new LinkedHashMap<>();
        for (SweepPoint p : points) {
            String prefix = several ? run.apply(p) + " · " : "";
            byName.computeIfAbsent(prefix + p.series() + " / " + p.allocation(), k -> new ArrayList<>())
                    .add(point(p));
        }
        List<CurveSeries> out = new ArrayList<>();
        byName.forEach((name, list) -> out.add(new CurveSeries(name, list)));
        return out;
    }

    /**
     * {@code p} as the curves plot it: the compacted model's latency and spread when it was measured (what a
     * deployment runs), else the pruned model's.
     */
    static CurvePoint point(SweepPoint p) {
        boolean compact = Double.isFinite(p.compactLatencyMs());
        SweepPoint.Spread spread = compact ? p.compactSpread() : p.latencySpread();
        return new CurvePoint(p.achieved(), p.accuracy(), p.loss(), compact ? p.compactLatencyMs() : p.latencyMs(),
                spread == null ? Double.NaN : spread.p10Ms(), spread == null ? Double.NaN : spread.p90Ms());
    }

    /**
     * One single-point series per snapshot, named after it ("snapshot: NAME"; a repeated name gets " (2)", ...).
     * Accuracy, loss or latency not measured (older project files, a snapshot taken before its evaluation
     * finished) is NaN.
     */
    public static List<CurveSeries> fromSnapshots(List<Project.Snapshot> snapshots) {
        List<CurveSeries> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (Project.Snapshot s : snapshots) {
            String name = "snapshot: " + s.name();
            for (int i = 2; !names.add(name); i++) {
                name = "snapshot: " + s.name() + " (" + i + ")";
            }
            out.add(new CurveSeries(name, List.of(new CurvePoint(s.achieved(),
                    s.accuracy() == null ? Double.NaN : s.accuracy(), s.loss() == null ? Double.NaN : s.loss(),
                    s.latencyMs() == null ? Double.NaN : s.latencyMs(),
                    s.hasLatencySpread() ? s.latencyP10Ms() : Double.NaN,
                    s.hasLatencySpread() ? s.latencyP90Ms() : Double.NaN))));
        }
        return out;
    }
}
