package org.sparsitybench.prune.select;

import java.util.Arrays;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.ScoreFunction;
import org.sparsitybench.task.CancellationToken;

/**
 * Level 1 of the exact selector: how many of a tensor's scores fall in each of the 65,536 bins given by the top
 * 16 bits of their bit patterns, with the sum of the <em>weights'</em> squares in each bin:
 * <pre>
 *   count[b]      = #{ i : score_i &gt;&gt;&gt; 16 == b }
 *   sumSquares[b] = Σ { (double) w_i² : score_i &gt;&gt;&gt; 16 == b, w_i finite }
 * </pre>
 * For |w| scores a bin spans a relative width of 2<sup>-7</sup>. Built in one chunked pass, split into
 * {@link Parts} that run in parallel and are merged in part order, so the result is the same on any machine.
 * Only non-empty bins are stored (typically a few thousand), plus each part's counts, which the
 * {@link ExactSelector} needs to split ties between parts. Immutable; independent of any sparsity, so the engine
 * caches one per tensor and score function.
 */
public final class ScoreHistogram {
    /** Number of level-1 bins: one per value of the top 16 score bits. */
    public static final int BINS = 1 << 16;

    /** First bin of non-finite scores ({@code +Inf} and NaN). */
    public static final int FIRST_NON_FINITE_BIN = ScoreFunction.INF_BITS >>> 16;

    private final long size;
    private final long[] partStart;
    private final int[] bins;
    private final long[] counts;
    private final double[] sumSquares;
    private final long[] cumulative;
    private final long[][] partCounts;
    private final double totalSumSquares;
    private final String scoreKey;
    private final boolean magnitude;

    private ScoreHistogram(long size, long[] partStart, int[] bins, long[] counts, double[] sumSquares,
                           long[][] partCounts, String scoreKey, boolean magnitude) {
        this.size = size;
        this.partStart = partStart;
        this.bins = bins;
        this.counts = counts;
        this.sumSquares = sumSquares;
        this.partCounts = partCounts;
        this.scoreKey = scoreKey;
        this.magnitude = magnitude;
        this.cumulative = new long[bins.length + 1];
        double total = 0;
        for (int j = 0; j < bins.length; j++) {
            cumulative[j + 1] = cumulative[j] + counts[j];
            total += sumSquares[j];
        }
        this.totalSumSquares = total;
    }

    /**
     * Builds the histogram of {@code score} over {@code data} in one pass (data not modified).
     *
     * @throws org.sparsitybench.task.CancelledException if cancelled
     */
    public static ScoreHistogram build(TensorData data, ScoreFunction score, CancellationToken cancel) {
        long n = data.elementCount();
        long[] bounds = Parts.boundaries(n);
        int parts = bounds.length - 1;
        // Count and sum of squares side by side, so one element touches one cache line.
        double[][] partHist = new double[parts][];
        Parts.run(parts, p -> {
            double[] h = new double[2 * BINS];
            ChunkScan.scan(data, score, bounds[p], bounds[p + 1], cancel, (first, w, bits, len) -> {
                if (bits == null) {
                    // |w| scores: non-finite weights land in the non-finite bins, whose sums are dropped below.
                    for (int i = 0; i < len; i++) {
                        int at = (ScoreFunction.magnitudeBits(w[i]) >>> 16) << 1;
                        h[at] += 1.0;
                        h[at + 1] += (double) w[i] * w[i];
                    }
                } else {
                    for (int i = 0; i < len; i++) {
                        int at = (bits[i] >>> 16) << 1;
                        double sq = (double) w[i] * w[i];
                        h[at] += 1.0;
                        if (sq < Double.POSITIVE_INFINITY) { // NaN and Inf add nothing
                            h[at + 1] += sq;
                        }
                    }
                }
            });
            partHist[p] = h;
        });
        return fromParts(n, bounds, partHist, score);
    }

