package org.sparsitybench.prune.method;

import java.util.List;
import java.util.Optional;
import org.sparsitybench.prune.LayerInput;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningMethod;
import org.sparsitybench.prune.ScoreFunction;
import org.sparsitybench.prune.mask.ThresholdMask;
import org.sparsitybench.prune.select.ExactSelector;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Base of the unstructured methods that prune the k smallest scores: the exact selector over the cached
 * histogram, ties by element index, result as a {@link ThresholdMask} (lazy when the cache keeps bin indexes,
 * materialised in the selecting pass otherwise).
 */
public abstract class ScoredMethod implements PruningMethod {
    /** The score function of this method for {@code layer}. */
    public abstract ScoreFunction scoreFunction(LayerInput layer);

    /** The score this method selects by: {@link #scoreFunction} with zeros already in the file first. */
    private ScoreFunction selectionScore(LayerInput layer) {
        ScoreFunction score = scoreFunction(layer);
        // |w| already puts the zeros first: counting them would be a pass over the weights for nothing.
        return score.isMagnitude() ? score : ZerosFirstScore.of(score, layer.tensor().stats().zeros());
    }

    @Override
    public Optional<ScoreFunction> elementScores(LayerInput layer) {
        return Optional.of(selectionScore(layer));
    }

    @Override
    public Mask select(LayerInput layer, long k, CancellationToken cancel) {
        if (k < 0 || k > layer.size()) {
            throw new IllegalArgumentException(layer.tensor().name() + ": k = " + k + " outside [0, " + layer.size() + "]");
        }
        ScoreFunction score = selectionScore(layer);
        ExactSelector.Selection s = layer.cache().select(List.of(layer.tensor()), List.of(score), k,
                ProgressListener.NONE, cancel).get(0);
        return new ThresholdMask(layer.tensor().data(), score, s.threshold(), s.mask());
    }

    @Override
    public String toString() {
        return id();
    }
}
