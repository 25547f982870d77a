package org.sparsitybench.prune.method;

import org.sparsitybench.prune.ScoreFunction;

/**
 * Seeded random scores in [0, 1), a pure function of (seed, tensor index, element index), so they need no memory
 * and come out the same on every run and machine:
 * <pre>
 *   mix(z)  = SplitMix64's finaliser: z ^= z &gt;&gt;&gt; 30; z *= 0xbf58476d1ce4e5b9; z ^= z &gt;&gt;&gt; 27;
 *             z *= 0x94d049bb133111eb; z ^= z &gt;&gt;&gt; 31
 *   base    = mix(mix(seed) + tensorIndex)
 *   h_i     = mix(base + (i + 1) * 0x9e3779b97f4a7c15)      (the SplitMix64 stream from base)
 *   score_i = (h_i &gt;&gt;&gt; 40) * 2^-24                        (24 random bits, exact in a float)
 * </pre>
 * The scores ignore the weights, NaN ones included.
 */
public final class RandomScore implements ScoreFunction {
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private final long seed;
    private final int tensorIndex;
    private final long base;

    public RandomScore(long seed, int tensorIndex) {
        if (tensorIndex < 0) {
            throw new IllegalArgumentException("tensor index " + tensorIndex + " < 0");
        }
        this.seed = seed;
        this.tensorIndex = tensorIndex;
        this.base = mix(mix(seed) + tensorIndex);
    }

    /** SplitMix64's output function. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The score of element {@code index}, for references and tests. */
    public float score(long index) {
        return (mix(base + (index + 1) * GOLDEN) >>> 40) * 0x1p-24f;
    }

    @Override
    public void scoreBits(long first, float[] weights, int len, int[] bits) {
        long state = base + (first + 1) * GOLDEN;
        for (int i = 0; i < len; i++, state += GOLDEN) {
            bits[i] = Float.floatToRawIntBits((mix(state) >>> 40) * 0x1p-24f);
        }
    }

    @Override
    public boolean isMagnitude() {
        return false;
    }

    @Override
    public String key() {
        return "random:" + seed + ":" + tensorIndex;
    }

    @Override
    public String toString() {
        return "random(seed " + seed + ", tensor " + tensorIndex + ")";
    }
}
