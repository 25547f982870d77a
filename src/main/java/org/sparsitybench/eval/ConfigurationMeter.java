package org.sparsitybench.eval;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * The one way a pruned configuration is measured: the engine's result is written as the bytes an export would
 * write (a temporary ONNX file beside the model), run in ONNX Runtime for accuracy and loss on the data, timed
 * for latency (batch {@value #LATENCY_BATCH}, {@value #LATENCY_THREADS} thread, median with 10th and 90th
 * percentiles), and the temporary file is deleted. Sensitivity, sweeps, the headless renderer and the window all
 * measure through this class, so their figures agree for the same configuration.
 *
 * <p>One-shot use: {@link #measure}. Several measurements of one pruned model (a quick estimate, then the full
 * set, then latency) share one temporary file and one session through {@link #open}:
 * <pre>{@code
 * try (ConfigurationMeter.Pruned p = meter.open(result, cancel)) {
 *     Evaluation quick = p.evaluate(500, progress, cancel);
 *     Evaluation full = p.evaluate(Integer.MAX_VALUE, progress, cancel);
 *     Latency latency = p.latency(30, cancel);
 * }
 * }</pre>
 * Thread safety: an instance holds no mutable state and may be shared; a {@link Pruned} is used by one thread.
 */
public final class ConfigurationMeter {
    /** Samples per ONNX Runtime call while evaluating accuracy and loss. */
    public static final int EVAL_BATCH = 256;
    /** Samples per timed run: latency as one request sees it. */
    public static final int LATENCY_BATCH = 1;
    /** Intra-op threads of the timed session: the figure does not depend on the machine's other load as much. */
    public static final int LATENCY_THREADS = 1;
    /** Untimed runs before timing (the meter adds more until 100 ms have passed; see {@link LatencyMeter}). */
    public static final int LATENCY_WARMUP = 5;

    private final Model model;
    private final ModelCard card;
    private final LabeledData data;

    /**
     * @param model the dense model the configurations are computed for (not modified; its file must be ONNX)
     * @param card  preprocessing and input shape
     * @param data  labelled samples to evaluate on (the split is the caller's choice: validation for what
     *              chooses, test for what is reported)
     */
    public ConfigurationMeter(Model model, ModelCard card, LabeledData data) {
        this.model = Objects.requireNonNull(model, "model");
        this.card = Objects.requireNonNull(card, "card");
        this.data = Objects.requireNonNull(data, "data");
    }

    public Model model() {
        return model;
    }

    public ModelCard card() {
        return card;
    }

    public LabeledData data() {
        return data;
    }

    /**
     * What one configuration measured.
     *
     * @param evaluation accuracy, top-5, loss, per-class accuracy on {@code evaluation.samples()} samples
     * @param latency    timed runs (median, p10, p90), or null when no latency was asked for
     * @param fileBytes  size of the model file as an export would write it
     */
    public record Measurement(Evaluation evaluation, Latency latency, long fileBytes) {
        public Measurement {
            Objects.requireNonNull(evaluation, "evaluation");
        }

        /** The median latency in milliseconds; NaN when none was measured. */
        public double latencyMs() {
            return latency == null ? Double.NaN : latency.medianMs();
        }
    }

    /**
     * Measures one configuration: writes it, evaluates at most {@code limit} samples, times {@code latencyRuns}
     * runs (0 = none), deletes the file.
     *
     * @param result      the engine's result for {@link #model()} (not modified); its
     *                    {@link PruningResult#prunedValues pruned values} are what is written
     * @param limit       samples evaluated (Integer.MAX_VALUE for all)
     * @param latencyRuns timed runs, at least (0 = no latency)
     * @param progress    reports the evaluation's samples
     * @throws org.sparsitybench.model.ModelFormatException when the data does not fit the model's input
     * @throws org.sparsitybench.task.CancelledException    when cancelled; no file remains
     */
    public Measurement measure(PruningResult result, int limit, int latencyRuns, ProgressListener progress,
                               CancellationToken cancel) throws IOException, OrtException {
        try (Pruned p = open(result, cancel)) {
            return p.measure(limit, latencyRuns, progress, cancel);
        }
    }

    /** The configuration written to a temporary file, ready to evaluate and time; close it to delete the file. */
    public Pruned open(PruningResult result, CancellationToken cancel) throws IOException {
        return open(result.prunedValues(model), cancel);
    }

    /**
     * As {@link #open(PruningResult, CancellationToken)}, writing {@code values} (by tensor name, not modified:
     * reconstructed or recovered weights under the result's masks) instead of the result's masked values when they
     * are not null.
     */
    public Pruned open(PruningResult result, Map<String, org.sparsitybench.model.TensorData> values,
                       CancellationToken cancel) throws IOException {
        return values == null ? open(result, cancel) : open(values, cancel);
    }

    /** The model with {@code values} (by tensor name, not modified) in place of its tensors', shapes unchanged. */
    public Pruned open(Map<String, org.sparsitybench.model.TensorData> values, CancellationToken cancel)
            throws IOException {
        cancel.throwIfCancelled();
        return new Pruned(TemporaryModels.writeValues(model, values, cancel));
    }

    /**
     * A variant of the model with its tensors replaced: different values, shapes or node attributes (a compacted
     * model), written to a temporary file; close it to delete the file.
     *
     * @param updates    new shape and values by tensor name (not modified)
     * @param attributes integer attributes by node name, then attribute name (not modified)
     */
    public Pruned open(Map<String, TensorUpdate> updates, Map<String, Map<String, Long>> attributes,
                       CancellationToken cancel) throws IOException {
        cancel.throwIfCancelled();
        return new Pruned(TemporaryModels.writeUpdates(model, updates, attributes, cancel));
    }

    /**
     * One configuration's temporary model. The evaluation session is opened on first use and reused; latency is
     * timed in a fresh session of its own, as a deployment would load it. {@link #close()} closes the session and
     * deletes the file.
     */
    public final class Pruned implements AutoCloseable {
        private final Path file;
        private OrtModel session;

        private Pruned(Path file) {
            this.file = file;
        }

        /** The temporary file (gone after {@link #close()}). */
        public Path file() {
            return file;
        }

        /** Size of the file as an export would write it. */
        public long fileBytes() throws IOException {
            return Files.size(file);
        }

        /**
         * Accuracy, top-5, loss and per-class accuracy on at most {@code limit} samples of the data, in batches of
         * {@value #EVAL_BATCH}.
         */
        public Evaluation evaluate(int limit, ProgressListener progress, CancellationToken cancel)
                throws IOException, OrtException {
            if (session == null) {
                session = OrtModel.open(file, card.input(), 0);
            }
            return Evaluator.evaluate(session, card, data, EVAL_BATCH, limit, progress, cancel);
        }

        /** Median, 10th and 90th percentile of at least {@code runs} timed runs (batch 1, one thread). */
        public Latency latency(int runs, CancellationToken cancel) throws IOException, OrtException {
            return LatencyMeter.measure(file, card, LATENCY_BATCH, LATENCY_THREADS, LATENCY_WARMUP, runs, cancel);
        }

        /** {@link #evaluate}, then {@link #latency} when {@code latencyRuns > 0}. */
        public Measurement measure(int limit, int latencyRuns, ProgressListener progress, CancellationToken cancel)
                throws IOException, OrtException {
            Evaluation e = evaluate(limit, progress, cancel);
            closeSession(); // the timed session should not share memory and cores with an idle one
            Latency l = latencyRuns > 0 ? latency(latencyRuns, cancel) : null;
            return new Measurement(e, l, fileBytes());
        }

        private void closeSession() throws OrtException {
            if (session != null) {
                OrtModel s = session;
                session = null;
                s.close();
            }
        }

        /** Closes the session and deletes the file. */
        @Override
        public void close() throws IOException {
            try {
                closeSession();
            } catch (OrtException e) {
                throw new IOException(file + ": closing the ONNX Runtime session: " + e.getMessage(), e);
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }
}
