package org.sparsitybench.prune;

/**
 * Per-element pruning scores: the smaller the score, the earlier the weight is pruned. Scores are non-negative
 * floats handled as their IEEE bit patterns, which order like non-negative ints; {@code +0} is the only zero
 * ({@code -0} maps to {@code +0}) and every NaN maps to {@link #NAN_BITS}, the smallest NaN pattern, just above
 * {@code +Inf} ({@code 0x7f800000}): NaN and infinite weights are pruned only after every finite one, NaN last. Implementations are
 * immutable, stateless per call and safe to use from several threads.
 */
public interface ScoreFunction {
    /** Canonical bits of a NaN score: the largest score there is, one above {@link #INF_BITS}. */
    int NAN_BITS = 0x7f800001;

    /** Bits of {@code +Inf}. Scores at or above it belong to non-finite weights. */
    int INF_BITS = 0x7f800000;

    /**
     * Computes the score bits of elements {@code [first, first + len)}.
     *
     * @param first   index of {@code weights[0]} in the tensor (not modified)
     * @param weights the elements' weights, {@code len} of them (not modified)
     * @param len     number of elements
     * @param bits    receives the canonical score bits, {@code len} of them (modified)
     */
    void scoreBits(long first, float[] weights, int len, int[] bits);

    /**
     * True when the score of a weight {@code w} is exactly {@code |w|}; histogram bins then give the weights'
     * squares, so energy statistics need no extra pass over the data.
     */
    boolean isMagnitude();

    /** A stable identity of this score function (with its parameters), used to cache histograms. */
    String key();

    /** Canonical score bits of {@code |w|}: sign cleared, NaN mapped to {@link #NAN_BITS}. */
    static int magnitudeBits(float w) {
        return Math.min(Float.floatToRawIntBits(w) & 0x7fffffff, NAN_BITS);
    }

    /**
     * Maps non-negative score bits to their canonical form: NaN ({@code > INF_BITS}) to {@link #NAN_BITS},
     * everything else unchanged.
     */
    static int canonical(int nonNegativeBits) {
        return Math.min(nonNegativeBits, NAN_BITS);
    }
}
