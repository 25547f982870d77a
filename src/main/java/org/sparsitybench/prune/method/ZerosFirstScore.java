package org.sparsitybench.prune.method;

import org.sparsitybench.prune.ScoreFunction;

/**
 * Another score with the weights already zero in the file put first: zeros ({@code ±0}) score in
 * {@code [0, 2^30 − 2^22)} and every other finite score in {@code [2^30 − 2^22, INF_BITS)}, each half keeping the
 * inner order at half its resolution ({@code bits >>> 1}); non-finite scores stay as they are. Zeros already in
 * the file are the starting point of pruning: a method never keeps a zero while it prunes a non-zero to make up
 * its count (random scores ignore the weights), and among the zeros the inner order still decides (a random
 * method on an all-zero tensor still depends on its seed). Immutable.
 */
public final class ZerosFirstScore implements ScoreFunction {
    /** First score bits of a non-zero weight: {@code INF_BITS >>> 1}, so the shifted finite ones stay finite. */
    static final int NON_ZERO = ScoreFunction.INF_BITS >>> 1;

    private final ScoreFunction inner;

    private ZerosFirstScore(ScoreFunction inner) {
        this.inner = inner;
    }

    /**
     * {@code score} with zeros first for a tensor holding {@code zeros} of them; the magnitude score already
     * orders them so, and a tensor without zeros needs nothing: both are returned as they are (the magnitude
     * histogram then still gives the weights' energy, and masks of files without zeros do not change).
     */
    public static ScoreFunction of(ScoreFunction score, long zeros) {
        return zeros == 0 || score.isMagnitude() || score instanceof ZerosFirstScore ? score : new ZerosFirstScore(score);
    }

    @Override
    public void scoreBits(long first, float[] weights, int len, int[] bits) {
        inner.scoreBits(first, weights, len, bits);
        for (int i = 0; i < len; i++) {
            int b = bits[i];
            if (weights[i] == 0f) {
                bits[i] = Math.min(b, ScoreFunction.INF_BITS - 1) >>> 1;
            } else if (b < ScoreFunction.INF_BITS) {
                bits[i] = NON_ZERO + (b >>> 1);
            }
        }
    }

    @Override
    public boolean isMagnitude() {
        return false;
    }

    @Override
    public String key() {
        return "zeros-first:" + inner.key();
    }

    @Override
    public String toString() {
        return inner + ", zeros first";
    }
}
