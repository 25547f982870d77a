package org.sparsitybench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.sparsitybench.eval.Evaluation;
import org.sparsitybench.eval.Evaluator;
import org.sparsitybench.eval.Latency;
import org.sparsitybench.eval.LatencyMeter;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.eval.CompressedSize;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.quantize.Precision;
import org.sparsitybench.quantize.QdqRewriter;
import org.sparsitybench.quantize.QuantMode;
import org.sparsitybench.quantize.QuantSensitivity;
import org.sparsitybench.quantize.QuantizationConfig;
import org.sparsitybench.quantize.Quantizer;
import org.sparsitybench.quantize.RangeMethod;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sparsitybench quantize MODEL --out OUT [--data DATASET]}: static INT8 (QDQ) or weight-only INT8/INT4,
 * per layer, calibrated on the validation data given with {@code --data} (default: the card's validation split);
 * writes OUT and {@code OUT.report.json}.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Quantize an ONNX model (static INT8 QDQ, or weight-only INT8/INT4) keeping pruned zeros; "
                + "write it with a report (OUT.report.json).")
public final class QuantizeCommand implements Callable<Integer> {
    /** Batch sizes latency is reported at. */
    static final int[] LATENCY_BATCHES = {1, 32};

    @Parameters(index = "0", paramLabel = "MODEL", description = "An .onnx model (pruned or not) with a model-card.json beside it.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "Output .onnx path.")
    Path out;

    @Option(names = "--data", paramLabel = "DATASET", description = "Validation data: calibration samples and "
            + "validation accuracy (never the test set; default: the model card's validation split).")
    Path data;

    @Option(names = "--mode", defaultValue = "static", description = "static | weights (default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--bits", defaultValue = "8", description = "8 | 4 for every layer not named by --layer (default ${DEFAULT-VALUE}); 4 is weight-only.")
    int bits;

    @Option(names = "--block", defaultValue = "32", description = "INT4 block along the input dimension: 32 | 64 (default ${DEFAULT-VALUE}).")
    int block;

    @Option(names = "--calibration", defaultValue = "256", paramLabel = "K", description = "Calibration samples, the first K of --data (default ${DEFAULT-VALUE}).")
    int calibration;

    @Option(names = "--range", defaultValue = "minmax", description = "minmax | percentile | mse (default ${DEFAULT-VALUE}).")
    String range;

    @Option(names = "--percentile", defaultValue = "99.99", description = "For --range percentile: percent of values inside the range (default ${DEFAULT-VALUE}).")
    double percentile;

    @Option(names = "--layer", paramLabel = "NAME=P", description = "Per-layer precision, P = float | int8 | int4 (repeatable).")
    List<String> layers = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "NAME", description = "Keep this layer float32 (repeatable).")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--test", paramLabel = "DATASET", description = "Test data: accuracy and latency before and after, for the report.")
    Path test;

    @Option(names = "--limit", defaultValue = "10000", description = "Validation samples evaluated before and after (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--sensitivity", description = "Also measure the validation accuracy lost by quantizing each layer alone.")
    boolean sensitivity;

    @Option(names = "--sensitivity-samples", defaultValue = "1000", description = "Validation samples per layer for --sensitivity (default ${DEFAULT-VALUE}).")
    int sensitivitySamples;

    @Option(names = "--sweep", paramLabel = "LEVELS", split = ",", description = "Also prune (magnitude, global "
            + "allocation) to each sparsity level and measure float32, static INT8 and weight-only INT4 there: "
            + "accuracy against compressed size, with the Pareto front (on --test when given, else on --data).")
    List<Double> sweep = new ArrayList<>();

