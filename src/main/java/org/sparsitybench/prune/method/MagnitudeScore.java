package org.sparsitybench.prune.method;

import org.sparsitybench.prune.ScoreFunction;

/** {@code score = |w|}: the magnitude family's score. {@code -0} scores as {@code +0}, NaN above {@code +Inf}. */
public final class MagnitudeScore implements ScoreFunction {
    public static final MagnitudeScore INSTANCE = new MagnitudeScore();

    private MagnitudeScore() {
    }

    @Override
    public void scoreBits(long first, float[] weights, int len, int[] bits) {
        for (int i = 0; i < len; i++) {
            bits[i] = ScoreFunction.magnitudeBits(weights[i]);
        }
    }

    @Override
    public boolean isMagnitude() {
        return true;
    }

    @Override
    public String key() {
        return "magnitude";
    }

    @Override
    public String toString() {
        return "|w|";
    }
}
