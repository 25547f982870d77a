package org.sparsitybench.prune;

import java.util.Objects;
import org.sparsitybench.model.WeightTensor;

/**
 * What a {@link PruningMethod} gets to see of one layer.
 *
 * @param tensor      the prunable weight (not modified)
 * @param tensorIndex its position in {@code Model.tensors()}; seeds per-tensor random streams
 * @param seed        the configuration's seed
 * @param cache       cached score histograms, shared by the engine's runs
 * @param nmPattern   the configuration's N:M pattern ("2:4"), or null
 * @param activations calibration norms of the layer's input features (Wanda), or null when none were measured
 */
public record LayerInput(WeightTensor tensor, int tensorIndex, long seed, ScoreCache cache, String nmPattern,
                         FeatureNorms activations) {
    /** A layer input without an N:M pattern or calibration. */
    public LayerInput(WeightTensor tensor, int tensorIndex, long seed, ScoreCache cache) {
        this(tensor, tensorIndex, seed, cache, null, null);
    }

    public LayerInput {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(cache, "cache");
        if (tensorIndex < 0) {
            throw new IllegalArgumentException("tensor index " + tensorIndex + " < 0");
        }
    }

    /** Number of weights. */
    public long size() {
        return tensor.elementCount();
    }
}
