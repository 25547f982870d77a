package org.sparsitybench.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.LayerSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.prune.SensitivityAllocation;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Per-layer sensitivity (Distiller/Sparsify style): each prunable layer pruned alone by magnitude at each level,
 * the rest dense, measured on data; plus a data-free estimate (the share of the layer's L2 energy each level
 * removes). {@link #allocation} turns the table into per-layer levels for a global target: greedily, the next
 * step goes to the layer whose loss grows least per removed parameter.
 */
public final class Sensitivity {
    private Sensitivity() {
    }

    /** One layer at one level. */
    public record Point(double level, double accuracy, double loss, double energyRemoved) {
    }

    /** One layer's curve. */
    public record LayerCurve(String name, long params, List<Point> points) {
    }

    /**
     * Levels every sensitivity analysis measures unless told otherwise (the window, {@code sensitivity},
     * {@code prune --allocation sensitivity}, {@code render}), so that the same configuration gives the same
     * sensitivity-guided masks wherever it is pruned.
     */
    public static final List<Double> DEFAULT_LEVELS = List.of(0.0, 0.25, 0.5, 0.7, 0.8, 0.9, 0.95);
    /** Samples each point of a sensitivity analysis evaluates unless told otherwise (see {@link #DEFAULT_LEVELS}). */
    public static final int DEFAULT_SAMPLES = 2000;

    /** As {@link #analyze(ConfigurationMeter, List, int, ProgressListener, CancellationToken)} on a new meter. */
    public static List<LayerCurve> analyze(Model model, ModelCard card, LabeledData data, List<Double> levels,
                                           int limit, ProgressListener progress, CancellationToken cancel)
            throws Exception {
        return analyze(new ConfigurationMeter(model, card, data), levels, limit, progress, cancel);
    }

    /**
     * Prunes each prunable layer alone by magnitude at each level (the others dense) and measures accuracy and loss
     * on at most {@code limit} samples; progress once per point.
     *
     * @param levels levels in increasing order (not modified)
     */
    public static List<LayerCurve> analyze(ConfigurationMeter meter, List<Double> levels, int limit,
                                           ProgressListener progress, CancellationToken cancel) throws Exception {
        Model model = meter.model();
        PruningEngine engine = new PruningEngine(model, new ScoreCache(false), null);
        List<WeightTensor> layers = model.prunableTensors();
        List<LayerCurve> out = new ArrayList<>();
        int total = layers.size() * levels.size();
        int done = 0;
        for (WeightTensor layer : layers) {
            List<Point> points = new ArrayList<>();
            for (double level : levels) {
                cancel.throwIfCancelled();
                progress.progress((double) done++ / total, String.format(Locale.ROOT, "%s at %.0f%%", layer.name(),
                        100 * level));
                PruningConfig config = PruningConfig.of(GlobalSettings.of(0, "magnitude", Allocation.UNIFORM));
                for (WeightTensor other : layers) {
                    config = config.withLayer(other.name(), other == layer ? LayerSettings.override(level)
                            : LayerSettings.excludedLayer());
                }
                PruningResult r = engine.run(config, ProgressListener.NONE, cancel);
                double energy = r.layers().stream().filter(l -> l.name().equals(layer.name()))
                        .mapToDouble(LayerResult::energyRetained).findFirst().orElse(1);
                Evaluation e = meter.measure(r, limit, 0, ProgressListener.NONE, cancel).evaluation();
                points.add(new Point(level, e.accuracy(), e.loss(), 1 - energy));
            }
            out.add(new LayerCurve(layer.name(), layer.elementCount(), points));
        }
        progress.progress(1, "sensitivity done");
        return out;
    }

    /**
     * Per-layer levels for a global target from measured curves: start every layer at level 0 and repeatedly move
     * the layer whose next level costs the least loss increase per extra pruned parameter, until the pruned total
     * reaches {@code target} of all parameters. The engine scales the result to the exact count.
     */
    public static Map<String, Double> allocation(List<LayerCurve> curves, double target) {
        Map<String, Integer> step = new HashMap<>();
        long total = 0;
        for (LayerCurve c : curves) {
            step.put(c.name(), -1);
            total += c.params();
        }
        double goal = target * total;
        double pruned = 0;
        while (pruned < goal) {
            LayerCurve best = null;
            double bestCost = Double.POSITIVE_INFINITY;
            for (LayerCurve c : curves) {
                int s = step.get(c.name());
                if (s + 1 >= c.points().size()) {
                    continue;
                }
                double lossNow = s < 0 ? baseLoss(c) : c.points().get(s).loss();
                double levelNow = s < 0 ? 0 : c.points().get(s).level();
                Point next = c.points().get(s + 1);
                double extra = (next.level() - levelNow) * c.params();
                // A step that prunes nothing more is free; a step that lowers the loss costs less than nothing.
                double cost = extra <= 0 ? Double.NEGATIVE_INFINITY : (next.loss() - lossNow) / extra;
                if (best == null || cost < bestCost) {
                    bestCost = cost;
                    best = c;
                }
            }
            if (best == null) {
                break; // every layer at its highest measured level
            }
            int s = step.get(best.name());
            double before = s < 0 ? 0 : best.points().get(s).level();
            step.put(best.name(), s + 1);
            pruned += Math.max(0, best.points().get(s + 1).level() - before) * best.params();
        }
        Map<String, Double> levels = new HashMap<>();
        for (LayerCurve c : curves) {
            int s = step.get(c.name());
            levels.put(c.name(), s < 0 ? 0.0 : c.points().get(s).level());
        }
        return levels;
    }

    /**
     * Per-layer levels for an accuracy-drop budget instead of a sparsity target: the same greedy order (least
     * loss increase per removed parameter), taking steps while the sum of the layers' measured accuracy drops
     * (each layer alone, relative to its lowest level) stays within {@code maxDrop} (e.g. 0.01 = one point).
     * Summing single-layer drops is an estimate; measure the result.
     */
    public static Map<String, Double> allocationForBudget(List<LayerCurve> curves, double maxDrop) {
        Map<String, Integer> step = new HashMap<>();
        curves.forEach(c -> step.put(c.name(), 0));
        double drop = 0;
        while (true) {
            LayerCurve best = null;
            double bestCost = Double.POSITIVE_INFINITY;
            double bestDrop = 0;
            for (LayerCurve c : curves) {
                int s = step.get(c.name());
                if (s + 1 >= c.points().size()) {
                    continue;
                }
                Point now = c.points().get(s);
                Point next = c.points().get(s + 1);
                double extra = (next.level() - now.level()) * c.params();
                double addDrop = (now.accuracy() - next.accuracy());
                if (drop + addDrop > maxDrop) {
                    continue;
                }
                double cost = extra <= 0 ? Double.NEGATIVE_INFINITY : (next.loss() - now.loss()) / extra;
                if (best == null || cost < bestCost) {
                    best = c;
                    bestCost = cost;
                    bestDrop = addDrop;
                }
            }
            if (best == null) {
                break;
            }
            step.put(best.name(), step.get(best.name()) + 1);
            drop += bestDrop;
        }
        Map<String, Double> levels = new HashMap<>();
        for (LayerCurve c : curves) {
            levels.put(c.name(), c.points().isEmpty() ? 0.0 : c.points().get(step.get(c.name())).level());
        }
        return levels;
    }

    private static double baseLoss(LayerCurve c) {
        return c.points().isEmpty() ? 0 : c.points().get(0).loss(); // the lowest level measured (0 = dense)
    }

    /** The engine hook: the greedy levels as the shape of the {@code sensitivity} allocation. */
    public static SensitivityAllocation hook(List<LayerCurve> curves) {
        return (free, freeTarget) -> allocation(curves.stream()
                .filter(c -> free.stream().anyMatch(t -> t.name().equals(c.name()))).toList(), freeTarget);
    }
}
