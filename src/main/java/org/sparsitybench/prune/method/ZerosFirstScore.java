package org.sparsitybench.prune.method;

import org.sparsitybench.prune.ScoreFunction;

/**
 * Another score with the weights already zero in the file put first: an exact zero ({@code ±0}) scores
 * {@code +0}, every other weight at least the smallest positive score. Zeros already in the file are the starting
 * point of pruning: a method never keeps a zero while it prunes a non-zero to make up its count (random scores
 * ignore the weights, and Wanda's or any product score ties a zero with a weight whose input never fires).
 * Immutable.
 */
public final class ZerosFirstScore implements ScoreFunction {
    private final ScoreFunction inner;

    private ZerosFirstScore(ScoreFunction inner) {
        this.inner = inner;
    }

    /**
     * {@code score} with zeros first; the magnitude score already orders them so and is returned as it is (its
     * histogram then still gives the weights' energy).
     */
    public static ScoreFunction of(ScoreFunction score) {
        return score.isMagnitude() || score instanceof ZerosFirstScore ? score : new ZerosFirstScore(score);
    }

    @Override
    public void scoreBits(long first, float[] weights, int len, int[] bits) {
        inner.scoreBits(first, weights, len, bits);
        for (int i = 0; i < len; i++) {
            bits[i] = weights[i] == 0f ? 0 : Math.max(bits[i], 1);
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
