package org.sparsitybench.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.formats.onnx.OnnxProbe;
import org.sparsitybench.model.GraphNode;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.FeatureNorms;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Calibration for Wanda: runs K samples through ONNX Runtime with each prunable layer's input exposed as an
 * extra graph output, and returns the centred norm {@code ‖X_j − μ_j‖₂} per input feature (per input channel for a
 * Conv, over samples and positions) for every layer, {@code μ_j} the feature's mean on the same samples. Centred,
 * because the pipeline moves a pruned weight's mean contribution {@code W_ij·μ_j} into the bias (mean
 * compensation, {@link Reconstruction}), so what pruning it costs is {@code W_ij²·‖X_j − μ_j‖²}: a constant input
 * (an image's border pixels) costs nothing, where the raw norm ranked it among the most important.
 */
public final class ActivationNorms {
    private ActivationNorms() {
    }

    /**
     * Norms per input feature for every layer whose input can be captured, by weight name: the calibration data
     * the engine's Wanda method takes ({@link org.sparsitybench.prune.PruningEngine}). Layers absent (inside a
     * subgraph, grouped Conv, weight not the B operand) have no calibration.
     *
     * @param samples number of calibration samples, the first ones of {@code data}
     */
    public static Map<String, FeatureNorms> capture(Model model, ModelCard card, LabeledData data, int samples,
                                                  ProgressListener progress, CancellationToken cancel) throws Exception {
        Map<String, String> inputOf = new LinkedHashMap<>();
        Map<String, Integer> featureAxis = new HashMap<>();
        for (WeightTensor t : model.prunableTensors()) {
            Optional<GraphNode> node = model.graph().nodes().stream().filter(n -> n.name().equals(t.node())).findFirst();
            if (node.isEmpty() || !node.get().input(1).equals(t.name())) {
                continue; // inside a subgraph, or not the B operand: left to other methods
            }
            GraphNode n = node.get();
            int axis = switch (n.opType()) {
                case "Gemm" -> n.intAttribute("transB", 0) != 0 ? 1 : 0;
                case "MatMul" -> t.rank() == 2 ? 0 : -1;
                case "Conv" -> n.intAttribute("group", 1) == 1 ? 1 : -1;
                default -> -1;
            };
            if (axis >= 0) {
                inputOf.put(t.name(), n.input(0));
                featureAxis.put(t.name(), axis);
            }
        }
        if (inputOf.isEmpty()) {
            throw new UnsupportedModelException(model.file() + ": no Gemm, MatMul or Conv weight whose input Wanda can capture");
        }
        Path probe = org.sparsitybench.formats.AtomicFiles.createProcessTempFile(model.file().toAbsolutePath().getParent(),
                ".sparsitybench-probe-", ".onnx");
        Files.delete(probe);
        Map<String, double[]> sums = new HashMap<>();
        Map<String, double[]> firsts = new HashMap<>();
        Map<String, long[]> counts = new HashMap<>();
        try {
            // A layer fed by the graph input itself reads the preprocessed batch directly.
            java.util.Set<String> probed = new java.util.HashSet<>(inputOf.values());
            probed.removeAll(model.graph().inputs());
            OnnxProbe.withOutputs(model, probed, probe);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                 OrtSession session = env.createSession(probe.toString(), opts)) {
                // A model whose input fixes its batch size (often 1) is fed exactly that many samples per run,
                // the last run padded with zero samples whose activations are not counted.
                long[] declared = ((TensorInfo) session.getInputInfo().get(card.input()).getInfo()).getShape();
                int fixed = declared.length > 0 && declared[0] > 0 ? (int) declared[0] : 0;
                try (LabeledData.Cursor cursor = data.batches(fixed > 0 ? fixed : 64)) {
                    int seen = 0;
                    for (LabeledData.Batch b = cursor.next(); b != null && seen < samples; b = cursor.next()) {
                        cancel.throwIfCancelled();
                        int count = Math.min(b.count(), samples - seen);
                        int rows = fixed > 0 ? fixed : count;
                        float[] x = java.util.Arrays.copyOf(b.values(), rows * card.sampleSize());
                        card.preprocessInPlace(x, count);
                        java.util.Arrays.fill(x, count * card.sampleSize(), x.length, 0f);
                        long[] shape = card.inputShape().clone();
                        shape[0] = rows;
                        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                             // Every layer reading a graph input: ONNX Runtime still wants one output asked for.
                             OrtSession.Result r = session.run(Map.of(card.input(), in), probed.isEmpty()
                                     ? Set.of(session.getOutputNames().iterator().next()) : probed)) {
                            for (Map.Entry<String, String> e : inputOf.entrySet()) {
                                long[] s;
                                FloatBuffer fb;
                                if (probed.contains(e.getValue())) {
                                    OnnxTensor t = (OnnxTensor) r.get(e.getValue()).orElseThrow();
                                    s = ((TensorInfo) t.getInfo()).getShape();
                                    fb = t.getFloatBuffer();
                                } else {
                                    s = shape;
                                    fb = FloatBuffer.wrap(x);
                                }
                                int features = (int) s[1];
                                long per = 1;
                                for (int i = 2; i < s.length; i++) {
                                    per *= s[i];
                                }
                                double[] acc = sums.computeIfAbsent(e.getKey(), k -> new double[features]);
                                double[] first = firsts.computeIfAbsent(e.getKey(), k -> new double[features]);
                                int counted = fb.remaining() / rows * count; // padded samples' activations left out
                                for (int i = 0; i < counted; i++) {
                                    float val = fb.get();
                                    int f = (int) ((i / per) % features);
                                    acc[f] += (double) val * val;
                                    first[f] += val;
                                }
                                counts.computeIfAbsent(e.getKey(), k -> new long[1])[0] += counted / features;
                            }
                        }
                        seen += count;
                        progress.progress((double) seen / samples, "calibration " + seen + " / " + samples);
                    }
                }
            } catch (ai.onnxruntime.OrtException e) {
                throw new java.io.IOException(model.file() + ": ONNX Runtime could not run the calibration: "
                        + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(probe);
        }
        Map<String, FeatureNorms> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            double[] norms = e.getValue().clone();
            double[] first = firsts.get(e.getKey());
            long n = counts.get(e.getKey())[0];
            for (int i = 0; i < norms.length; i++) {
                // Σ(x − μ)² = Σx² − (Σx)²/n, never below 0 where rounding would take it there
                norms[i] = Math.sqrt(Math.max(0, norms[i] - first[i] * first[i] / n));
            }
            out.put(e.getKey(), new FeatureNorms(norms, featureAxis.get(e.getKey())));
        }
        return out;
    }
}