    @Option(names = "--latency-runs", defaultValue = "50", description = "Timed runs per latency figure with --test, 0 to skip (default ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Option(names = "--preprocess", paramLabel = "FILE", description = "A model card to use instead of the one beside the model.")
    Path preprocess;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        QuantizationConfig cfg = config();
        AtomicFiles.refuseOverwrite(model, out);
        Model m = ModelFiles.read(model);
        if (m.format() != ModelFormat.ONNX) {
            throw new UnsupportedModelException(model + ": quantize rewrites an ONNX graph; " + m.format().id()
                    + " holds weights only");
        }
        ModelCard card = ModelCard.forModel(model, preprocess);
        DataSplits.Split chosenOn = MeasuredModelOptions.choosingData(model, card, data, spec.commandLine().getErr());
        LabeledData validation = chosenOn.data();
        Quantizer.Outcome o;
        try {
            o = Quantizer.quantize(m, card, validation, cfg, ProgressListener.NONE, CancellationToken.NONE);
        } catch (IllegalArgumentException e) {
            throw new SparsityBenchCli.UsageException(e.getMessage());
        }
        Quantizer.write(o, model, out);

        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("model", model.toString());
        root.put("out", out.toString());
        root.put("mode", cfg.mode() == QuantMode.STATIC ? "static" : "weights");
        root.put("bits", bits);
        root.put("block", block);
        root.put("opset", o.result().opset());
        ObjectNode cal = root.putObject("calibration");
        cal.put("data", chosenOn.description());
        cal.put("split", chosenOn.name());
        cal.put("samples", o.params().isEmpty() ? 0 : Math.min(calibration, validation.count()));
        cal.put("range", range);
        if (cfg.range() == RangeMethod.PERCENTILE) {
            cal.put("percentile", percentile);
        }
        ArrayNode ls = root.putArray("layers");
        long elements = 0;
        double storedBits = 0;
        for (QdqRewriter.LayerReport l : o.result().layers()) {
            ls.addObject().put("name", l.name()).put("node", l.node()).put("op", l.op()).put("bits", l.bits())
                    .put("scheme", l.scheme()).put("zerosBefore", l.zerosBefore()).put("zerosAfter", l.zerosAfter())
                    .put("params", l.elements());
            elements += l.elements();
            storedBits += (double) l.bits() * l.elements();
        }
        ArrayNode skipped = root.putArray("notQuantized");
        for (QdqRewriter.Skipped s : o.result().skipped()) {
            skipped.addObject().put("name", s.weight()).put("reason", s.reason());
        }
        ObjectNode totals = root.putObject("totals");
        long[] compressed = {CompressedSize.exact(model), CompressedSize.exact(out)};
        totals.put("fileBytesBefore", Files.size(model));
        totals.put("fileBytesAfter", Files.size(out));
        totals.put("compressedBytesBefore", compressed[0]);
        totals.put("compressedBytesAfter", compressed[1]);
        totals.put("bitsPerWeight", elements == 0 ? 32 : storedBits / elements);
        totals.put("compression", "DEFLATE level 6 (zip's algorithm) of the whole file");

        PrintWriter pw = spec.commandLine().getOut();
        ObjectNode val = root.putObject("validation");
        val.put("data", chosenOn.description());
        val.put("split", chosenOn.name());
        double[] vacc = accuracy(model, null, card, validation, limit);
        double[] vaccAfter = accuracy(null, o.bytes(), card, validation, limit);
        val.put("samples", (int) vacc[1]);
        val.put("before", vacc[0]);
        val.put("after", vaccAfter[0]);

        if (sensitivity) {
            ArrayNode sens = root.putArray("sensitivity");
            for (QuantSensitivity.Entry e : QuantSensitivity.analyze(m, card, validation, cfg, o.params(),
                    sensitivitySamples, ProgressListener.NONE, CancellationToken.NONE)) {
                sens.addObject().put("name", e.name()).put("precision", e.precision().id())
                        .put("floatAccuracy", e.floatAccuracy()).put("accuracy", e.accuracy()).put("drop", e.drop())
                        .put("samples", e.samples()).put("split", "validation");
            }
        }
        if (test != null) {
            LabeledData testSet = Datasets.open(test);
            ObjectNode t = root.putObject("test");
            t.put("data", test.toString());
            t.put("split", "test (reported only; nothing was chosen on it)");
            ObjectNode before = t.putObject("before");
            ObjectNode after = t.putObject("after");
            double[] a0 = accuracy(model, null, card, testSet, Integer.MAX_VALUE);
            double[] a1 = accuracy(null, o.bytes(), card, testSet, Integer.MAX_VALUE);
            before.put("accuracy", a0[0]);
            after.put("accuracy", a1[0]);
            t.put("samples", (int) a0[1]);
            if (latencyRuns > 0) {
                ArrayNode lb = before.putArray("latencyMs");
                ArrayNode la = after.putArray("latencyMs");
                ArrayNode notes = t.putArray("notes");
                for (int b : LATENCY_BATCHES) {
                    for (int threads : new int[] {1, 0}) {
                        Latency x = LatencyMeter.measure(model, card, b, threads, 10, latencyRuns, CancellationToken.NONE);
                        Latency y = LatencyMeter.measure(out, card, b, threads, 10, latencyRuns, CancellationToken.NONE);
                        latency(lb.addObject(), x);
                        latency(la.addObject(), y);
                        double speedup = x.medianMs() / y.medianMs();
                        if (speedup < 1.05) {
                            notes.add(String.format(Locale.ROOT, "batch %d, %s: the quantized model is not faster on "
                                    + "this CPU (%.2f× the float model's speed)", b, threads == 0 ? "all threads"
                                    : "1 thread", speedup));
                        }
                    }
                }
            }
        }
        if (!sweep.isEmpty()) {
            for (double level : sweep) {
                if (!(level >= 0 && level < 1)) {
                    throw new SparsityBenchCli.UsageException("--sweep level " + level + " outside [0, 1)");
                }
            }
            LabeledData on = test != null ? Datasets.open(test) : validation;
            List<org.sparsitybench.quantize.PrecisionSweep.Point> points = org.sparsitybench.quantize.PrecisionSweep.run(
                    m, card, validation, on, sweep, org.sparsitybench.prune.Allocation.GLOBAL, block,
                    test != null ? Integer.MAX_VALUE : limit, ProgressListener.NONE, CancellationToken.NONE);
            var front = org.sparsitybench.quantize.PrecisionSweep.paretoFront(points);
            ObjectNode sw = root.putObject("sweep");
            sw.put("split", test != null ? "test" : "validation");
            sw.put("method", "magnitude, global allocation");
            ArrayNode pts = sw.putArray("points");
            for (var p : points) {
                pts.addObject().put("sparsity", p.sparsity()).put("precision", p.precision().id())
                        .put("accuracy", p.accuracy()).put("fileBytes", p.fileBytes())
                        .put("compressedBytes", p.compressedBytes()).put("samples", p.samples())
                        .put("paretoFront", front.contains(p));
                pw.printf(Locale.ROOT, "sweep %4.0f%% sparse, %-5s: accuracy %6.2f%% (%s), %,9d bytes compressed%s%n",
                        100 * p.sparsity(), p.precision().id(), 100 * p.accuracy(), test != null ? "test" : "validation",
                        p.compressedBytes(), front.contains(p) ? "  ← Pareto front" : "");
            }
        }
        Path reportFile = out.resolveSibling(out.getFileName() + ".report.json");
        byte[] json = mapper.writeValueAsBytes(root);
        AtomicFiles.writeStream(reportFile, os -> os.write(json));

        pw.printf(Locale.ROOT, "%s: %s, %d layers quantized, %.2f bits per weight; %,d → %,d bytes (compressed %,d → %,d)%n",
                out, cfg.mode() == QuantMode.WEIGHTS ? "weight-only" : "static QDQ",
                o.result().layers().stream().filter(l -> l.bits() < 32).count(), totals.get("bitsPerWeight").asDouble(),
                totals.get("fileBytesBefore").asLong(), totals.get("fileBytesAfter").asLong(), compressed[0], compressed[1]);
        pw.printf(Locale.ROOT, "%s accuracy %.2f%% → %.2f%% on %,d samples of %s%n", chosenOn.name(), 100 * vacc[0],
                100 * vaccAfter[0], (int) vacc[1], chosenOn.description());
        if (root.has("test")) {
            ObjectNode t = (ObjectNode) root.get("test");
            pw.printf(Locale.ROOT, "test accuracy %.2f%% → %.2f%% on %,d samples of %s%n",
                    100 * t.get("before").get("accuracy").asDouble(), 100 * t.get("after").get("accuracy").asDouble(),
                    t.get("samples").asInt(), test);
            if (t.has("notes")) {
                var la = t.get("after").get("latencyMs").elements();
                for (var lb = t.get("before").get("latencyMs").elements(); lb.hasNext();) {
                    var x = lb.next();
                    var y = la.next();
                    pw.printf(Locale.ROOT, "latency batch %d, %s: float %.3f ms, quantized %.3f ms (%.2f×)%n",
                            x.get("batch").asInt(), x.get("threads").asInt() == 0 ? "all threads" : "1 thread",
                            x.get("medianMs").asDouble(), y.get("medianMs").asDouble(),
                            x.get("medianMs").asDouble() / y.get("medianMs").asDouble());
                }
                t.get("notes").forEach(n -> pw.println("note: " + n.asText()));
            }
        }
        if (root.has("sensitivity")) {
            for (var e : root.get("sensitivity")) {
                pw.printf(Locale.ROOT, "sensitivity %s alone at %s: validation accuracy %+.2f pt%n", e.get("name").asText(),
                        e.get("precision").asText(), -100 * e.get("drop").asDouble());
            }
        }
        pw.println("report: " + reportFile);
        pw.flush();
        return SparsityBenchCli.EXIT_OK;
    }

