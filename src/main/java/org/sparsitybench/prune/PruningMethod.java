package org.sparsitybench.prune;

import java.util.Optional;
import org.sparsitybench.task.CancellationToken;

/**
 * A way to choose which weights of one layer to prune. Implementations are stateless and immutable; they read
 * weights and cached statistics through the {@link LayerInput} and never modify anything.
 *
 * <p>Unstructured methods that prune the k smallest per-element scores (magnitude, random) also expose their
 * {@link #elementScores}; the engine then pools such layers for global allocations (one threshold over many
 * tensors). A structured, N:M or calibration-based method (Wanda) implements {@link #select} alone: it may select
 * per row or per group and return any {@link Mask} (a row or block mask), pruning the count nearest {@code k}
 * its structure allows (N:M may ignore {@code k} entirely); the engine reports what was achieved.
 */
public interface PruningMethod {
    /** Identifier used in configurations, e.g. {@code "magnitude"}. */
    String id();

    /**
     * The mask of one layer pruning {@code k} of its weights (exactly {@code k} for unstructured methods).
     *
     * @param layer  the layer and its context (not modified)
     * @param k      number of weights to prune, {@code 0 <= k <= layer.size()}
     * @param cancel checked at safe points
     * @throws IllegalArgumentException if {@code k} is out of range
     */
    Mask select(LayerInput layer, long k, CancellationToken cancel);

    /**
     * Whether the method removes whole output channels (their bias and BatchNorm entries go with them, and an
     * export can compact them away); such methods take the target per channel group.
     */
    default boolean structured() {
        return false;
    }

    /**
     * The per-element scores whose k smallest {@link #select} prunes, if the method works that way; empty for
     * structured and group methods.
     */
    default Optional<ScoreFunction> elementScores(LayerInput layer) {
        return Optional.empty();
    }
}
