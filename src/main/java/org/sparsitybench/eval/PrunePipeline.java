package org.sparsitybench.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.formats.onnx.OnnxBiases;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.FeatureNorms;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.LayerSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.prune.SensitivityAllocation;
import org.sparsitybench.prune.method.NmPattern;
import org.sparsitybench.prune.method.WandaMethod;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * The one way from a configuration to an exported model: calibration (Wanda's activation norms) → sensitivity
 * (when the allocation is sensitivity-guided) → the engine → the export request (compaction planned once, by
 * {@link PruneExportChannels}; channel groups, N:M counts and the engine's messages for the report). The command
 * line runs all of it ({@link #run}); the window, which calibrates and measures sensitivity interactively, hands
 * its engine result to {@link #exportRequest(Model, PruningResult, PruneExport.Options, CancellationToken)}.
 * Stateless.
 */
public final class PrunePipeline {
    private PrunePipeline() {
    }

    /**
     * The data a configuration is calibrated and measured on.
     *
     * @param card preprocessing and input shape
     * @param data    labelled samples (Wanda uses the first {@code calibrationSamples}; sensitivity up to
     *                {@link Sensitivity#DEFAULT_SAMPLES})
     * @param split   the split they are ({@link DataSplits#VALIDATION}; {@link DataSplits#TEST} only when a user
     *                chose to calibrate on test data, and then the report says so)
     * @param dataset where they come from, for the report
     */
    public record Data(ModelCard card, LabeledData data, String split, String dataset) {
        public Data {
            Objects.requireNonNull(card, "card");
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(split, "split");
            Objects.requireNonNull(dataset, "dataset");
        }

        /** Validation data read from {@code data.source()}. */
        public Data(ModelCard card, LabeledData data) {
            this(card, data, DataSplits.VALIDATION, String.valueOf(data.source()));
        }

        /** The data of {@code split} (what {@link DataSplits} or a command gave). */
        public Data(ModelCard card, DataSplits.Split split) {
            this(card, split.data(), split.name(), split.description());
        }
    }

    /**
     * What to prune.
     *
     * @param model              the opened model (not modified)
     * @param source             the model's path as the user gave it (the report's {@code model})
     * @param method             the method's name for the report and the file's metadata (e.g. {@code global})
     * @param config             the configuration to run
     * @param data               calibration and sensitivity data, or null when the configuration needs none
     * @param calibrationSamples samples Wanda's activation norms are captured on
     * @param accuracyBudget     with sensitivity allocation: prune as far as this accuracy drop allows instead of
     *                           to the target (null = to the target)
     * @param fixedLayers        layers whose setting the user gave explicitly, which an accuracy budget leaves alone
     * @param reconstruction     recovery without training after the engine ({@link #reconstruct}), or null (then
     *                           only {@code sparsegpt} layers are reconstructed, as their method asks)
     */
    public record Request(Model model, Path source, String method, PruningConfig config, Data data,
                          int calibrationSamples, Double accuracyBudget, Set<String> fixedLayers,
                          Reconstruction.Options reconstruction) {
        public Request {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(config, "config");
            fixedLayers = Set.copyOf(fixedLayers);
        }

        /** A request without reconstruction beyond what {@code sparsegpt} layers ask for. */
        public Request(Model model, Path source, String method, PruningConfig config, Data data, int calibrationSamples,
                       Double accuracyBudget, Set<String> fixedLayers) {
            this(model, source, method, config, data, calibrationSamples, accuracyBudget, fixedLayers, null);
        }
    }

    /**
     * An engine result with what the report says about how it was reached.
     *
     * @param model     the opened model (not modified)
     * @param source    the model's path as the user gave it
     * @param method    the method's name for the report
     * @param requested the requested global sparsity
     * @param result    the engine's result (its configuration is the one actually run)
     * @param extra     report fields the steps before the engine add (calibration and sensitivity samples,
     *                  layers Wanda could not calibrate, the accuracy budget); not modified here
     * @param reconstruction the reconstructed weights to write instead of the masked ones, or null
     * @param recovered tensors fine-tuned after pruning with the masks fixed (written over the masked or
     *                  reconstructed values, by name), or null
     */
    public record Pruned(Model model, Path source, String method, double requested, PruningResult result,
                         ObjectNode extra, Reconstruction.Result reconstruction, Map<String, TensorData> recovered) {
        public Pruned {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(result, "result");
            extra = extra == null ? new ObjectMapper().createObjectNode() : extra.deepCopy();
        }

        /** An engine result, perhaps reconstructed, not fine-tuned. */
        public Pruned(Model model, Path source, String method, double requested, PruningResult result, ObjectNode extra,
                      Reconstruction.Result reconstruction) {
            this(model, source, method, requested, result, extra, reconstruction, null);
        }

        /** An engine result without reconstruction. */
        public Pruned(Model model, Path source, String method, double requested, PruningResult result, ObjectNode extra) {
            this(model, source, method, requested, result, extra, null, null);
        }

        /** The masks to write: the engine's, or where SparseGPT chose its own, those. */
        public Map<String, Mask> masks() {
            return reconstruction != null ? reconstruction.masks() : result.masks();
        }

        /**
         * The values to write: the engine's masked views, or the reconstructed weights, biases and statistics; then
         * the recovered tensors over them.
         */
        public Map<String, TensorData> values() {
            Map<String, TensorData> v = reconstruction != null ? reconstruction.values() : result.prunedValues(model);
            if (recovered == null) {
                return v;
            }
            Map<String, TensorData> out = new LinkedHashMap<>(v);
            out.putAll(recovered);
            return out;
        }
    }

    /**
     * {@link #prune}, {@link #recover}, {@link #exportRequest(Pruned, PruneExport.Options, CancellationToken)}, then
     * writes it.
     */
    public static PruneExport.Report run(Request request, PruneExport.Options options, ProgressListener progress,
                                         CancellationToken cancel) throws Exception {
        long start = System.nanoTime();
        Pruned pruned = recover(request, prune(request, progress.range(0, 0.4), cancel), progress.range(0.4, 0.6), cancel);
        PruneExport.Request export = exportRequest(pruned, options, cancel);
        export.extra().putObject(PruneExport.TIMINGS).put("prune", PruneExport.millis(System.nanoTime() - start));
        return PruneExport.write(export, progress.range(0.6, 1), cancel);
    }

    /** Samples of the validation split Wanda's mean compensation is judged on (as many as sensitivity reads). */
    public static final int COMPENSATION_SAMPLES = Sensitivity.DEFAULT_SAMPLES;

    /**
     * What the request asks for after the engine: SparseGPT's layers, the reconstruction options, and Wanda's mean
     * compensation (biases created where a layer has none). Wanda's compensation is kept only when it scores higher
     * on the validation split (the first {@link #COMPENSATION_SAMPLES} samples of the request's data) than the same
     * masks without it, unless bias correction was asked for; the report's {@code wandaMeanCompensation} gives both
     * accuracies and the choice. Why a choice: moving {@code Σ W_ij·μ_j} into the bias is what makes the centred
     * score right, and it lifts digits-mlp at 70 % from 82 % to 93 %, but on fixtures/torch fashion-mlp at 2:4 the
     * compensated model loses 3 points on test (85.3 % without): the shifted pre-activation mean is not what the
     * ReLUs after it need there.
     *
     * @param pruned the engine's result for the request (not modified)
     */
    public static Pruned recover(Request request, Pruned pruned, ProgressListener progress, CancellationToken cancel)
            throws Exception {
        PruningConfig cfg = pruned.result().config();
        boolean wanda = usesMethod(request.model(), cfg, Reconstruction::compensatesMean);
        boolean asked = request.reconstruction() != null || usesMethod(request.model(), cfg, Reconstruction::isSparseGpt);
        if (!asked && !wanda) {
            return pruned;
        }
        requireData(request, "sparsegpt, reconstruction and wanda's mean compensation capture each layer's inputs");
        Reconstruction.Options o = request.reconstruction() != null ? request.reconstruction()
                : Reconstruction.Options.of(false, false, false);
        Pruned with = reconstruct(withCreatedBiases(pruned, o), request.data(), request.calibrationSamples(), o,
                progress.range(0, 0.5), cancel);
        if (!wanda || o.biasCorrection()) {
            return with;
        }
        Pruned without = asked ? reconstruct(pruned, request.data(), request.calibrationSamples(),
                o.withoutMeanCompensation(), progress.range(0.5, 0.8), cancel) : pruned;
        double accWith = validationAccuracy(with, request.data(), cancel);
        double accWithout = validationAccuracy(without, request.data(), cancel);
        progress.progress(1, "wanda's mean compensation judged on validation");
        Pruned chosen = accWith > accWithout ? with : without;
        ObjectNode extra = chosen.extra().deepCopy();
        ObjectNode c = extra.putObject("wandaMeanCompensation");
        c.put("applied", chosen == with);
        c.put("split", request.data().split());
        c.put("samples", Math.min(COMPENSATION_SAMPLES, request.data().data().count()));
        c.put("accuracyWith", accWith);
        c.put("accuracyWithout", accWithout);
        return new Pruned(chosen.model(), chosen.source(), chosen.method(), chosen.requested(), chosen.result(), extra,
                chosen.reconstruction(), chosen.recovered());
    }

    /** Accuracy of what {@code p} would write, on the first {@link #COMPENSATION_SAMPLES} samples of {@code data}. */
    private static double validationAccuracy(Pruned p, Data data, CancellationToken cancel) throws Exception {
        try (ConfigurationMeter.Pruned m = new ConfigurationMeter(p.model(), data.card(), data.data())
                .open(p.result(), p.values(), cancel)) {
            return m.evaluate(COMPENSATION_SAMPLES, ProgressListener.NONE, cancel).accuracy();
        }
    }

    /**
     * Recovery without training: SparseGPT's own masks and weights for {@code sparsegpt} layers, and per the
     * options least-squares reconstruction of the kept weights, bias correction and BatchNorm re-estimation, all
     * on the calibration samples ({@link Reconstruction#run}). The report gains {@code reconstruction}: the split
     * (validation: calibration chooses), the samples, and per layer the relative output error for the mask alone
     * and after, with the damping used.
     *
     * @param p       the engine's result (not modified)
     * @param data    calibration data: the validation split
     * @param samples calibration samples, the first ones of {@code data}
     */
    public static Pruned reconstruct(Pruned p, Data data, int samples, Reconstruction.Options options,
                                     ProgressListener progress, CancellationToken cancel) throws Exception {
        long t0 = System.nanoTime();
        Reconstruction.Result rec = Reconstruction.run(p.model(), data.card(), p.result(), p.result().prunedValues(p.model()),
                data.data(), samples, p.result().config().global().nmPattern(), options, progress, cancel);
        double seconds = (System.nanoTime() - t0) / 1e9;
        ObjectNode extra = p.extra().deepCopy();
        ObjectNode o = extra.putObject("reconstruction");
        o.put("calibrationSplit", data.split());
        o.put("calibrationDataset", data.dataset());
        o.put("calibrationSamples", rec.samples());
        o.put("seconds", Math.round(seconds * 1000) / 1000.0);
        o.put("reconstruct", options.reconstruct());
        o.put("biasCorrection", options.biasCorrection());
        o.put("recalibrateBn", options.recalibrateBn());
        o.putPOJO("batchNormsRecalibrated", rec.batchNorms());
        ArrayNode layers = o.putArray("layers");
        for (Reconstruction.LayerReport l : rec.layers()) {
            ObjectNode n = layers.addObject();
            n.put("name", l.name());
            n.put("mode", l.mode());
            n.put("pruned", l.pruned());
            putFinite(n, "relErrorMaskOnly", l.errorMaskOnly());
            putFinite(n, "relErrorAfter", l.errorAfter());
            n.put("errorAgainst", l.againstDense() ? "dense layer output" : "dense weights on the pruned model's inputs");
            putFinite(n, "percDamp", l.percDamp());
            if (l.bias() != null) {
                n.put("biasCorrected", l.bias());
            }
            if (l.note() != null) {
                n.put("note", l.note());
            }
        }
        return new Pruned(p.model(), p.source(), p.method(), p.requested(), p.result(), extra, rec);
    }

    /**
     * {@code p} on its model with a zero bias added to every layer bias correction (or Wanda's mean compensation)
     * will correct but that has none ({@link Reconstruction#missingBiases}, {@link OnnxBiases}); the report's
     * {@code biasesCreated} names them. Unchanged when every such layer has a bias.
     */
    static Pruned withCreatedBiases(Pruned p, Reconstruction.Options options) throws IOException {
        Map<String, Long> missing = Reconstruction.missingBiases(p.model(), p.result(), options);
        if (missing.isEmpty() || p.model().format() != ModelFormat.ONNX) {
            return p;
        }
        OnnxBiases.Created c = OnnxBiases.withZeroBiases(p.model(), missing);
        ObjectNode extra = p.extra().deepCopy();
        extra.putPOJO("biasesCreated", c.biases());
        return new Pruned(c.model(), p.source(), p.method(), p.requested(), p.result(), extra, p.reconstruction(),
                p.recovered());
    }

    private static void putFinite(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    /**
     * Calibration, sensitivity and the engine run. Layers Wanda cannot calibrate (no activation captured for them)
     * fall back to magnitude, and the report says which.
     *
     * @throws IllegalArgumentException when the configuration needs data (Wanda, sensitivity allocation) and none
     *                                  is given, or the model has no graph to run
     */
    public static Pruned prune(Request r, ProgressListener progress, CancellationToken cancel) throws Exception {
        Model m = r.model();
        PruningConfig cfg = r.config();
        ObjectNode extra = new ObjectMapper().createObjectNode();
        Map<String, FeatureNorms> norms = Map.of();
        if (usesMethod(m, cfg, WandaMethod::isWanda)) {
            requireData(r, "wanda captures activations");
            progress.progress(0, "calibrating on " + r.calibrationSamples() + " samples");
            norms = ActivationNorms.capture(m, r.data().card(), r.data().data(), r.calibrationSamples(),
                    ProgressListener.NONE, cancel);
            List<String> fallback = new ArrayList<>();
            for (WeightTensor t : m.prunableTensors()) {
                LayerSettings l = cfg.layer(t.name());
                if (WandaMethod.isWanda(methodOf(cfg, t.name())) && !l.excluded() && !norms.containsKey(t.name())) {
                    fallback.add(t.name());
                    cfg = cfg.withLayer(t.name(), new LayerSettings("magnitude", l.sparsity(), l.locked(), false));
                }
            }
            extra.put("calibrationSamples", r.calibrationSamples());
            if (!fallback.isEmpty()) {
                extra.putPOJO("wandaFallbackToMagnitude", fallback);
            }
        }
        SensitivityAllocation hook = null;
        if (cfg.global().allocation() == Allocation.SENSITIVITY) {
            requireData(r, "sensitivity allocation measures each layer");
            progress.progress(0.2, "measuring each layer's sensitivity");
            List<Sensitivity.LayerCurve> curves = Sensitivity.analyze(new ConfigurationMeter(m, r.data().card(),
                    r.data().data()), Sensitivity.DEFAULT_LEVELS, Sensitivity.DEFAULT_SAMPLES, ProgressListener.NONE,
                    cancel);
            hook = Sensitivity.hook(curves);
            extra.put("sensitivitySamples", Sensitivity.DEFAULT_SAMPLES);
            if (r.accuracyBudget() != null) {
                for (Map.Entry<String, Double> e : Sensitivity.allocationForBudget(curves, r.accuracyBudget()).entrySet()) {
                    if (!r.fixedLayers().contains(e.getKey())) {
                        cfg = cfg.withLayer(e.getKey(), LayerSettings.override(e.getValue()));
                    }
                }
                extra.put("accuracyBudget", r.accuracyBudget());
            }
        }
        if (usesMethod(m, r.config(), WandaMethod::isWanda) || hook != null) {
            // What chose the masks (calibration, sensitivity) says which split it read.
            extra.put("split", r.data().split());
            extra.put("dataset", r.data().dataset());
        }
        progress.progress(0.8, "pruning");
        PruningResult result = new PruningEngine(m, new ScoreCache(false), hook, norms).run(cfg, ProgressListener.NONE,
                cancel);
        progress.progress(1, "pruned");
        return new Pruned(m, r.source(), r.method(), cfg.global().target(), result, extra);
    }

    /**
     * The export request for a result the window computed: the method and target from its configuration, the
     * model's own path as the source.
     *
     * @throws org.sparsitybench.model.UnsupportedModelException naming the node when a channel group cannot be
     *         compacted, or saying why nothing can be removed
     */
    public static PruneExport.Request exportRequest(Model model, PruningResult result, PruneExport.Options options,
                                                    CancellationToken cancel) {
        return exportRequest(new Pruned(model, model.file(), result.config().global().method(),
                result.config().global().target(), result, null), options, cancel);
    }

    /**
     * The export request for an engine result: the pruned values as lazy views (the export streams them), the
     * excluded layers, and the report's extra fields: the steps' own, the engine's messages, the channel groups
     * (when the result has structured layers or compaction is asked for), the N:M pattern and its violations (when
     * a layer ran {@code nm}). With {@link PruneExport.Options#compact()} the compaction is planned here, once.
     *
     * @throws org.sparsitybench.model.UnsupportedModelException naming the node when a channel group cannot be
     *         compacted, or saying why nothing can be removed
     */
    public static PruneExport.Request exportRequest(Pruned p, PruneExport.Options options, CancellationToken cancel) {
        cancel.throwIfCancelled();
        Model m = p.model();
        PruningResult r = p.result();
        Map<String, TensorData> values = new LinkedHashMap<>(p.values());
        cancel.throwIfCancelled();
        Set<String> excluded = r.layers().stream().filter(l -> l.status() == LayerResult.Status.EXCLUDED)
                .map(LayerResult::name).collect(Collectors.toSet());
        ObjectNode extra = p.extra().deepCopy();
        if (!r.messages().isEmpty()) {
            extra.putPOJO("messages", r.messages());
        }
        PruneExportChannels.Plan plan = null;
        if (options.compact()) {
            plan = PruneExportChannels.plan(m, r, values);
            values.putAll(plan.values());
            extra.set("groups", plan.groups());
        } else if (r.channels() != null) {
            extra.set("groups", PruneExportChannels.groups(r));
        }
        nmCounts(m, r, extra);
        return new PruneExport.Request(m, p.source(), p.method(), p.requested(), r.config(), r.layers(), p.masks(),
                values, excluded, extra, plan == null ? null : plan.compaction(), options);
    }

    /** The methods whose masks follow the configuration's N:M pattern. */
    private static final Set<String> NM_METHODS = Set.of("nm", WandaMethod.NM_ID);

    /** {@code nmPattern} and {@code nmViolations} (groups of M with more than N kept) when a layer ran N:M. */
    private static void nmCounts(Model m, PruningResult r, ObjectNode extra) {
        boolean nm = r.layers().stream().anyMatch(l -> NM_METHODS.contains(l.method())
                && l.status() != LayerResult.Status.EXCLUDED);
        if (!nm) {
            return;
        }
        int[] nmm = NmPattern.parse(r.config().global().nmPattern());
        int violations = 0;
        for (LayerResult l : r.layers()) {
            if (NM_METHODS.contains(l.method()) && l.status() != LayerResult.Status.EXCLUDED) {
                Mask mask = r.masks().get(l.name());
                violations += NmPattern.violations(m.tensor(l.name()).orElseThrow(), mask, nmm[0], nmm[1]).size();
            }
        }
        extra.put("nmPattern", nmm[0] + ":" + nmm[1]);
        extra.put("nmViolations", violations);
    }

    private static boolean usesMethod(Model m, PruningConfig cfg, java.util.function.Predicate<String> id) {
        return m.prunableTensors().stream().anyMatch(t -> !cfg.layer(t.name()).excluded()
                && id.test(methodOf(cfg, t.name())));
    }

    private static String methodOf(PruningConfig cfg, String tensor) {
        String id = cfg.layer(tensor).method();
        return id != null ? id : cfg.global().method();
    }

    private static void requireData(Request r, String why) {
        if (r.data() == null || r.model().format() != ModelFormat.ONNX) {
            throw new IllegalArgumentException(r.source() + ": " + why + " on data: it needs an ONNX model and a "
                    + "dataset");
        }
    }
}
