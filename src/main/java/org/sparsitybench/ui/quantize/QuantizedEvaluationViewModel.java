package org.sparsitybench.ui.quantize;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.sparsitybench.eval.ConfigurationMeter;
import org.sparsitybench.eval.Latency;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
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
 * file and compressed size. Static INT8 ranges are calibrated on the training split the model card names, never on
 * the data accuracy is measured on.
 */
public final class QuantizedEvaluationViewModel {
    /** Samples evaluated per measurement (the accuracy line above measures the float configuration on all). */
    static final int SAMPLES = 2000;
    static final int LATENCY_RUNS = 30;

    private final PrecisionViewModel precision;
    private final LatestWins<Request, QuantizedMeter.Measurement> measure;
    private final ReadOnlyStringWrapper text = new ReadOnlyStringWrapper(this, "text", "");
    private Request last;

    private record Request(ModelUnderTest on, PruningResult result, Latency floatLatency) {
    }

    public QuantizedEvaluationViewModel(FxTaskExecutor executor, PrecisionViewModel precision) {
        this.precision = precision;
        this.measure = new LatestWins<>(executor, this::task, m -> {
            precision.setMeasured(m);
            text.set(String.format(Locale.ROOT, "quantized: accuracy %.2f%% (%,d samples) · %s · latency %.3f ms",
                    100 * m.evaluation().accuracy(), m.evaluation().samples(), precision.totals(),
                    m.latency().medianMs()) + note());
        }, e -> text.set("quantized: " + FxTaskExecutor.describe(e)));
    }

    private String note() {
        String n = last == null || last.floatLatency() == null ? "" : precision.speedNote(last.floatLatency().medianMs());
        return n.isEmpty() ? "" : " · " + n;
    }

    /** "quantized: accuracy …", empty when every layer is float32, or why nothing is measured. */
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
        last = new Request(on, result, floatLatency);
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

    /** The training split the card names, for calibration; empty when it names none. */
    static Optional<Path> calibrationData(ModelUnderTest on) {
        Path cardFile = on.model().file().toAbsolutePath().resolveSibling(ModelCard.FILE_NAME);
        return on.card().datasetPath(cardFile, "train").filter(java.nio.file.Files::exists);
    }

    private LongTask<QuantizedMeter.Measurement> task(Request r) {
        ConfigurationMeter meter = new ConfigurationMeter(r.on().model(), r.on().card(), r.on().data());
        var cfg = precision.config().orElseThrow();
        return (progress, cancel) -> {
            LabeledData calibration = null;
            if (cfg.mode() == QuantMode.STATIC) {
                Path train = calibrationData(r.on()).orElseThrow(() -> new IllegalStateException("static INT8 "
                        + "calibrates on the training split the model card names (dataset.train); this card names "
                        + "none: choose weights-only precision"));
                calibration = Datasets.open(train);
            }
            try (ConfigurationMeter.Pruned pruned = meter.open(r.result(), cancel)) {
                return QuantizedMeter.measure(pruned.file(), r.on().card(), calibration, r.on().data(), cfg, SAMPLES,
                        LATENCY_RUNS, progress, cancel);
            }
        };
    }
}
