package org.sparsitybench.quantize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.sparsitybench.eval.CompressedSize;
import org.sparsitybench.eval.Evaluation;
import org.sparsitybench.eval.Evaluator;
import org.sparsitybench.eval.Latency;
import org.sparsitybench.eval.LatencyMeter;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * The one way from a quantization request to a written model and its report: calibration and quantization
 * ({@link Quantizer}) → the model file → measurements (validation accuracy before and after; with a test set,
 * test accuracy and latency; optionally per-layer sensitivity and a sparsity × precision sweep) → {@code
 * OUT.report.json}. The command line parses options into a {@link Request} and prints the {@link Result}.
 * Stateless.
 */
public final class QuantizePipeline {
    /** Batch sizes latency is reported at. */
    public static final int[] LATENCY_BATCHES = {1, 32};

    private QuantizePipeline() {
    }

    /**
     * What to quantize and measure.
     *
     * @param model              the .onnx model (not modified)
     * @param out                the quantized model's path (must not exist as {@code model}); the report goes
     *                           beside it as {@code OUT.report.json}
     * @param validation         validation data: calibration samples and validation accuracy, with its split
     * @param test               test data for reported accuracy and latency, or null
     * @param preprocess         a model card to use instead of the one beside the model, or null
     * @param config             the quantization configuration
     * @param rangeLabel         the range method as the user spelled it (the report's {@code calibration.range})
     * @param percentilePercent  the percentile in percent, as the user gave it (the report's value)
     * @param limit              validation samples evaluated before and after
     * @param sensitivitySamples validation samples per layer for the sensitivity analysis, or 0 to skip it
     * @param sweep              sparsity levels in [0, 1) for the sparsity × precision sweep (empty = none)
     * @param latencyRuns        timed runs per latency figure with a test set, 0 to skip
     */
    public record Request(Path model, Path out, DataSplits.Split validation, Path test, Path preprocess, QuantizationConfig config,
                          String rangeLabel, double percentilePercent, int limit, int sensitivitySamples,
                          List<Double> sweep, int latencyRuns) {
        public Request {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(validation, "validation");
            Objects.requireNonNull(config, "config");
            sweep = List.copyOf(sweep);
        }
    }

    /** Accuracy of the float and the quantized model on {@code samples} samples of one split. */
    public record Accuracy(double before, double after, int samples) {
    }

    /** One latency figure of the float ({@code before}) and quantized ({@code after}) model. */
    public record LatencyPair(Latency before, Latency after) {
        /** before / after median: above 1 the quantized model is faster. */
        public double speedup() {
            return before.medianMs() / after.medianMs();
        }
    }

    /**
     * Figures on the test set (reported only).
     *
     * @param latency empty when latency was skipped
     * @param notes   where the quantized model is not faster
     */
    public record TestFigures(Accuracy accuracy, List<LatencyPair> latency, List<String> notes) {
    }

    /**
     * What was written and measured.
     *
     * @param sensitivity empty unless requested
     * @param sweep       empty unless requested; measured on the test set when given, else on validation
     * @param front       the sweep's Pareto front (a subset of {@code sweep})
     * @param test        null without a test set
     */
    public record Result(Path out, Path report, QdqRewriter.Result rewrite, double bitsPerWeight,
                         long fileBytesBefore, long fileBytesAfter, long compressedBefore, long compressedAfter,
                         Accuracy validation, TestFigures test, List<QuantSensitivity.Entry> sensitivity,
                         List<PrecisionSweep.Point> sweep, List<PrecisionSweep.Point> front) {
        /** Layers stored below 32 bits. */
        public long layersQuantized() {
            return rewrite.layers().stream().filter(l -> l.bits() < 32).count();
        }
    }

