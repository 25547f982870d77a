package org.sparsitybench.ui.quantize;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.sparsitybench.eval.Latency;
import org.sparsitybench.eval.LatencyMeter;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.quantize.QuantizationConfig;
import org.sparsitybench.quantize.Quantizer;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.LongTask;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;

/**
 * Help ▸ Speed and size on this CPU: which combinations make ONNX Runtime faster here and which only make the file
 * smaller — said from measurements on the user's machine, never from figures measured elsewhere. The INT8 part
 * is measured on request: the open model as float and as static INT8 (calibrated on the validation split), each
 * timed at batch 1 and 32 on one thread, with the p10–p90 of the runs; a ratio whose bands overlap is within noise.
 */
public final class SpeedHelpViewModel {
    /** Batch sizes timed. */
    public static final List<Integer> BATCHES = List.of(1, 32);
    static final int RUNS = 30;
    static final int WARMUP = 5;

    /** What holds whatever the CPU: the kinds of saving and where the window measures each. */
    public static final String GUIDE = String.join("\n",
            "What makes ONNX Runtime faster on this CPU, and what only makes the file smaller:",
            "",
            "• Unstructured sparsity (magnitude, random, global, wanda, N:M on a CPU): the zeros are still multiplied,"
                    + " so the file compresses smaller but inference is not faster. See it measured: Curves ▸ latency"
                    + " vs sparsity (error bars are p10–p90 of the timed runs; overlapping bars are the same speed) and"
                    + " accuracy vs compressed size.",
            "• Structured pruning (l1/l2-structured) exported with compaction removes whole channels: a smaller"
                    + " dense model, faster. Export checks the compacted model against the masked one and its report"
                    + " gives the measured latency ratio.",
            "• INT8 (static, QDQ): faster only where this CPU's integer kernels beat its float ones for this"
                    + " model's layers; on small conv nets it can be slower. Measure it below on the open model.",
            "• INT4 (weights only): a smaller file; activations stay float, so it is not faster.");

    private final FxTaskExecutor executor;
    private final Consumer<String> errors;
    private final ReadOnlyStringWrapper measured = new ReadOnlyStringWrapper(this, "measured",
            "INT8 against float on this CPU: not measured yet for this model.");
    private int generation;

    /**
     * One batch size timed both ways.
     *
     * @param batch   samples per run
     * @param float32 the float model
     * @param int8    its static INT8 rewrite
     */
    public record Row(int batch, Latency float32, Latency int8) {
        /** How many times the float model's time the INT8 one runs: median float / median INT8. */
        public double speedup() {
            return float32.medianMs() / int8.medianMs();
        }

        /** Whether the two p10–p90 bands overlap: the difference is within noise. */
        public boolean withinNoise() {
            return !(int8.p90Ms() < float32.p10Ms()) && !(float32.p90Ms() < int8.p10Ms());
        }
    }

    public SpeedHelpViewModel(FxTaskExecutor executor, Consumer<String> errors) {
        this.executor = executor;
        this.errors = errors;
    }

    /** The measured INT8-vs-float lines for the open model, or what to do to get them. */
    public ReadOnlyStringProperty measuredProperty() {
        return measured.getReadOnlyProperty();
    }

    /** The whole help text: {@link #GUIDE}, then what was measured here. */
    public String text() {
        return GUIDE + "\n\n" + measured.get();
    }

    /** Forgets the figures (another model). */
    public void clear() {
        generation++;
        measured.set("INT8 against float on this CPU: not measured yet for this model.");
    }

    /**
     * Times the open model as float and as static INT8 at {@link #BATCHES}, in the background.
     *
     * @param validation the model, its card and its validation split (the INT8 calibration)
     * @return false when it cannot run (said) or another long task runs
     */
    public boolean measure(ModelUnderTest validation) {
        if (!validation.measurable()) {
            errors.accept("timing INT8 needs an ONNX model with a model card and a validation split to calibrate on");
            return false;
        }
        int at = generation;
        measured.set("INT8 against float on this CPU: measuring…");
        return executor.foreground("Timing INT8 against float", task(validation.model(), validation.card(),
                        validation.data(), RUNS))
                .onSucceeded(rows -> {
                    if (at == generation) {
                        measured.set(describe(validation.model().file().getFileName().toString(), rows));
                    }
                })
                .onFailed(e -> {
                    measured.set("INT8 against float on this CPU: " + FxTaskExecutor.describe(e));
                    errors.accept(FxTaskExecutor.describe(e));
                })
                .onCancelled(() -> measured.set("INT8 against float on this CPU: cancelled."))
                .start();
    }

    /** The measurement as a task: quantize to a temporary file beside the model, time both, delete it. */
    static LongTask<List<Row>> task(Model model, ModelCard card, LabeledData calibration, int runs) {
        return (progress, cancel) -> {
            progress.progress(0, "quantizing to static INT8 (calibrating on validation)");
            Quantizer.Outcome o = Quantizer.quantize(model, card, calibration, QuantizationConfig.staticInt8(),
                    ProgressListener.NONE, cancel);
            Path tmp = AtomicFiles.createProcessTempFile(model.file().toAbsolutePath().getParent(),
                    ".sparsitybench-speed-", ".onnx");
            try {
                Files.write(tmp, o.bytes());
                List<Row> rows = new ArrayList<>();
                for (int i = 0; i < BATCHES.size(); i++) {
                    int b = BATCHES.get(i);
                    progress.progress((i + 0.5) / BATCHES.size(), "timing batch " + b);
                    rows.add(new Row(b, time(model.file(), card, b, runs, cancel), time(tmp, card, b, runs, cancel)));
                }
                return rows;
            } finally {
                Files.deleteIfExists(tmp);
            }
        };
    }

    private static Latency time(Path file, ModelCard card, int batch, int runs, CancellationToken cancel)
            throws Exception {
        return LatencyMeter.measure(file, card, batch, 1, WARMUP, runs, cancel);
    }

    /** The rows as the help shows them, with a plain verdict per batch size. */
    public static String describe(String model, List<Row> rows) {
        StringBuilder b = new StringBuilder("Measured on this CPU, " + model + ", one thread, median of " + rows.get(0)
                .float32().runs() + " runs (p10–p90):");
        for (Row r : rows) {
            String verdict = r.withinNoise() ? "the same speed within noise"
                    : r.speedup() > 1 ? "INT8 is faster here" : "INT8 is slower here: keep float for speed";
            b.append(String.format(Locale.ROOT, "%n• batch %d: float %.4g ms (%.4g–%.4g), INT8 %.4g ms (%.4g–%.4g):"
                            + " INT8 runs at %.2f× the float speed — %s.", r.batch(), r.float32().medianMs(),
                    r.float32().p10Ms(), r.float32().p90Ms(), r.int8().medianMs(), r.int8().p10Ms(), r.int8().p90Ms(),
                    r.speedup(), verdict));
        }
        return b.toString();
    }
}
