package org.sparsitybench.prune.method;

import org.sparsitybench.prune.LayerInput;
import org.sparsitybench.prune.ScoreFunction;

/**
 * Seeded random pruning, the usual baseline: prunes the k smallest {@link RandomScore}s of (seed, tensor index,
 * element index). Deterministic per seed, exact k, no memory beyond the cached histogram.
 */
public final class RandomMethod extends ScoredMethod {
    public static final String ID = "random";
    public static final RandomMethod INSTANCE = new RandomMethod();

    private RandomMethod() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public ScoreFunction scoreFunction(LayerInput layer) {
        return new RandomScore(layer.seed(), layer.tensorIndex());
    }
}
