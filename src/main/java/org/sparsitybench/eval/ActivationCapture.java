package org.sparsitybench.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.formats.onnx.OnnxProbe;
import org.sparsitybench.model.Model;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Runs the first K samples of a dataset through ONNX Runtime with chosen intermediate values exposed as extra
 * graph outputs and hands each value's batch to a consumer: the activations a quantizer calibrates its ranges on
 * (as {@link ActivationNorms} captures Wanda's layer inputs).
 */
public final class ActivationCapture {
    private ActivationCapture() {
    }

    /** Receives one captured value for one batch. */
    @FunctionalInterface
    public interface Consumer {
        /**
         * @param value  the graph value's name
         * @param values its elements for the batch, batch-major (read, not kept: the buffer is freed after the call)
         */
        void accept(String value, FloatBuffer values);
    }

    /**
     * @param model   the model (its file is not modified; a probe copy is written beside it and deleted)
     * @param card    preprocessing and input name
     * @param data    samples; the first {@code samples} of them are used
     * @param values  graph values to capture; a graph input is captured as the preprocessed batch
     * @param consumer called once per value per batch, on the calling thread
     */
    public static void run(Model model, ModelCard card, LabeledData data, int samples, Collection<String> values,
                           Consumer consumer, ProgressListener progress, CancellationToken cancel) throws Exception {
        if (samples < 1) {
            throw new IllegalArgumentException("samples " + samples + ": need at least 1");
        }
        Set<String> probed = new LinkedHashSet<>(values);
        probed.removeAll(model.graph().inputs());
        Path probe = AtomicFiles.createProcessTempFile(model.file().toAbsolutePath().getParent(),
                ".sparsitybench-probe-", ".onnx");
        Files.delete(probe);
        try {
            OnnxProbe.withOutputs(model, probed, probe);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            int total = Math.min(samples, data.count());
            try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                 OrtSession session = env.createSession(probe.toString(), opts);
                 LabeledData.Cursor cursor = data.batches(64)) {
                int seen = 0;
                for (LabeledData.Batch b = cursor.next(); b != null && seen < total; b = cursor.next()) {
                    cancel.throwIfCancelled();
                    int count = Math.min(b.count(), total - seen);
                    float[] x = java.util.Arrays.copyOf(b.values(), count * card.sampleSize());
                    card.preprocessInPlace(x, count);
                    long[] shape = card.inputShape().clone();
                    shape[0] = count;
                    if (probed.isEmpty()) {
                        // only graph inputs asked for: the preprocessed batch is the value, nothing to run
                        for (String v : values) {
                            consumer.accept(v, FloatBuffer.wrap(x));
                        }
                    } else {
                        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                             OrtSession.Result r = session.run(Map.of(card.input(), in), probed)) {
                            for (String v : values) {
                                if (probed.contains(v)) {
                                    consumer.accept(v, ((OnnxTensor) r.get(v).orElseThrow()).getFloatBuffer());
                                } else {
                                    consumer.accept(v, FloatBuffer.wrap(x));
                                }
                            }
                        }
                    }
                    seen += count;
                    progress.progress((double) seen / total, "calibration " + seen + " / " + total);
                }
            }
        } finally {
            Files.deleteIfExists(probe);
        }
    }
}