    private static void latency(ObjectNode o, Latency l) {
        o.put("batch", l.batch()).put("threads", l.threads()).put("medianMs", l.medianMs()).put("p10Ms", l.p10Ms())
                .put("p90Ms", l.p90Ms()).put("itemsPerSecond", l.itemsPerSecond());
    }

    /** {accuracy, samples} of the model file or bytes on {@code set}. */
    private static double[] accuracy(Path file, byte[] bytes, ModelCard card, LabeledData set, int limit) throws Exception {
        try (OrtModel m = file != null ? OrtModel.open(file, card.input(), 0) : OrtModel.fromBytes(bytes, card.input(), 0)) {
            Evaluation e = Evaluator.evaluate(m, card, set, 256, limit, ProgressListener.NONE, CancellationToken.NONE);
            return new double[] {e.accuracy(), e.samples()};
        }
    }

    /** The options as a configuration, or a usage error naming the bad one. */
    QuantizationConfig config() {
        QuantMode qm = switch (mode.toLowerCase(Locale.ROOT)) {
            case "static" -> QuantMode.STATIC;
            case "weights", "weight-only", "weights-only" -> QuantMode.WEIGHTS;
            default -> throw new SparsityBenchCli.UsageException("--mode '" + mode + "' is not static or weights");
        };
        if (bits != 8 && bits != 4) {
            throw new SparsityBenchCli.UsageException("--bits " + bits + " is not 8 or 4");
        }
        if (bits == 4 && qm == QuantMode.STATIC && !spec.commandLine().getParseResult().hasMatchedOption("--mode")) {
            qm = QuantMode.WEIGHTS;
        } else if (bits == 4 && qm == QuantMode.STATIC) {
            throw new SparsityBenchCli.UsageException("--bits 4 quantizes weights only: use --mode weights (activations "
                    + "stay float), or --layer NAME=int4 beside static INT8 layers");
        }
        if (block != 32 && block != 64) {
            throw new SparsityBenchCli.UsageException("--block " + block + " is not 32 or 64");
        }
        if (calibration < 1 || limit < 1 || sensitivitySamples < 1 || latencyRuns < 0) {
            throw new SparsityBenchCli.UsageException("--calibration, --limit and --sensitivity-samples must be >= 1");
        }
        if (!(percentile > 50 && percentile <= 100)) {
            throw new SparsityBenchCli.UsageException("--percentile " + percentile + " outside (50, 100]");
        }
        RangeMethod rm = switch (range.toLowerCase(Locale.ROOT)) {
            case "minmax", "min-max" -> RangeMethod.MINMAX;
            case "percentile" -> RangeMethod.PERCENTILE;
            case "mse" -> RangeMethod.MSE;
            default -> throw new SparsityBenchCli.UsageException("--range '" + range + "' is not minmax, percentile or mse");
        };
        Map<String, Precision> per = new LinkedHashMap<>();
        for (String s : layers) {
            int eq = s.lastIndexOf('=');
            if (eq <= 0) {
                throw new SparsityBenchCli.UsageException("--layer '" + s + "' is not NAME=float|int8|int4");
            }
            try {
                per.put(s.substring(0, eq), Precision.parse(s.substring(eq + 1)));
            } catch (IllegalArgumentException e) {
                throw new SparsityBenchCli.UsageException("--layer '" + s + "': " + e.getMessage());
            }
        }
        Set<String> ex = new HashSet<>(exclude);
        return new QuantizationConfig(qm, Precision.ofBits(bits), block, calibration, rm, percentile / 100, per, ex);
    }
}