    /** The configuration does not fit the model (e.g. a --layer name it does not have). */
    public static final class InvalidRequest extends RuntimeException {
        InvalidRequest(IllegalArgumentException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * Quantizes, writes {@code out} and its report atomically, and measures.
     *
     * @throws InvalidRequest            when the configuration does not fit the model
     * @throws UnsupportedModelException when the model is not ONNX
     */
    public static Result run(Request r, ProgressListener progress, CancellationToken cancel) throws Exception {
        AtomicFiles.refuseOverwrite(r.model(), r.out());
        Model m = ModelFiles.read(r.model());
        if (m.format() != ModelFormat.ONNX) {
            throw new UnsupportedModelException(r.model() + ": quantize rewrites an ONNX graph; " + m.format().id()
                    + " holds weights only");
        }
        ModelCard card = ModelCard.forModel(r.model(), r.preprocess());
        LabeledData validation = r.validation().data();
        Quantizer.Outcome o;
        try {
            o = Quantizer.quantize(m, card, validation, r.config(), progress, cancel);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest(e);
        }
        Quantizer.write(o, r.model(), r.out());

        long elements = 0;
        double storedBits = 0;
        for (QdqRewriter.LayerReport l : o.result().layers()) {
            elements += l.elements();
            storedBits += (double) l.bits() * l.elements();
        }
        Accuracy val = accuracy(r.model(), o.bytes(), card, validation, r.limit());
        List<QuantSensitivity.Entry> sens = r.sensitivitySamples() > 0
                ? QuantSensitivity.analyze(m, card, validation, r.config(), o.params(), r.sensitivitySamples(),
                        progress, cancel)
                : List.of();
        TestFigures test = r.test() == null ? null : test(r, card, o.bytes());
        List<PrecisionSweep.Point> points = List.of();
        if (!r.sweep().isEmpty()) {
            LabeledData on = r.test() != null ? Datasets.open(r.test()) : validation;
            points = PrecisionSweep.run(m, card, validation, on, r.sweep(), Allocation.GLOBAL, r.config().block(),
                    r.test() != null ? Integer.MAX_VALUE : r.limit(), progress, cancel);
        }
        Result result = new Result(r.out(), r.out().resolveSibling(r.out().getFileName() + ".report.json"),
                o.result(), elements == 0 ? 32 : storedBits / elements, Files.size(r.model()), Files.size(r.out()),
                CompressedSize.exact(r.model()), CompressedSize.exact(r.out()), val, test, sens, points,
                PrecisionSweep.paretoFront(points));
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsBytes(report(r, validation.count(), !o.params().isEmpty(), result));
        AtomicFiles.writeStream(result.report(), os -> os.write(json));
        return result;
    }

    private static TestFigures test(Request r, ModelCard card, byte[] quantized) throws Exception {
        LabeledData testSet = Datasets.open(r.test());
        Accuracy acc = accuracy(r.model(), quantized, card, testSet, Integer.MAX_VALUE);
        List<LatencyPair> latency = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (r.latencyRuns() > 0) {
            for (int b : LATENCY_BATCHES) {
                for (int threads : new int[] {1, 0}) {
                    LatencyPair p = new LatencyPair(
                            LatencyMeter.measure(r.model(), card, b, threads, 10, r.latencyRuns(), CancellationToken.NONE),
                            LatencyMeter.measure(r.out(), card, b, threads, 10, r.latencyRuns(), CancellationToken.NONE));
                    latency.add(p);
                    if (p.speedup() < 1.05) {
                        notes.add(String.format(Locale.ROOT, "batch %d, %s: the quantized model is not faster on "
                                + "this CPU (%.2f× the float model's speed)", b, threads == 0 ? "all threads"
                                : "1 thread", p.speedup()));
                    }
                }
            }
        }
        return new TestFigures(acc, List.copyOf(latency), List.copyOf(notes));
    }

    /** Accuracy of the float file and the quantized bytes on up to {@code limit} samples of {@code set}. */
    private static Accuracy accuracy(Path file, byte[] quantized, ModelCard card, LabeledData set, int limit)
            throws Exception {
        Evaluation before;
        Evaluation after;
        try (OrtModel m = OrtModel.open(file, card.input(), 0)) {
            before = Evaluator.evaluate(m, card, set, 256, limit, ProgressListener.NONE, CancellationToken.NONE);
        }
        try (OrtModel m = OrtModel.fromBytes(quantized, card.input(), 0)) {
            after = Evaluator.evaluate(m, card, set, 256, limit, ProgressListener.NONE, CancellationToken.NONE);
        }
        return new Accuracy(before.accuracy(), after.accuracy(), before.samples());
    }

    /** The report: every figure with the split it came from. */
    private static ObjectNode report(Request r, int validationCount, boolean calibrated, Result res) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        QuantizationConfig cfg = r.config();
        root.put("model", r.model().toString());
        root.put("out", r.out().toString());
        root.put("mode", cfg.mode() == QuantMode.STATIC ? "static" : "weights");
        root.put("bits", cfg.precision().bits());
        root.put("block", cfg.block());
        root.put("opset", res.rewrite().opset());
        ObjectNode cal = root.putObject("calibration");
        cal.put("data", r.validation().description());
        cal.put("split", r.validation().name());
        cal.put("samples", calibrated ? Math.min(cfg.calibration(), validationCount) : 0);
        cal.put("range", r.rangeLabel());
        if (cfg.range() == RangeMethod.PERCENTILE) {
            cal.put("percentile", r.percentilePercent());
        }
        ArrayNode ls = root.putArray("layers");
        for (QdqRewriter.LayerReport l : res.rewrite().layers()) {
            ls.addObject().put("name", l.name()).put("node", l.node()).put("op", l.op()).put("bits", l.bits())
                    .put("scheme", l.scheme()).put("zerosBefore", l.zerosBefore()).put("zerosAfter", l.zerosAfter())
                    .put("params", l.elements());
        }
        ArrayNode skipped = root.putArray("notQuantized");
        for (QdqRewriter.Skipped s : res.rewrite().skipped()) {
            skipped.addObject().put("name", s.weight()).put("reason", s.reason());
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("fileBytesBefore", res.fileBytesBefore());
        totals.put("fileBytesAfter", res.fileBytesAfter());
        totals.put("compressedBytesBefore", res.compressedBefore());
        totals.put("compressedBytesAfter", res.compressedAfter());
        totals.put("bitsPerWeight", res.bitsPerWeight());
        totals.put("compression", "DEFLATE level 6 (zip's algorithm) of the whole file");
        ObjectNode val = root.putObject("validation");
        val.put("data", r.validation().description());
        val.put("split", r.validation().name());
        val.put("samples", res.validation().samples());
        val.put("before", res.validation().before());
        val.put("after", res.validation().after());
        if (r.sensitivitySamples() > 0) {
            ArrayNode sens = root.putArray("sensitivity");
            for (QuantSensitivity.Entry e : res.sensitivity()) {
                sens.addObject().put("name", e.name()).put("precision", e.precision().id())
                        .put("floatAccuracy", e.floatAccuracy()).put("accuracy", e.accuracy()).put("drop", e.drop())
                        .put("samples", e.samples()).put("split", "validation");
            }
        }
        if (res.test() != null) {
            testReport(root.putObject("test"), r, res.test());
        }
        if (!r.sweep().isEmpty()) {
            ObjectNode sw = root.putObject("sweep");
            sw.put("split", r.test() != null ? "test" : "validation");
            sw.put("method", "magnitude, global allocation");
            ArrayNode pts = sw.putArray("points");
            for (var p : res.sweep()) {
                pts.addObject().put("sparsity", p.sparsity()).put("precision", p.precision().id())
                        .put("accuracy", p.accuracy()).put("fileBytes", p.fileBytes())
                        .put("compressedBytes", p.compressedBytes()).put("samples", p.samples())
                        .put("paretoFront", res.front().contains(p));
            }
        }
        return root;
    }

    private static void testReport(ObjectNode t, Request r, TestFigures f) {
        t.put("data", r.test().toString());
        t.put("split", "test (reported only; nothing was chosen on it)");
        ObjectNode before = t.putObject("before");
        ObjectNode after = t.putObject("after");
        before.put("accuracy", f.accuracy().before());
        after.put("accuracy", f.accuracy().after());
        t.put("samples", f.accuracy().samples());
        if (r.latencyRuns() > 0) {
            ArrayNode lb = before.putArray("latencyMs");
            ArrayNode la = after.putArray("latencyMs");
            for (LatencyPair p : f.latency()) {
                p.before().putInto(lb.addObject());
                p.after().putInto(la.addObject());
            }
            ArrayNode notes = t.putArray("notes");
            f.notes().forEach(notes::add);
        }
    }
}
