package org.sparsitybench.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.FeatureNorms;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningMethods;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.prune.method.NmMethod;
import org.sparsitybench.prune.method.NmPattern;
import org.sparsitybench.prune.method.SparseGptMethod;
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
     * Methods a sweep runs: every registered method. Wanda and SparseGPT read validation data
     * ({@link Options#calibration()}); the N:M methods follow a level through the pattern nearest to it
     * ({@link #nmPattern(double)}).
     */
    public static final List<String> METHODS = PruningMethods.ids();

    /** Group size of the N:M pattern a sweep level is turned into. */
    public static final int NM_GROUP = 4;

    /**
     * Fine-tunes one pruned point with its masks fixed; the train room implements it (this room cannot train).
     */
    public interface PointRecovery {
        /** Epochs per point (at least 1). */
        int epochs();

        /**
         * The fine-tuned values of the tensors that changed, masks kept: every weight 0 in {@code values} stays 0.
         *
         * @param values the pruned model's values by tensor name (not modified)
         */
        Map<String, TensorUpdate> recover(Map<String, TensorData> values, CancellationToken cancel) throws Exception;
    }

    /**
     * What a sweep reads beyond the data it reports on.
     *
     * @param calibration        validation data: Wanda's activation norms and SparseGPT's layer inputs are captured
     *                           on its first {@code calibrationSamples}; null when no method needs it
     * @param calibrationSamples samples calibration reads
     * @param recovery           fine-tunes every point after its one-shot measurement and measures it again, or
     *                           null for one-shot points only
     */
    public record Options(PrunePipeline.Data calibration, int calibrationSamples, PointRecovery recovery) {
        /** One-shot points, no calibration. */
        public static final Options NONE = new Options(null, 128, null);
    }

    /**
     * @param latencyRuns timed runs per point (0 = no latency)
     * @param limit       samples evaluated per point
     */
    public static List<SweepPoint> run(Model model, ModelCard card, LabeledData data, List<String> methods,
                                       Allocation allocation, List<Double> levels, int latencyRuns, int limit,
                                       ProgressListener progress, CancellationToken cancel, Consumer<SweepPoint> onPoint)
            throws Exception {
        return run(new ConfigurationMeter(model, card, data), methods, allocation, levels, latencyRuns, limit,
                Options.NONE, progress, cancel, onPoint);
    }

    /**
     * As {@link #run(Model, ModelCard, LabeledData, List, Allocation, List, int, int, ProgressListener,
     * CancellationToken, Consumer)}, measuring every point through {@code meter}.
     */
    public static List<SweepPoint> run(ConfigurationMeter meter, List<String> methods, Allocation allocation,
                                       List<Double> levels, int latencyRuns, int limit, ProgressListener progress,
                                       CancellationToken cancel, Consumer<SweepPoint> onPoint) throws Exception {
        return run(meter, methods, allocation, levels, latencyRuns, limit, Options.NONE, progress, cancel, onPoint);
    }

    /**
     * Methods × levels through {@code meter}. Each point is pruned and measured (one-shot); with
     * {@link Options#recovery()} it is then fine-tuned and measured again, and both points go to {@code onPoint}
     * in that order. A cancelled sweep keeps every point handed over; a point whose recovery was cancelled is
     * dropped with it.
     *
     * @throws IllegalArgumentException naming a method that is not registered, or one that needs validation data
     *                                  when {@code options} has none
     */
    public static List<SweepPoint> run(ConfigurationMeter meter, List<String> methods, Allocation allocation,
                                       List<Double> levels, int latencyRuns, int limit, Options options,
                                       ProgressListener progress, CancellationToken cancel,
                                       Consumer<SweepPoint> onPoint) throws Exception {
        Model model = meter.model();
        check(methods, options);
        Map<String, FeatureNorms> norms = Map.of();
        if (methods.stream().anyMatch(WandaMethod::isWanda)) {
            progress.progress(0, "calibrating wanda on " + options.calibrationSamples() + " "
                    + options.calibration().split() + " samples");
            norms = ActivationNorms.capture(model, options.calibration().card(), options.calibration().data(),
                    options.calibrationSamples(), ProgressListener.NONE, cancel);
        }
        ScoreCache cache = new ScoreCache(false);
        PruningEngine engine = new PruningEngine(model, cache, null, norms);
        FlopCounter uses = FlopCounter.of(model);
        List<SweepPoint> points = new ArrayList<>();
        int total = methods.size() * levels.size();
        int done = 0;
        for (String method : methods) {
            Set<String> patterns = new HashSet<>();
            for (double level : levels) {
                cancel.throwIfCancelled();
                progress.progress((double) done++ / total, String.format(Locale.ROOT, "%s at %.0f%%", method,
                        100 * level));
                String pattern = null;
                if (isNm(method)) {
                    pattern = nmPattern(level);
                    if (!patterns.add(pattern)) {
                        continue; // levels that round to one pattern are one point
                    }
                }
                Point p = point(meter, engine, uses, method, allocation, level, pattern, latencyRuns, limit, options,
                        cancel);
                points.add(p.oneShot());
                onPoint.accept(p.oneShot());
                if (options.recovery() != null) {
                    progress.progress((double) (done - 1) / total, String.format(Locale.ROOT,
                            "%s at %.0f%%: recovering (%d epochs)", method, 100 * level, options.recovery().epochs()));
                    SweepPoint r = recovered(meter, p, latencyRuns, limit, options.recovery(), cancel);
                    points.add(r);
                    onPoint.accept(r);
                }
            }
        }
        progress.progress(1, "sweep done");
        return points;
    }

    /** Refuses methods that are not registered, or that need validation data {@code options} does not have. */
    private static void check(List<String> methods, Options options) {
        for (String m : methods) {
            if (!METHODS.contains(m)) {
                throw new IllegalArgumentException("method '" + m + "' cannot be swept; one of " + METHODS);
            }
            if (options.calibration() == null && (WandaMethod.isWanda(m) || Reconstruction.isSparseGpt(m))) {
                throw new IllegalArgumentException("method '" + m + "' calibrates on validation data, and this "
                        + "sweep has none (the model card names no training split to hold validation out of)");
            }
        }
    }

    private static boolean isNm(String method) {
        return method.equals(NmMethod.INSTANCE.id()) || method.equals(SparseGptMethod.NM_ID)
                || method.equals(WandaMethod.NM_ID);
    }

    /**
     * The N:M pattern a sweep level stands for: M = {@value #NM_GROUP}, N = round((1 − level)·M) kept of every M,
     * at least 1. Levels 0.5 → "2:4", 0.75 → "1:4", 0 → "4:4" (dense).
     */
    public static String nmPattern(double level) {
        long n = Math.max(1, Math.round((1 - level) * NM_GROUP));
        return n + ":" + NM_GROUP;
    }

    /** A one-shot point with the values it measured (what recovery starts from). */
    private record Point(SweepPoint oneShot, Map<String, TensorData> values) {
    }

    /** The one-shot point's masks fine-tuned, then measured as the one-shot point was. */
    private static SweepPoint recovered(ConfigurationMeter meter, Point p, int latencyRuns, int limit,
                                        PointRecovery recovery, CancellationToken cancel) throws Exception {
        Map<String, TensorUpdate> updates = recovery.recover(p.values(), cancel);
        cancel.throwIfCancelled(); // a recovery cut short is not the point the series promises
        Map<String, TensorData> values = new LinkedHashMap<>(p.values());
        updates.forEach((name, u) -> values.put(name, u.values()));
        ConfigurationMeter.Measurement m = measure(meter, values, limit, latencyRuns, cancel);
        SweepPoint o = p.oneShot();
        Evaluation ev = m.evaluation();
        return new SweepPoint(o.method(), o.allocation(), o.requested(), o.achieved(), ev.accuracy(), ev.top5(),
                ev.loss(), m.latencyMs(), Double.NaN, Double.NaN, o.params(), o.flops(), m.fileBytes(),
                SweepPoint.Spread.of(m.latency()), null, recovery.epochs());
    }

    /**
     * One method at one level: pruned (SparseGPT's layers and Wanda's mean compensation as
     * {@link PrunePipeline#recover} does them), measured, and for structured methods compacted and timed again.
     *
     * @param pattern the N:M pattern for the N:M methods, else null
     */
    private static Point point(ConfigurationMeter meter, PruningEngine engine, FlopCounter uses, String method,
                               Allocation allocation, double level, String pattern, int latencyRuns, int limit,
                               Options options, CancellationToken cancel) throws Exception {
        Model model = meter.model();
        boolean structured = PruningMethods.isStructured(method);
        // Structured methods take the level per channel group (uniform allocation, whole channels); N:M methods
        // take it from the pattern.
        double requested = pattern == null ? level : 1 - nmKeptShare(pattern);
        PruningConfig config = PruningConfig.of(new GlobalSettings(requested, method,
                structured ? Allocation.UNIFORM : allocation, pattern, 0, null));
        PruningResult r = engine.run(config, ProgressListener.NONE, cancel);
        Map<String, Mask> masks = r.masks();
        Map<String, TensorData> values = r.prunedValues(model);
        ConfigurationMeter written = meter;
        if (Reconstruction.isSparseGpt(method) || Reconstruction.compensatesMean(method)) {
            // As prune does it: SparseGPT's layers, Wanda's mean compensation kept where validation prefers it (with
            // the biases it creates, so the point is measured on that model).
            PrunePipeline.Pruned rec = PrunePipeline.recover(new PrunePipeline.Request(model, model.file(), method,
                    config, options.calibration(), options.calibrationSamples(), null, Set.of()),
                    new PrunePipeline.Pruned(model, model.file(), method, requested, r, null), ProgressListener.NONE,
                    cancel);
            masks = rec.masks();
            values = rec.values();
            if (rec.model() != model) {
                written = new ConfigurationMeter(rec.model(), meter.card(), meter.data());
            }
        }
        long selected = 0;
        long kept = 0;
        Map<String, Long> keptCounts = new HashMap<>();
        for (Map.Entry<String, Mask> e : masks.entrySet()) {
            selected += e.getValue().size();
            kept += e.getValue().keptCount();
            keptCounts.put(e.getKey(), e.getValue().keptCount());
        }
        ConfigurationMeter.Measurement measured = masks == r.masks()
                ? meter.measure(r, limit, latencyRuns, ProgressListener.NONE, cancel)
                : measure(written, values, limit, latencyRuns, cancel);
        Latency compact = latencyRuns > 0 && r.channels() != null ? compactLatency(meter, r, latencyRuns, cancel)
                : null;
        double compactLatency = compact == null ? Double.NaN : compact.medianMs();
        double kernel = Double.NaN;
        if (latencyRuns > 0 && !structured) {
            double dense = 0;
            double sparse = 0;
            for (SparseKernelBench.LayerSpeedup l : SparseKernelBench.perLayer(model, masks, 1, 5, 7)) {
                dense += l.batch1().denseMedianUs();
                sparse += l.batch1().sparseMedianUs();
            }
            kernel = sparse > 0 ? dense / sparse : Double.NaN;
        }
        Evaluation ev = measured.evaluation();
        return new Point(new SweepPoint(method, structured ? "per-group" : allocation.id(), requested,
                selected == 0 ? 0 : 1 - (double) kept / selected, ev.accuracy(), ev.top5(), ev.loss(),
                measured.latencyMs(), compactLatency, kernel, kept, uses.flops(keptCounts), measured.fileBytes(),
                SweepPoint.Spread.of(measured.latency()), SweepPoint.Spread.of(compact)), values);
    }

    /** Kept share N/M of an N:M pattern. */
    private static double nmKeptShare(String pattern) {
        int[] nm = NmPattern.parse(pattern);
        return (double) nm[0] / nm[1];
    }

    /** {@code values} written as an export writes them, evaluated and timed. */
    private static ConfigurationMeter.Measurement measure(ConfigurationMeter meter, Map<String, TensorData> values,
                                                          int limit, int latencyRuns, CancellationToken cancel)
            throws Exception {
        try (ConfigurationMeter.Pruned written = meter.open(values, cancel)) {
            return written.measure(limit, latencyRuns, ProgressListener.NONE, cancel);
        }
    }

    /**
     * The latency of the compacted model, planned as an export plans it; null when the graph cannot be
     * rewritten (the export would refuse it too).
     */
    private static Latency compactLatency(ConfigurationMeter meter, PruningResult r, int latencyRuns,
                                         CancellationToken cancel) throws Exception {
        PruneExportChannels.Plan plan;
        try {
            plan = PruneExportChannels.plan(meter.model(), r, r.prunedValues(meter.model()));
        } catch (UnsupportedModelException e) {
            return null;
        }
        try (ConfigurationMeter.Pruned compact = meter.open(PruneExportChannels.updates(plan.compaction()),
                plan.compaction().attributes(), cancel)) {
            return compact.latency(latencyRuns, cancel);
        }
    }
}
