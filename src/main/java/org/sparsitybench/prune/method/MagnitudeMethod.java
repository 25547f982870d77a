package org.sparsitybench.prune.method;

import org.sparsitybench.prune.LayerInput;
import org.sparsitybench.prune.ScoreFunction;

/** Unstructured magnitude pruning: prunes the k smallest |w|, ties by index, NaN and ±Inf last. */
public final class MagnitudeMethod extends ScoredMethod {
    public static final String ID = "magnitude";
    public static final MagnitudeMethod INSTANCE = new MagnitudeMethod();

    private MagnitudeMethod() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public ScoreFunction scoreFunction(LayerInput layer) {
        return MagnitudeScore.INSTANCE;
    }
}
