package org.sparsitybench.train;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.data.InMemoryData;
import org.sparsitybench.model.GraphNode;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/** Writing a trained network back into its model, and the teacher's logits for distillation. */
public final class RecoveredModel {
    private RecoveredModel() {
    }

    /**
     * Writes {@code model} with the network's trained values to {@code out}, atomically, through the format's
     * writer: only initializer values change (each in its own dtype: an fp16 weight trained in float32 is
     * rounded back to fp16), everything else is copied byte for byte. Tensors whose values did not change are not
     * rewritten.
     *
     * @param model the model the network was read from (not modified; its file is never written)
     * @param net   the trained network (not modified)
     * @return the tensors written, by name
     */
    public static Map<String, TensorUpdate> write(Model model, GraphNetwork net, Map<String, String> metadata,
                                                  Path out, ProgressListener progress, CancellationToken cancel)
            throws IOException {
        Map<String, TensorUpdate> updates = updates(model, net);
        ModelFiles.writerFor(model.format()).write(model, updates, metadata, out, progress, cancel);
        return updates;
    }

    /**
     * {@code model} with the network's trained values in place of its tensors' (values copied; same graph, same
     * file): what the window shows and measures as the recovered state. Nothing is written.
     *
     * @param model not modified
     * @param net   not modified
     */
    public static Model inMemory(Model model, GraphNetwork net) {
        return MaskedPruning.withValues(model, net);
    }

    /** The changed tensors as updates (values copied). */
    public static Map<String, TensorUpdate> updates(Model model, GraphNetwork net) {
        Map<String, TensorUpdate> updates = new LinkedHashMap<>();
        for (Map.Entry<String, Param> e : net.tensors().entrySet()) {
            WeightTensor t = model.tensor(e.getKey()).orElseThrow();
            float[] v = e.getValue().value;
            if (!Arrays.equals(v, t.data().readAllFloats())) {
                updates.put(t.name(), TensorUpdate.of(t, v.clone()));
            }
        }
        return updates;
    }

    /**
     * The teacher's logits for every sample, computed once with ONNX Runtime. A teacher whose graph ends in
     * Softmax gives probabilities; their logarithms are logits up to a per-row constant, which the softmax of the
     * distillation loss ignores.
     *
     * @param teacher the teacher model file (not modified)
     * @param card    its preprocessing
     * @param raw     the samples, raw (not modified)
     * @return count × K values
     */
    public static float[] teacherLogits(Path teacher, ModelCard card, InMemoryData raw, CancellationToken cancel)
            throws IOException {
        Model m = ModelFiles.read(teacher);
        String output = m.graph().outputs().isEmpty() ? "" : m.graph().outputs().get(0);
        boolean probabilities = m.graph().producer(output).map(GraphNode::opType).filter("Softmax"::equals)
                .isPresent();
        int size = card.sampleSize();
        int n = raw.count();
        float[] out = null;
        int k = 0;
        try (OrtModel ort = OrtModel.open(teacher, card.input(), 0)) {
            int chunk = 512;
            for (int from = 0; from < n; from += chunk) {
                cancel.throwIfCancelled();
                int m2 = Math.min(chunk, n - from);
                float[] x = Arrays.copyOfRange(raw.values(), from * size, (from + m2) * size);
                card.preprocessInPlace(x, m2);
                long[] shape = card.inputShape().clone();
                shape[0] = m2;
                float[] logits = ort.run(x, shape);
                if (out == null) {
                    k = logits.length / m2;
                    out = new float[n * k];
                }
                if (probabilities) {
                    for (int i = 0; i < logits.length; i++) {
                        logits[i] = (float) Math.log(Math.max(logits[i], 1e-30f));
                    }
                }
                System.arraycopy(logits, 0, out, from * k, logits.length);
            }
        } catch (OrtException e) {
            throw new IOException(teacher + ": ONNX Runtime cannot run the teacher: " + e.getMessage(), e);
        }
        return out;
    }

    /** A preprocessed copy of {@code raw}'s values. */
    public static float[] preprocessed(ModelCard card, InMemoryData raw) {
        float[] x = raw.values().clone();
        card.preprocessInPlace(x, raw.count());
        return x;
    }
}
