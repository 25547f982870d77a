package org.sparsitybench.prune.mask;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.ScoreFunction;
import org.sparsitybench.prune.select.ChunkScan;
import org.sparsitybench.prune.select.ExactSelector;
import org.sparsitybench.prune.select.StreamedBits;
import org.sparsitybench.prune.select.Threshold;
import org.sparsitybench.task.CancellationToken;

/**
 * A mask that is a {@link Threshold} on a score function, kept as the rule rather than as bits: creating one
 * costs nothing, so a slider can move a threshold without touching the weights. {@link #isKept} reads the one
 * element; {@link #toBitMask()} materialises all of it in one parallel pass, once (the result is kept).
 * Immutable in meaning; caches are filled lazily and safely.
 */
public final class ThresholdMask implements Mask {
    private final TensorData data;
    private final ScoreFunction score;
    private final Threshold threshold;
    private volatile BitMask bits;
    private final long[] lastPrunedTie;

    /**
     * @param data      the weights the scores are computed from (not modified)
     * @param score     the score function the threshold was selected with
     * @param threshold the cut
     */
    public ThresholdMask(TensorData data, ScoreFunction score, Threshold threshold) {
        this(data, score, threshold, null);
    }

    /**
     * A threshold mask whose bits are known already (from {@link ExactSelector#selectAndMaterialise}).
     *
     * @param bits the cut's mask, or null to materialise on demand
     */
    public ThresholdMask(TensorData data, ScoreFunction score, Threshold threshold, BitMask bits) {
        this.data = Objects.requireNonNull(data, "data");
        this.score = Objects.requireNonNull(score, "score");
        this.threshold = Objects.requireNonNull(threshold, "threshold");
        if (data.elementCount() != threshold.size()) {
            throw new IllegalArgumentException("threshold over " + threshold.size() + " elements for data of "
                    + data.elementCount());
        }
        if (bits != null && (bits.size() != threshold.size() || bits.prunedCount() != threshold.prunedCount())) {
            throw new IllegalArgumentException(bits + " does not match " + threshold);
        }
        this.bits = bits;
        this.lastPrunedTie = new long[threshold.partCount()];
        Arrays.fill(lastPrunedTie, Long.MIN_VALUE);
    }

    public Threshold threshold() {
        return threshold;
    }

    public ScoreFunction score() {
        return score;
    }

    public TensorData data() {
        return data;
    }

    @Override
    public long size() {
        return threshold.size();
    }

    @Override
    public long prunedCount() {
        return threshold.prunedCount();
    }

    /**
     * The kept elements that are zero (either sign) when the cut tells without reading the weights, else -1. With
     * |w| scores a zero scores 0, the lowest score there is: a cut above 0 prunes every zero, a cut at 0 keeps just
     * the zeros among its ties that it does not prune, and pruning everything keeps none. Keeping everything (or
     * any other score) says nothing about the zeros.
     */
    @Override
    public long keptZeros() {
        if (!score.isMagnitude()) {
            return -1;
        }
        return switch (threshold.kind()) {
            case KEEP_ALL -> -1;
            case PRUNE_ALL -> 0;
            case AT_BITS -> threshold.bits() > 0 ? 0 : threshold.tieCount() - (threshold.prunedCount()
                    - threshold.belowCount());
        };
    }

    /** Whether the bits are already materialised. */
    public boolean isMaterialised() {
        return bits != null;
    }

    @Override
    public boolean isKept(long index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("element " + index + " of " + size());
        }
        BitMask b = bits;
        if (b != null) {
            return b.isKept(index);
        }
        switch (threshold.kind()) {
            case KEEP_ALL:
                return true;
            case PRUNE_ALL:
                return false;
            default:
                break;
        }
        float[] w = new float[1];
        int[] s = new int[1];
        data.readFloats(index, FloatBuffer.wrap(w));
        score.scoreBits(index, w, 1, s);
        int t = threshold.bits();
        if (s[0] != t) {
            return s[0] > t;
        }
        int p = threshold.partOf(index);
        long pruned = threshold.tiesPruned(p);
        if (pruned == 0) {
            return true;
        }
        if (pruned == threshold.ties(p)) {
            return false;
        }
        return index > lastPrunedTie(p);
    }

    /** Index of the last tie pruned in part {@code p} (0 < tiesPruned < ties), found once by a partial scan. */
    private long lastPrunedTie(int p) {
        synchronized (lastPrunedTie) {
            if (lastPrunedTie[p] != Long.MIN_VALUE) {
                return lastPrunedTie[p];
            }
        }
        long wanted = threshold.tiesPruned(p);
        int t = threshold.bits();
        long[] seen = {0};
        long[] found = {-1};
        try {
            ChunkScan.scan(data, score, threshold.partStart(p), threshold.partStart(p + 1), CancellationToken.NONE,
                    (first, w, s, len) -> {
                        for (int i = 0; i < len; i++) {
                            if (ChunkScan.bits(s, w, i) == t && ++seen[0] == wanted) {
                                found[0] = first + i;
                                throw new StopScan();
                            }
                        }
                    });
        } catch (StopScan done) {
            // found
        }
        if (found[0] < 0) {
            throw new IllegalStateException("part " + p + " holds " + seen[0] + " ties of " + threshold
                    + ", expected at least " + wanted + " (data or score function changed?)");
        }
        synchronized (lastPrunedTie) {
            lastPrunedTie[p] = found[0];
        }
        return found[0];
    }

    /** {@link StreamedBits} of the cut, when {@code weights} are this mask's data and its bits do not exist yet. */
    @Override
    public StreamedBits streamedBits(TensorData weights) {
        return bits != null || weights != data ? null : StreamedBits.of(data, score, threshold);
    }

    /**
     * Keeps the complete streamed bits as this mask's (checked against the cut), unless it has bits already.
     *
     * @throws IllegalStateException if {@code streamed} is incomplete or disagrees with the cut
     */
    @Override
    public void adopt(StreamedBits streamed) {
        BitMask b = streamed.result();
        synchronized (lastPrunedTie) {
            if (bits == null) {
                bits = b;
            }
        }
    }

    @Override
    public BitMask toBitMask() {
        return toBitMask(CancellationToken.NONE);
    }

    /**
     * Materialises the mask in one parallel pass over the tensor, or returns the bits from an earlier call.
     *
     * @throws org.sparsitybench.task.CancelledException if cancelled (nothing is kept then)
     */
    public BitMask toBitMask(CancellationToken cancel) {
        BitMask b = bits;
        if (b == null) {
            b = ExactSelector.materialise(data, score, threshold, cancel);
            bits = b;
        }
        return b;
    }

    @Override
    public String toString() {
        return "ThresholdMask[" + threshold + "]";
    }

    /** Ends a scan early. */
    private static final class StopScan extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StopScan() {
            super(null, null, false, false);
        }
    }
}
