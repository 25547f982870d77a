package org.sparsitybench.prune.select;

import java.util.Arrays;

/**
 * Statistics of a magnitude cut computed from the cached {@link ScoreHistogram} and the {@link Threshold} alone,
 * without reading the weights: what makes a slider move cheap. Stateless.
 */
public final class SelectionStats {
    private SelectionStats() {
    }

    /**
     * Share of the energy kept: {@code Σ_kept w² / Σ_all w²} over finite weights; 1 for a tensor without energy.
     * Kept bins above the cut contribute their cached sums; the cut's own bin contributes the exact squares of its
     * kept values (level 2 knows them, since for |w| scores a value is its score).
     *
     * @param histogram |w| histogram of the tensor (not modified)
     * @param threshold a cut on it
     * @throws IllegalArgumentException for histograms of other scores
     */
    public static double energyRetained(ScoreHistogram histogram, Threshold threshold) {
        requireMagnitude(histogram, threshold);
        double total = histogram.totalSumSquares();
        if (!(total > 0)) {
            return 1.0;
        }
        double kept;
        switch (threshold.kind()) {
            case KEEP_ALL:
                return 1.0;
            case PRUNE_ALL:
                return 0.0;
            default:
                kept = threshold.boundaryKeptSquares();
                for (int j = histogram.indexAtOrAbove(threshold.bin() + 1); j < histogram.binCount(); j++) {
                    kept += histogram.sumSquares(j);
                }
                break;
        }
        return Math.min(1.0, kept / total);
    }

    /**
     * Histogram of the kept finite magnitudes, for the distribution view.
     *
     * @param edges  {@code bins + 1} ascending edges from 0 to the top of the largest finite level-1 bin; inner
     *               edges are rounded down to level-1 bin boundaries (relative error under 2<sup>-7</sup>), so
     *               that the counts are exact
     * @param counts kept elements with {@code edges[i] <= |w| < edges[i + 1]}
     */
    public record KeptHistogram(double[] edges, long[] counts) {
        public long total() {
            return Arrays.stream(counts).sum();
        }
    }

    /**
     * The kept finite |w| in {@code bins} equal-width bins (edges snapped, see {@link KeptHistogram}), from the
     * level-1 counts only: O(bins + non-empty level-1 bins).
     */
    public static KeptHistogram keptMagnitudes(ScoreHistogram histogram, Threshold threshold, int bins) {
        requireMagnitude(histogram, threshold);
        if (bins < 1) {
            throw new IllegalArgumentException("bins " + bins + " < 1");
        }
        double[] edges = new double[bins + 1];
        long[] counts = new long[bins];
        int top = histogram.indexAtOrAbove(ScoreHistogram.FIRST_NON_FINITE_BIN) - 1;
        if (top < 0) {
            return new KeptHistogram(edges, counts);
        }
        int topBin = histogram.bin(top);
        float hi = topBin + 1 >= ScoreHistogram.FIRST_NON_FINITE_BIN
                ? Float.MAX_VALUE : Float.intBitsToFloat((topBin + 1) << 16);
        for (int i = 1; i < bins; i++) {
            float e = (float) ((double) hi * i / bins);
            edges[i] = Float.intBitsToFloat((Float.floatToRawIntBits(e) >>> 16) << 16);
        }
        edges[bins] = hi;
        long prunedInCut = threshold.prunedCount() - histogram.countBelowBin(threshold.bin());
        int display = 0;
        for (int j = 0; j <= top; j++) {
            int bin = histogram.bin(j);
            long kept;
            switch (threshold.kind()) {
                case KEEP_ALL -> kept = histogram.count(j);
                case PRUNE_ALL -> kept = 0;
                default -> kept = bin < threshold.bin() ? 0
                        : bin > threshold.bin() ? histogram.count(j) : histogram.count(j) - prunedInCut;
            }
            double lo = Float.intBitsToFloat(bin << 16);
            while (display + 1 < bins && edges[display + 1] <= lo) {
                display++;
            }
            counts[display] += kept;
        }
        return new KeptHistogram(edges, counts);
    }

    private static void requireMagnitude(ScoreHistogram histogram, Threshold threshold) {
        if (!histogram.isMagnitude()) {
            throw new IllegalArgumentException("statistics from the histogram need |w| scores, not '"
                    + histogram.scoreKey() + "'");
        }
        if (histogram.size() != threshold.size()) {
            throw new IllegalArgumentException("threshold over " + threshold.size() + " elements for a histogram of "
                    + histogram.size());
        }
    }
}
