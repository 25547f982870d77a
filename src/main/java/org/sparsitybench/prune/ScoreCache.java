package org.sparsitybench.prune;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.select.BinIndex;
import org.sparsitybench.prune.select.ExactSelector;
import org.sparsitybench.prune.select.ScoreHistogram;
import org.sparsitybench.prune.select.Threshold;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Score histograms (and, for interactive use, bin indexes) per tensor and score function. They do not depend on
 * the sparsity, so every run of the engine after the first reuses them. Keys are the tensor objects themselves
 * (identity) and the score function's {@link ScoreFunction#key()}. Thread-safe; a cancelled build stores nothing.
 */
public final class ScoreCache {
    private final boolean binIndexes;
    private final Map<Key, ScoreHistogram> histograms = new ConcurrentHashMap<>();
    private final Map<Key, BinIndex> indexes = new ConcurrentHashMap<>();

    /**
     * @param binIndexes also build a {@link BinIndex} per tensor (2 bytes per weight) on first selection, so that
     *                   later thresholds need no pass over the weights: for sliders
     */
    public ScoreCache(boolean binIndexes) {
        this.binIndexes = binIndexes;
    }

    public boolean buildsBinIndexes() {
        return binIndexes;
    }

    /** The histogram of {@code score} over {@code tensor}, built on first request (one pass). */
    public ScoreHistogram histogram(WeightTensor tensor, ScoreFunction score, CancellationToken cancel) {
        Key key = new Key(tensor, score.key());
        ScoreHistogram h = histograms.get(key);
        if (h == null) {
            h = ScoreHistogram.build(tensor.data(), score, cancel);
            ScoreHistogram earlier = histograms.putIfAbsent(key, h);
            h = earlier != null ? earlier : h;
        }
        return h;
    }

    /** Whether the histogram is cached already. */
    public boolean hasHistogram(WeightTensor tensor, ScoreFunction score) {
        return histograms.containsKey(new Key(tensor, score.key()));
    }

    /** The selector's view of a tensor: data, score, histogram and (when enabled and possible) bin index. */
    public ExactSelector.Candidate candidate(WeightTensor tensor, ScoreFunction score, CancellationToken cancel) {
        ScoreHistogram h = histogram(tensor, score, cancel);
        BinIndex index = null;
        if (binIndexes && h.size() <= BinIndex.MAX_ELEMENTS) {
            Key key = new Key(tensor, score.key());
            index = indexes.get(key);
            if (index == null) {
                index = BinIndex.build(tensor.data(), score, h, cancel);
                BinIndex earlier = indexes.putIfAbsent(key, index);
                index = earlier != null ? earlier : index;
            }
        }
        return new ExactSelector.Candidate(tensor.data(), score, h, index);
    }

    /**
     * The cuts pruning the {@code k} smallest scores over {@code tensors} together (one tensor for a per-layer
     * selection, several for a global one), ties in list order then element order. Histograms are built (and
     * cached) first where missing. With bin indexes the masks are left lazy (null in the selections): the cut
     * reads no weights. Without, the one pass that gathers the cut's bin also materialises the masks.
     *
     * @param tensors  the tensors (not modified)
     * @param scores   their score functions, one per tensor
     * @param k        elements to prune over all of them
     * @param progress told the fraction of histograms done
     */
    public List<ExactSelector.Selection> select(List<WeightTensor> tensors, List<ScoreFunction> scores, long k,
                                                ProgressListener progress, CancellationToken cancel) {
        if (tensors.size() != scores.size()) {
            throw new IllegalArgumentException(tensors.size() + " tensors, " + scores.size() + " score functions");
        }
        List<ExactSelector.Candidate> candidates = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            progress.progress((double) i / tensors.size(), tensors.get(i).name() + ": scores");
            candidates.add(candidate(tensors.get(i), scores.get(i), cancel));
        }
        progress.progress(1, "threshold");
        if (!binIndexes) {
            return ExactSelector.selectAndMaterialise(candidates, k, cancel);
        }
        List<ExactSelector.Selection> out = new ArrayList<>(tensors.size());
        for (Threshold t : ExactSelector.select(candidates, k, cancel)) {
            out.add(new ExactSelector.Selection(t, null));
        }
        return out;
    }

    /** Heap bytes held by the cached histograms and indexes, roughly. */
    public long memoryBytes() {
        long sum = 0;
        for (ScoreHistogram h : histograms.values()) {
            sum += h.memoryBytes();
        }
        for (BinIndex i : indexes.values()) {
            sum += i.memoryBytes();
        }
        return sum;
    }

    /** Drops everything (e.g. after the model's weights were replaced). */
    public void clear() {
        histograms.clear();
        indexes.clear();
    }

    private record Key(WeightTensor tensor, String score) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.tensor == tensor && k.score.equals(score);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(tensor) * 31 + score.hashCode();
        }
    }
}
