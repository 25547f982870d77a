package org.sparsitybench.ui.quantize;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.sparsitybench.eval.ConfigurationMeter;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.Latency;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.quantize.QuantMode;
import org.sparsitybench.quantize.QuantizedMeter;
import org.sparsitybench.task.LongTask;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.LatestWins;
import org.sparsitybench.ui.common.ModelUnderTest;

/**
 * The precision line under the accuracy line: the configuration shown, quantized as chosen in
 * {@link PrecisionViewModel}, re-measured in the background (latest wins) whenever the configuration or a
 * precision changes — accuracy on the window's data, latency against the float configuration's, bits per weight,
 * file and compressed size. Static INT8 ranges are calibrated on the validation split ({@link DataSplits#validation}:
 * the card's validation file, or its seeded held-out share of the training data), never on the test data accuracy is
 * measured on.
 */
public final class QuantizedEvaluationViewModel {
    /** Samples evaluated per measurement (the accuracy line above measures the float configuration on all). */
    static final int SAMPLES = 2000;
    static final int LATENCY_RUNS = 30;

    private final PrecisionViewModel precision;
    private final LatestWins<Request, QuantizedMeter.Measurement> measure;
    private final ReadOnlyStringWrapper text = new ReadOnlyStringWrapper(this, "text", "");
    private Request last;

    private record Request(ModelUnderTest on, PruningResult result, Map<String, TensorData> values, String weights,
                           Latency floatLatency) {
    }

    public QuantizedEvaluationViewModel(FxTaskExecutor executor, PrecisionViewModel precision) {
        this.precision = precision;
        this.measure = new LatestWins<>(executor, this::task, m -> {
            precision.setMeasured(m);
            text.set(String.format(Locale.ROOT, "quantized (%s): test accuracy %.2f%% (%,d test samples) · %s · "
                    + "latency %.3f ms (p10–p90 %.3f–%.3f)", last == null ? "" : last.weights(),
                    100 * m.evaluation().accuracy(), m.evaluation().samples(), precision.totals(),
                    m.latency().medianMs(), m.latency().p10Ms(), m.latency().p90Ms()) + note());
        }, e -> text.set("quantized: " + FxTaskExecutor.describe(e)));
    }

    private String note() {
        String n = last == null || last.floatLatency() == null ? "" : precision.speedNote(last.floatLatency().medianMs());
        return n.isEmpty() ? "" : " · " + n;
    }

    /** "quantized (WEIGHTS): test accuracy …", empty when every layer is float32, or why nothing is measured. */
    public ReadOnlyStringProperty textProperty() {
        return text.getReadOnlyProperty();
    }

    public boolean isIdle() {
        return measure.isIdle();
    }

    /**
     * Measures {@code result} on {@code on} at the chosen precisions; supersedes any earlier request.
     *
     * @param floatLatency the float configuration's latency (for the faster-or-not note), or null
     */
    public void request(ModelUnderTest on, PruningResult result, Latency floatLatency) {
        request(on, result, null, "one-shot: mask only", floatLatency);
    }

    /**
     * As {@link #request(ModelUnderTest, PruningResult, Latency)} for the weights on screen: {@code values}
     * (reconstructed or recovered, by tensor name, not modified) quantized instead of the result's masked values
     * when not null; {@code weights} names them in the line.
     */
    public void request(ModelUnderTest on, PruningResult result, Map<String, TensorData> values, String weights,
                        Latency floatLatency) {
        last = new Request(on, result, values, weights, floatLatency);
        again();
    }

    /** Measures the last configuration again (a precision changed). */
    public void again() {
        if (last == null || !last.on().measurable() || precision.config().isEmpty()) {
            text.set("");
            return;
        }
        text.set("quantized: evaluating…");
        measure.request(last);
    }

    /** The validation split, for calibration; empty when the card names no training or validation data. */
    static Optional<DataSplits.Split> calibrationData(ModelUnderTest on) throws java.io.IOException {
        return DataSplits.validation(on.card(), on.model().file().toAbsolutePath());
    }

    private LongTask<QuantizedMeter.Measurement> task(Request r) {
        ConfigurationMeter meter = new ConfigurationMeter(r.on().model(), r.on().card(), r.on().data());
        var cfg = precision.config().orElseThrow();
        return (progress, cancel) -> {
            LabeledData calibration = null;
            if (cfg.mode() == QuantMode.STATIC) {
                calibration = calibrationData(r.on()).orElseThrow(() -> new IllegalStateException("static INT8 "
                        + "calibrates on the validation split (the card's dataset.validation, or a held-out share of "
                        + "dataset.train); this card names neither: choose weights-only precision")).data();
            }
            try (ConfigurationMeter.Pruned pruned = meter.open(r.result(), r.values(), cancel)) {
                return QuantizedMeter.measure(pruned.file(), r.on().card(), calibration, r.on().data(), cfg, SAMPLES,
                        LATENCY_RUNS, progress, cancel);
            }
        };
    }
}
