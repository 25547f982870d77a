package org.sparsitybench.prune;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.select.BinIndex;
import org.sparsitybench.prune.select.ExactSelector;
import org.sparsitybench.prune.select.OnePassSelect;
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
    /**
     * Default bound on the weights covered by bin indexes (2 bytes each, so 200 MB): enough for every model of up
     * to 100M weights; the tensors beyond it gather their cut's bin from the weights instead.
     */
    public static final long DEFAULT_INDEX_LIMIT = 100_000_000L;

    private final boolean binIndexes;
    private final long indexLimit;
    private final AtomicLong indexed = new AtomicLong();
    private final Map<Key, ScoreHistogram> histograms = new ConcurrentHashMap<>();
    private final Map<Key, BinIndex> indexes = new ConcurrentHashMap<>();

    /**
     * @param binIndexes also build a {@link BinIndex} per tensor (2 bytes per weight) on first selection, so that
     *                   later thresholds need no pass over the weights: for sliders. Bounded by
     *                   {@link #DEFAULT_INDEX_LIMIT} weights
     */
    public ScoreCache(boolean binIndexes) {
        this(binIndexes, DEFAULT_INDEX_LIMIT);
    }

    /**
     * @param binIndexes as {@link #ScoreCache(boolean)}
     * @param indexLimit most weights the bin indexes cover together: a tensor whose index would exceed it gets none
     *                   (its cuts then read the weights of the cut's bin). Tensors whose histogram
     *                   {@linkplain ScoreHistogram#hasValueCounts() knows every value} (BF16, FP16) never need one
     */
    public ScoreCache(boolean binIndexes, long indexLimit) {
        if (indexLimit < 0) {
            throw new IllegalArgumentException("index limit " + indexLimit + " < 0");
        }
        this.binIndexes = binIndexes;
        this.indexLimit = indexLimit;
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

    /** The selector's view of a tensor: data, score, histogram and (when enabled and possible) bin index. */
    public ExactSelector.Candidate candidate(WeightTensor tensor, ScoreFunction score, CancellationToken cancel) {
        ScoreHistogram h = histogram(tensor, score, cancel);
        BinIndex index = null;
        if (binIndexes && !h.hasValueCounts() && h.size() <= BinIndex.MAX_ELEMENTS) {
            Key key = new Key(tensor, score.key());
            index = indexes.get(key);
            if (index == null && reserve(h.size())) {
                try {
                    index = BinIndex.build(tensor.data(), score, h, cancel);
                } catch (RuntimeException e) {
                    indexed.addAndGet(-h.size());
                    throw e;
                }
                BinIndex earlier = indexes.putIfAbsent(key, index);
                if (earlier != null) {
                    indexed.addAndGet(-h.size());
                    index = earlier;
                }
            }
        }
        return new ExactSelector.Candidate(tensor.data(), score, h, index);
    }

    /** Takes {@code n} weights of the index budget, if they are left. */
    private boolean reserve(long n) {
        long now;
        do {
            now = indexed.get();
            if (now + n > indexLimit) {
                return false;
            }
        } while (!indexed.compareAndSet(now, now + n));
        return true;
    }

    /** Weights covered by the bin indexes built so far. */
    public long indexedWeights() {
        return indexed.get();
    }

    /**
     * The cuts pruning the {@code k} smallest scores over {@code tensors} together (one tensor for a per-layer
     * selection, several for a global one), ties in list order then element order. Histograms are built (and
     * cached) first where missing. With bin indexes the masks are left lazy (null in the selections): the cut
     * reads no weights. Without, the masks are materialised where the cut reads weights: large float32 |w| tensors
     * without a cached histogram get histogram, cut's bin and mask from one pass ({@link OnePassSelect}), others
     * from the pass that gathers the cut's bin; tensors whose histogram has value counts (BF16, FP16) read nothing
     * for their cut, so their masks stay lazy and cost one raw pass when materialised.
     *
     * @param tensors  the tensors (not modified)
     * @param scores   their score functions, one per tensor
     * @param k        elements to prune over all of them
     * @param progress told the fraction of histograms done (0 and 1 only without bin indexes)
     */
    public List<ExactSelector.Selection> select(List<WeightTensor> tensors, List<ScoreFunction> scores, long k,
                                                ProgressListener progress, CancellationToken cancel) {
        if (tensors.size() != scores.size()) {
            throw new IllegalArgumentException(tensors.size() + " tensors, " + scores.size() + " score functions");
        }
        if (!binIndexes) {
            // Histograms, cut and masks together: large float32 tensors are read once (see OnePassSelect).
            List<ScoreHistogram> known = new ArrayList<>(tensors.size());
            List<TensorData> data = new ArrayList<>(tensors.size());
            for (int i = 0; i < tensors.size(); i++) {
                known.add(histograms.get(new Key(tensors.get(i), scores.get(i).key())));
                data.add(tensors.get(i).data());
            }
            progress.progress(0, "scores and threshold");
            OnePassSelect.Result r = OnePassSelect.select(data, scores, known, k, cancel);
            for (int i = 0; i < tensors.size(); i++) {
                histograms.putIfAbsent(new Key(tensors.get(i), scores.get(i).key()), r.histograms().get(i));
            }
            progress.progress(1, "threshold");
            return r.selections();
        }
        List<ExactSelector.Candidate> candidates = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            progress.progress((double) i / tensors.size(), tensors.get(i).name() + ": scores");
            candidates.add(candidate(tensors.get(i), scores.get(i), cancel));
        }
        progress.progress(1, "threshold");
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
        indexed.set(0);
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