    /**
     * The histogram from per-part accumulators: {@code partHist[p][2 b]} counts and {@code partHist[p][2 b + 1]}
     * sums of squares of part {@code p}, bin {@code b} (for |w| scores the sums of the non-finite bins are
     * ignored, so that those may accumulate Inf and NaN). Merged in part order.
     */
    private static ScoreHistogram fromParts(long n, long[] bounds, double[][] partHist, ScoreFunction score) {
        int parts = bounds.length - 1;
        if (score.isMagnitude()) {
            for (double[] h : partHist) {
                for (int b = FIRST_NON_FINITE_BIN; b < BINS; b++) {
                    h[2 * b + 1] = 0.0;
                }
            }
        }
        int nonEmpty = 0;
        for (int b = 0; b < BINS; b++) {
            for (int p = 0; p < parts; p++) {
                if (partHist[p][2 * b] != 0) {
                    nonEmpty++;
                    break;
                }
            }
        }
        int[] bins = new int[nonEmpty];
        long[] counts = new long[nonEmpty];
        double[] sums = new double[nonEmpty];
        long[][] partCounts = new long[parts][nonEmpty];
        int j = 0;
        for (int b = 0; b < BINS; b++) {
            long c = 0;
            double s = 0;
            for (int p = 0; p < parts; p++) {
                c += (long) partHist[p][2 * b];
                s += partHist[p][2 * b + 1];
            }
            if (c != 0) {
                for (int p = 0; p < parts; p++) {
                    partCounts[p][j] = (long) partHist[p][2 * b];
                }
                bins[j] = b;
                counts[j] = c;
                sums[j] = s;
                j++;
            }
        }
        return new ScoreHistogram(n, bounds, bins, counts, sums, partCounts, score.key(), score.isMagnitude());
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    /** Key of the score function it was built with. */
    public String scoreKey() {
        return scoreKey;
    }

    /** Whether the scores are |w|, so that bin values are the weights' magnitudes. */
    public boolean isMagnitude() {
        return magnitude;
    }

    /** Number of non-empty bins. */
    public int binCount() {
        return bins.length;
    }

    /** The bin (top 16 score bits) of the {@code j}-th non-empty bin, ascending in {@code j}. */
    public int bin(int j) {
        return bins[j];
    }

    /** Elements in the {@code j}-th non-empty bin. */
    public long count(int j) {
        return counts[j];
    }

    /** Σ w² over the finite weights in the {@code j}-th non-empty bin. */
    public double sumSquares(int j) {
        return sumSquares[j];
    }

    /** Σ w² over all finite weights. */
    public double totalSumSquares() {
        return totalSumSquares;
    }

    /** Elements whose score lies in a bin below {@code bin}. */
    public long countBelowBin(int bin) {
        return cumulative[indexAtOrAbove(bin)];
    }

    /** Elements whose score lies in bin {@code bin}. */
    public long countInBin(int bin) {
        int j = indexOf(bin);
        return j < 0 ? 0 : counts[j];
    }

    /** Elements with non-finite scores (bins from {@link #FIRST_NON_FINITE_BIN}). */
    public long nonFiniteCount() {
        return size - countBelowBin(FIRST_NON_FINITE_BIN);
    }

    /** Index {@code j} of {@code bin} among the non-empty bins, or a negative number when the bin is empty. */
    public int indexOf(int bin) {
        return Arrays.binarySearch(bins, bin);
    }

    /** Smallest {@code j} with {@code bin(j) >= bin} ({@link #binCount()} when there is none). */
    public int indexAtOrAbove(int bin) {
        int j = Arrays.binarySearch(bins, bin);
        return j >= 0 ? j : -j - 1;
    }

    /** Number of parts the tensor was split into; see {@link Parts#boundaries}. */
    public int partCount() {
        return partStart.length - 1;
    }

    /** First element of part {@code p}; {@code partStart(partCount())} is the size. */
    public long partStart(int p) {
        return partStart[p];
    }

    /** Elements of part {@code p} in the {@code j}-th non-empty bin. */
    public long partCount(int p, int j) {
        return partCounts[p][j];
    }

    /** All 65,536 counts, for views. */
    public long[] denseCounts() {
        long[] out = new long[BINS];
        for (int j = 0; j < bins.length; j++) {
            out[bins[j]] = counts[j];
        }
        return out;
    }

    /** Heap bytes held, roughly. */
    public long memoryBytes() {
        return 64L + bins.length * (4L + 8 + 8 + 8 + 8L * partCounts.length);
    }
}
