package org.sparsitybench.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.quantize.Precision;
import org.sparsitybench.quantize.PrecisionSweep;
import org.sparsitybench.quantize.QuantMode;
import org.sparsitybench.quantize.QuantSensitivity;
import org.sparsitybench.quantize.QuantizationConfig;
import org.sparsitybench.quantize.QuantizePipeline;
import org.sparsitybench.quantize.RangeMethod;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    ModelCardOption modelCard;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        QuantizationConfig cfg = config();
        for (double level : sweep) {
            if (!(level >= 0 && level < 1)) {
                throw new SparsityBenchCli.UsageException("--sweep level " + level + " outside [0, 1)");
            }
        }
        DataSplits.Split chosenOn = MeasuredModelOptions.choosingData(model, modelCard.card(model), data,
                spec.commandLine().getErr());
        QuantizePipeline.Result r;
        try {
            r = QuantizePipeline.run(new QuantizePipeline.Request(model, out, chosenOn, test, modelCard.preprocess, cfg,
                    range, percentile, limit, sensitivity ? sensitivitySamples : 0, sweep, latencyRuns),
                    ProgressListener.NONE, CancellationToken.NONE);
        } catch (QuantizePipeline.InvalidRequest e) {
            throw new SparsityBenchCli.UsageException(e.getMessage());
        }
        PrintWriter pw = spec.commandLine().getOut();
        printSweep(pw, r);
        pw.printf(Locale.ROOT, "%s: %s, %d layers quantized, %.2f bits per weight; %,d → %,d bytes (compressed %,d → %,d)%n",
                out, cfg.mode() == QuantMode.WEIGHTS ? "weight-only" : "static QDQ", r.layersQuantized(),
                r.bitsPerWeight(), r.fileBytesBefore(), r.fileBytesAfter(), r.compressedBefore(), r.compressedAfter());
        pw.printf(Locale.ROOT, "%s accuracy %.2f%% → %.2f%% on %,d samples of %s%n", chosenOn.name(),
                100 * r.validation().before(), 100 * r.validation().after(), r.validation().samples(),
                chosenOn.description());
        if (r.test() != null) {
            printTest(pw, r.test());
        }
        for (QuantSensitivity.Entry e : r.sensitivity()) {
            pw.printf(Locale.ROOT, "sensitivity %s alone at %s: validation accuracy %+.2f pt%n", e.name(),
                    e.precision().id(), -100 * e.drop());
        }
        pw.println("report: " + r.report());
        pw.flush();
        return SparsityBenchCli.EXIT_OK;
    }

    private void printSweep(PrintWriter pw, QuantizePipeline.Result r) {
        for (PrecisionSweep.Point p : r.sweep()) {
            pw.printf(Locale.ROOT, "sweep %4.0f%% sparse, %-5s: accuracy %6.2f%% (%s), %,9d bytes compressed%s%n",
                    100 * p.sparsity(), p.precision().id(), 100 * p.accuracy(), test != null ? "test" : "validation",
                    p.compressedBytes(), r.front().contains(p) ? "  ← Pareto front" : "");
        }
    }

    private void printTest(PrintWriter pw, QuantizePipeline.TestFigures t) {
        pw.printf(Locale.ROOT, "test accuracy %.2f%% → %.2f%% on %,d samples of %s%n", 100 * t.accuracy().before(),
                100 * t.accuracy().after(), t.accuracy().samples(), test);
        for (QuantizePipeline.LatencyPair p : t.latency()) {
            pw.printf(Locale.ROOT, "latency batch %d, %s: float %.3f ms (p10–p90 %.3f–%.3f), quantized %.3f ms "
                    + "(p10–p90 %.3f–%.3f), %.2f×%n", p.before().batch(),
                    p.before().threads() == 0 ? "all threads" : "1 thread", p.before().medianMs(), p.before().p10Ms(),
                    p.before().p90Ms(), p.after().medianMs(), p.after().p10Ms(), p.after().p90Ms(), p.speedup());
        }
        t.notes().forEach(n -> pw.println("note: " + n));
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
