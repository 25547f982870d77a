package org.sparsitybench.ui.workbench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.sparsitybench.eval.ConfigurationMeter;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.ExportMeasurement;
import org.sparsitybench.eval.Evaluation;
import org.sparsitybench.eval.Latency;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.LongTask;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.LatestWins;
import org.sparsitybench.ui.common.ModelUnderTest;

/**
 * The accuracy line under the totals: every configuration the engine shows is measured from the bytes an export
 * would write, a quick estimate first and then the whole data set with the latency, latest wins (a configuration
 * the user has left is cancelled).
 */
public final class EvaluationViewModel {
    /** Samples of the quick first estimate before the full set. */
    static final int QUICK_SAMPLES = 500;
    /** Timed runs of the latency measurement after each full evaluation. */
    static final int LATENCY_RUNS = 30;

    private final FxTaskExecutor executor;
    private final LatestWins<Request, Measured> measure;
    private final ReadOnlyStringWrapper text = new ReadOnlyStringWrapper(this, "text", "");
    private final ReadOnlyObjectWrapper<Evaluation> evaluation = new ReadOnlyObjectWrapper<>(this, "evaluation");
    private final ReadOnlyObjectWrapper<Latency> latency = new ReadOnlyObjectWrapper<>(this, "latency");

    /** How the accuracy line names the engine's masked weights (pruned, not recovered). */
    public static final String MASK_ONLY = "one-shot: mask only";
    /** How the accuracy line names reconstructed weights. */
    public static final String RECONSTRUCTED = "reconstructed";

    /**
     * One configuration to measure: the engine's result on the model under test, or (when {@code values} is not
     * null) the values to write instead of its masked ones; {@code weights} says which ("mask only",
     * "reconstructed").
     */
    private record Request(ModelUnderTest on, PruningResult result, Map<String, TensorData> values, String weights) {
    }

    /** A measurement with the request it answers. */
    private record Measured(ConfigurationMeter.Measurement measurement, Request request) {
        String weights() {
            return request.weights();
        }
    }

    /** The last full measurement, or null: what an export of the same result reports as measured. */
    private Measured last;

    public EvaluationViewModel(FxTaskExecutor executor) {
        this.executor = executor;
        this.measure = new LatestWins<>(executor, this::task, done -> {
            ConfigurationMeter.Measurement m = done.measurement();
            String weights = done.weights();
            Evaluation e = m.evaluation();
            text.set(String.format(Locale.ROOT, "test accuracy %.2f%% (%s)  loss %.3f  (%,d test samples)  ·  latency %.3f ms "
                    + "(p10–p90 %.3f–%.3f; ONNX Runtime, batch 1, 1 thread, median of %d runs)", 100 * e.accuracy(),
                    weights, e.loss(), e.samples(), m.latency().medianMs(), m.latency().p10Ms(), m.latency().p90Ms(),
                    m.latency().runs()));
            latency.set(m.latency());
            evaluation.set(e);
            last = done;
        }, e -> text.set("accuracy: " + FxTaskExecutor.describe(e)));
    }

    /**
     * "test accuracy 90.41% … (10,000 test samples)", "accuracy: evaluating…", or why nothing is measured. The data
     * measured here is the test split (the card's, or a set the user opened): it reports, it never chooses.
     */
    public ReadOnlyStringProperty textProperty() {
        return text.getReadOnlyProperty();
    }

    /** The last full evaluation of the configuration shown. */
    public ReadOnlyObjectProperty<Evaluation> evaluationProperty() {
        return evaluation.getReadOnlyProperty();
    }

    /** Median latency of the configuration shown as an export would store it (batch 1, one thread). */
    public ReadOnlyObjectProperty<Latency> latencyProperty() {
        return latency.getReadOnlyProperty();
    }

    /** Whether no measurement runs or waits. */
    public boolean isIdle() {
        return measure.isIdle();
    }

    /** Forgets the figures shown; {@code why} replaces them (empty, or why nothing can be measured). */
    public void reset(String why) {
        last = null;
        text.set(why);
        evaluation.set(null);
        latency.set(null);
    }

    /** Measures {@code result} on {@code on} when it can be measured; supersedes any earlier request. */
    public void request(ModelUnderTest on, PruningResult result) {
        request(on, result, null, MASK_ONLY);
    }

    /** Measures the weights {@code f} shows: the recovered ones, else its reconstruction's, else the engine's mask. */
    public void request(ModelUnderTest on, WorkbenchFrame f) {
        request(on, f.result(), f.shownValues(), f.recovered() != null ? f.weights()
                : f.reconstructed() == null ? MASK_ONLY : RECONSTRUCTED);
    }

    /**
     * As {@link #request(ModelUnderTest, PruningResult)}, measuring {@code values} (reconstructed weights, not
     * modified) instead of the result's masked values; {@code weights} names them in the accuracy line.
     */
    public void request(ModelUnderTest on, PruningResult result, Map<String, TensorData> values, String weights) {
        if (on.measurable()) {
            text.set("accuracy: evaluating " + weights + "…");
            measure.request(new Request(on, result, values, weights));
        }
    }

    /** Through {@link ConfigurationMeter}: a quick estimate shown at once, then the whole set and the latency. */
    private LongTask<Measured> task(Request r) {
        ConfigurationMeter meter = new ConfigurationMeter(r.on().model(), r.on().card(), r.on().data());
        return (progress, cancel) -> {
            try (ConfigurationMeter.Pruned pruned = meter.open(r.result(), r.values(), cancel)) {
                Evaluation quick = pruned.evaluate(QUICK_SAMPLES, progress, cancel);
                executor.onFx(() -> {
                    if (!cancel.isCancelled()) {
                        text.set(String.format(Locale.ROOT, "test accuracy ≈ %.1f%% (%s; quick estimate on %d test "
                                + "samples; evaluating all…)", 100 * quick.accuracy(), r.weights(), quick.samples()));
                    }
                });
                return new Measured(pruned.measure(Integer.MAX_VALUE, LATENCY_RUNS, progress, cancel), r);
            }
        };
    }

    /**
     * The export report's {@code measured} for {@code result} (not modified): the last full measurement when it
     * was of this very result's masked weights, which is what an export of it writes; empty while it is still
     * being measured, or when the figures shown are of another configuration or of reconstructed weights.
     */
    public Optional<ObjectNode> reportFor(PruningResult result) {
        return reportFor(result, null);
    }

    /**
     * As {@link #reportFor(PruningResult)} for {@code values} written instead of the masked weights (reconstructed
     * or recovered: the very map the accuracy line measured), or null for the masked weights.
     */
    public Optional<ObjectNode> reportFor(PruningResult result, Map<String, TensorData> values) {
        Measured m = last;
        if (m == null || m.request().result() != result || m.request().values() != values) {
            return Optional.empty();
        }
        ObjectNode json = ExportMeasurement.json(m.measurement().evaluation(),
                String.valueOf(m.request().on().data().source()), DataSplits.TEST, null, m.measurement().latency());
        json.put("measuredBy", "the window's accuracy line: the configuration as an export writes it, on the whole "
                + "set, latency in ONNX Runtime, batch 1, one thread");
        return Optional.of(json);
    }
}
