package org.sparsitybench.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningMethods;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.prune.method.NmMethod;
import org.sparsitybench.prune.method.WandaMethod;
import org.sparsitybench.prune.stats.FlopCounter;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Methods × sparsity levels → measured points. Each point prunes, writes the model as an export would,
 * evaluates it on the data and times it (batch 1, one thread); structured methods are also compacted and timed
 * again. Points are handed to {@code onPoint} as they finish, so a cancelled sweep keeps what it measured.
 */
public final class Sweep {
    private Sweep() {
    }

    /**
     * Methods a sweep runs: every registered method that follows a sparsity level without data, so not {@code nm}
     * (its pattern fixes the level) nor Wanda (it needs calibration).
     */
    public static final List<String> METHODS = PruningMethods.ids().stream()
            .filter(id -> !id.equals(NmMethod.INSTANCE.id()) && !WandaMethod.isWanda(id)).toList();

    /**
     * @param latencyRuns timed runs per point (0 = no latency)
     * @param limit       samples evaluated per point
     */
    public static List<SweepPoint> run(Model model, ModelCard card, LabeledData data, List<String> methods,
                                       Allocation allocation, List<Double> levels, int latencyRuns, int limit,
                                       ProgressListener progress, CancellationToken cancel, Consumer<SweepPoint> onPoint)
            throws Exception {
        return run(new ConfigurationMeter(model, card, data), methods, allocation, levels, latencyRuns, limit, progress,
                cancel, onPoint);
    }

    /**
     * As {@link #run(Model, ModelCard, LabeledData, List, Allocation, List, int, int, ProgressListener,
     * CancellationToken, Consumer)}, measuring every point through {@code meter}.
     */
    public static List<SweepPoint> run(ConfigurationMeter meter, List<String> methods, Allocation allocation,
                                       List<Double> levels, int latencyRuns, int limit, ProgressListener progress,
                                       CancellationToken cancel, Consumer<SweepPoint> onPoint) throws Exception {
        Model model = meter.model();
        for (String m : methods) {
            if (!METHODS.contains(m)) {
                throw new IllegalArgumentException("method '" + m + "' cannot be swept; one of " + METHODS);
            }
        }
        ScoreCache cache = new ScoreCache(false);
        PruningEngine engine = new PruningEngine(model, cache, null);
        FlopCounter uses = FlopCounter.of(model);
        List<SweepPoint> points = new ArrayList<>();
        int total = methods.size() * levels.size();
        int done = 0;
        for (String method : methods) {
            for (double level : levels) {
                cancel.throwIfCancelled();
                progress.progress((double) done++ / total, String.format(Locale.ROOT, "%s at %.0f%%", method,
                        100 * level));
                SweepPoint p = point(meter, engine, uses, method, allocation, level, latencyRuns, limit, cancel);
                points.add(p);
                onPoint.accept(p);
            }
        }
        progress.progress(1, "sweep done");
        return points;
    }

    /** One method at one level: pruned, measured, and for structured methods compacted and timed again. */
    private static SweepPoint point(ConfigurationMeter meter, PruningEngine engine, FlopCounter uses, String method,
                                    Allocation allocation, double level, int latencyRuns, int limit,
                                    CancellationToken cancel) throws Exception {
        Model model = meter.model();
        boolean structured = PruningMethods.isStructured(method);
        // Structured methods take the level per channel group (uniform allocation, whole channels).
        PruningConfig config = PruningConfig.of(new GlobalSettings(level, method,
                structured ? Allocation.UNIFORM : allocation, null, 0, null));
        PruningResult r = engine.run(config, ProgressListener.NONE, cancel);
        long selected = 0;
        long kept = 0;
        Map<String, Long> keptCounts = new HashMap<>();
        for (Map.Entry<String, Mask> e : r.masks().entrySet()) {
            selected += e.getValue().size();
            kept += e.getValue().keptCount();
            keptCounts.put(e.getKey(), e.getValue().keptCount());
        }
        ConfigurationMeter.Measurement measured = meter.measure(r, limit, latencyRuns, ProgressListener.NONE, cancel);
        double compactLatency = latencyRuns > 0 && r.channels() != null ? compactLatency(meter, r, latencyRuns, cancel)
                : Double.NaN;
        double kernel = Double.NaN;
        if (latencyRuns > 0 && !structured) {
            double dense = 0;
            double sparse = 0;
            for (SparseKernelBench.LayerSpeedup l : SparseKernelBench.perLayer(model, r.masks(), 1, 5, 7)) {
                dense += l.batch1().denseMedianUs();
                sparse += l.batch1().sparseMedianUs();
            }
            kernel = sparse > 0 ? dense / sparse : Double.NaN;
        }
        Evaluation ev = measured.evaluation();
        return new SweepPoint(method, structured ? "per-group" : allocation.id(), level,
                selected == 0 ? 0 : 1 - (double) kept / selected, ev.accuracy(), ev.top5(), ev.loss(),
                measured.latencyMs(), compactLatency, kernel, kept, uses.flops(keptCounts), measured.fileBytes());
    }

    /**
     * The median latency of the compacted model, planned as an export plans it; NaN when the graph cannot be
     * rewritten (the export would refuse it too).
     */
    private static double compactLatency(ConfigurationMeter meter, PruningResult r, int latencyRuns,
                                         CancellationToken cancel) throws Exception {
        PruneExportChannels.Plan plan;
        try {
            plan = PruneExportChannels.plan(meter.model(), r, r.prunedValues(meter.model()));
        } catch (UnsupportedModelException e) {
            return Double.NaN;
        }
        try (ConfigurationMeter.Pruned compact = meter.open(PruneExportChannels.updates(plan.compaction()),
                plan.compaction().attributes(), cancel)) {
            return compact.latency(latencyRuns, cancel).medianMs();
        }
    }
}
