package org.sparsitybench.prune.select;

import java.util.Arrays;

/**
 * Where one tensor is cut: the exact score bits {@code T} of the k-th smallest score and how many of the elements
 * scoring exactly {@code T} (the ties) are pruned, per {@link Parts part}. An element is pruned when
 * <pre>
 *   score &lt; T,  or  score == T and it is among the first tiesPruned(p) ties of its part p in index order.
 * </pre>
 * Ties are taken in tensor order, then part order, then element order, so the pruned count is exactly the one
 * asked for. Immutable.
 */
public final class Threshold {
    /** The three shapes of a cut. */
    public enum Kind {
        /** Nothing pruned (k = 0). */
        KEEP_ALL,
        /** Everything pruned (k = n). */
        PRUNE_ALL,
        /** Cut at score bits {@link #bits()}. */
        AT_BITS
    }

    private final Kind kind;
    private final long size;
    private final int bits;
    private final long below;
    private final long[] partStart;
    private final long[] ties;
    private final long[] tiesPruned;
    private final double boundaryKeptSquares;
    /** Σ tiesPruned and Σ ties, summed once: masks ask for them per chunk an export streams. */
    private final long tiesPrunedSum;
    private final long tieSum;

    Threshold(Kind kind, long size, int bits, long below, long[] partStart, long[] ties, long[] tiesPruned,
              double boundaryKeptSquares) {
        this.kind = kind;
        this.size = size;
        this.bits = bits;
        this.below = below;
        this.partStart = partStart;
        this.ties = ties;
        this.tiesPruned = tiesPruned;
        this.boundaryKeptSquares = boundaryKeptSquares;
        this.tiesPrunedSum = Arrays.stream(tiesPruned).sum();
        this.tieSum = Arrays.stream(ties).sum();
    }

    static Threshold keepAll(long size, long[] partStart) {
        int parts = partStart.length - 1;
        return new Threshold(Kind.KEEP_ALL, size, -1, 0, partStart, new long[parts], new long[parts], Double.NaN);
    }

    static Threshold pruneAll(long size, long[] partStart) {
        int parts = partStart.length - 1;
        return new Threshold(Kind.PRUNE_ALL, size, Integer.MAX_VALUE, size, partStart, new long[parts],
                new long[parts], 0.0);
    }

    public Kind kind() {
        return kind;
    }

    /** Elements of the tensor. */
    public long size() {
        return size;
    }

    /** Score bits {@code T} of the cut; -1 for {@link Kind#KEEP_ALL}. */
    public int bits() {
        return bits;
    }

    /** {@code T} as a float (the k-th smallest score itself); NaN for {@link Kind#KEEP_ALL}. */
    public float value() {
        return kind == Kind.KEEP_ALL ? Float.NaN : Float.intBitsToFloat(bits);
    }

    /** The level-1 bin holding {@code T}. */
    public int bin() {
        return bits >>> 16;
    }

    /** Elements scoring strictly below {@code T} (all of them for {@link Kind#PRUNE_ALL}). */
    public long belowCount() {
        return below;
    }

    /** Elements pruned: {@code belowCount() + Σ tiesPruned(p)}. */
    public long prunedCount() {
        return kind == Kind.PRUNE_ALL ? size : below + tiesPrunedSum;
    }

    /** Elements scoring exactly {@code T}. */
    public long tieCount() {
        return tieSum;
    }

    public int partCount() {
        return partStart.length - 1;
    }

    public long partStart(int p) {
        return partStart[p];
    }

    /** Ties in part {@code p}. */
    public long ties(int p) {
        return ties[p];
    }

    /** Ties pruned in part {@code p}: its first ones in index order. */
    public long tiesPruned(int p) {
        return tiesPruned[p];
    }

    /** The part holding element {@code index}. */
    public int partOf(long index) {
        int p = Arrays.binarySearch(partStart, index);
        p = p >= 0 ? p : -p - 2;
        return Math.min(p, partCount() - 1);
    }

    /**
     * For |w| scores: Σ w² over the finite kept elements of the bin holding {@code T} (the part of the kept
     * energy the level-1 bins cannot give); NaN for other scores.
     */
    public double boundaryKeptSquares() {
        return boundaryKeptSquares;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case KEEP_ALL -> "Threshold[keep all " + size + "]";
            case PRUNE_ALL -> "Threshold[prune all " + size + "]";
            case AT_BITS -> "Threshold[T=" + value() + " (0x" + Integer.toHexString(bits) + "), pruned " + prunedCount()
                    + " of " + size + ", ties " + tieCount() + " pruned " + (prunedCount() - below) + "]";
        };
    }
}
