package org.sparsitybench.ui.reconstruct;

import java.util.HashMap;
import java.util.Map;
import org.sparsitybench.eval.Reconstruction;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.Mask;

/**
 * The weights the distribution, heatmap and layer table show for one configuration: the engine's mask over the
 * original W, or — once reconstruction has run for that configuration — its masks and reconstructed Ŵ. Stateless;
 * called off the FX thread with the workbench's frame.
 */
public final class ReconstructedWeights {
    /** How the views name the original weights under the engine's mask. */
    public static final String MASK_ONLY = "W under the mask (mask only)";
    /** How the views name the reconstructed weights. */
    public static final String RECONSTRUCTED = "reconstructed Ŵ";

    private ReconstructedWeights() {
    }

    /** "reconstructed Ŵ" when {@code r} is not null, else "W under the mask (mask only)". */
    public static String label(Reconstruction.Result r) {
        return r == null ? MASK_ONLY : RECONSTRUCTED;
    }

    /** The mask shown for {@code tensor}: reconstruction's (SparseGPT chooses its own) when it ran, else the engine's. */
    public static Mask mask(Reconstruction.Result r, String tensor, Mask engine) {
        return r == null ? engine : r.masks().getOrDefault(tensor, engine);
    }

    /** Every mask shown: {@code engine}'s (not modified), with reconstruction's where it chose its own. */
    public static Map<String, Mask> masks(Reconstruction.Result r, Map<String, Mask> engine) {
        if (r == null) {
            return engine;
        }
        Map<String, Mask> out = new HashMap<>(engine);
        out.putAll(r.masks());
        return out;
    }

    /**
     * The values the distribution and heatmap show for {@code tensor} under {@code mask}: {@code Ŵ} on kept
     * weights, the original {@code W} on pruned ones (so the ghost of all weights still shows what was cut), or
     * plain {@code W} when {@code r} is null or left the tensor alone.
     *
     * @param tensor the dense tensor (not modified)
     * @param mask   the mask shown ({@link #mask}; not modified)
     */
    public static TensorData shown(Reconstruction.Result r, WeightTensor tensor, Mask mask) {
        TensorData now = r == null ? null : r.values().get(tensor.name());
        if (now == null) {
            return tensor.data();
        }
        float[] w = tensor.data().readAllFloats();
        float[] hat = now.readAllFloats();
        BitMask kept = mask.toBitMask();
        for (int i = 0; i < w.length; i++) {
            if (kept.isKept(i)) {
                w[i] = hat[i];
            }
        }
        return TensorData.ofFloats(w);
    }

    /**
     * {@code |Ŵ − W|} on the kept weights of {@code tensor}, 0 on pruned ones: the change reconstruction made.
     * All zeros when {@code r} is null or left the tensor alone.
     *
     * @param tensor the dense tensor (not modified)
     * @param mask   the mask shown (not modified)
     */
    public static TensorData change(Reconstruction.Result r, WeightTensor tensor, Mask mask) {
        TensorData now = r == null ? null : r.values().get(tensor.name());
        float[] w = tensor.data().readAllFloats();
        if (now == null) {
            return TensorData.ofFloats(new float[w.length]);
        }
        float[] hat = now.readAllFloats();
        BitMask kept = mask.toBitMask();
        for (int i = 0; i < w.length; i++) {
            w[i] = kept.isKept(i) ? Math.abs(hat[i] - w[i]) : 0f;
        }
        return TensorData.ofFloats(w);
    }
}
