package org.sparsitybench.prune.stats;

import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.task.CancellationToken;

/**
 * Two masks of one tensor compared weight by weight, seen as a matrix like {@link HeatmapGrid}
 * ({@code [rows = dim 0, cols = product of the other dims]}) and reduced to at most {@code gridRows × gridCols}
 * cells split as evenly as integers allow. Each cell counts its weights in the four {@link Kind}s; a view paints
 * each cell by {@link #dominant(int, int)}.
 *
 * @param rows     matrix rows
 * @param cols     matrix columns
 * @param gridRows cell rows
 * @param gridCols cell columns
 * @param counts   per cell, row-major, the count of each {@link Kind} at {@code cell * 4 + kind.ordinal()}
 * @param totals   counts of each {@link Kind} over the whole tensor
 */
public record MaskDiffGrid(long rows, long cols, int gridRows, int gridCols, long[] counts, long[] totals) {
    /** How one weight fares under mask A and mask B. */
    public enum Kind {
        /** Kept by both masks. */
        KEPT_BOTH,
        /** Pruned by both masks. */
        PRUNED_BOTH,
        /** Kept by A, pruned by B. */
        ONLY_A,
        /** Kept by B, pruned by A. */
        ONLY_B
    }

    private static final int KINDS = 4;

    /**
     * Counts every weight once, a 64-weight word at a time.
     *
     * @param shape tensor shape (not modified); its element count must equal both masks' size
     * @param a     first mask (not modified)
     * @param b     second mask (not modified)
     * @throws IllegalArgumentException when sizes disagree or the grid is smaller than 1×1
     */
    public static MaskDiffGrid of(long[] shape, Mask a, Mask b, int maxRows, int maxCols, CancellationToken cancel) {
        if (maxRows < 1 || maxCols < 1) {
            throw new IllegalArgumentException("grid " + maxRows + "×" + maxCols + " must be at least 1×1");
        }
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (a.size() != n || b.size() != n) {
            throw new IllegalArgumentException("masks of " + a.size() + " and " + b.size()
                    + " weights do not fit shape of " + n + " elements");
        }
        long rows = shape.length == 0 ? 1 : shape[0];
        long cols = rows == 0 ? 0 : n / Math.max(1, rows);
        int gr = (int) Math.max(1, Math.min(maxRows, rows));
        int gc = (int) Math.max(1, Math.min(maxCols, cols));
        long[] counts = new long[gr * gc * KINDS];
        BitMask ba = a.toBitMask();
        BitMask bb = b.toBitMask();
        long[] colStart = new long[gc + 1];
        for (int j = 0; j <= gc; j++) {
            colStart[j] = (j * cols + gc - 1) / gc;
        }
        for (long r = 0; r < rows; r++) {
            cancel.throwIfCancelled();
            int base = (int) (r * gr / rows) * gc;
            for (int j = 0; j < gc; j++) {
                long from = r * cols + colStart[j];
                long to = r * cols + colStart[j + 1];
                int cell = (base + j) * KINDS;
                long both = 0;
                long onlyA = 0;
                long onlyB = 0;
                long at = from;
                while (at < to) {
                    int w = (int) (at >>> 6);
                    int lo = (int) (at & 63);
                    int len = (int) Math.min(64 - lo, to - at);
                    long range = len == 64 ? -1L : ((1L << len) - 1) << lo;
                    long wa = ba.word(w) & range;
                    long wb = bb.word(w) & range;
                    both += Long.bitCount(wa & wb);
                    onlyA += Long.bitCount(wa & ~wb);
                    onlyB += Long.bitCount(~wa & wb);
                    at += len;
                }
                counts[cell + Kind.KEPT_BOTH.ordinal()] += both;
                counts[cell + Kind.ONLY_A.ordinal()] += onlyA;
                counts[cell + Kind.ONLY_B.ordinal()] += onlyB;
                counts[cell + Kind.PRUNED_BOTH.ordinal()] += (to - from) - both - onlyA - onlyB;
            }
        }
        long[] totals = new long[KINDS];
        for (int i = 0; i < counts.length; i++) {
            totals[i % KINDS] += counts[i];
        }
        return new MaskDiffGrid(rows, cols, gr, gc, counts, totals);
    }

    /** Weights of {@code kind} in the cell. */
    public long count(int row, int col, Kind kind) {
        return counts[(row * gridCols + col) * KINDS + kind.ordinal()];
    }

    /** Weights of {@code kind} in the whole tensor. */
    public long total(Kind kind) {
        return totals[kind.ordinal()];
    }

    /** Weights the two masks treat differently. */
    public long differing() {
        return total(Kind.ONLY_A) + total(Kind.ONLY_B);
    }

    /**
     * The kind with the most weights in the cell; ties go to a difference first ({@link Kind#ONLY_A},
     * {@link Kind#ONLY_B}), so that a reduced grid never hides a difference that is as common as agreement.
     */
    public Kind dominant(int row, int col) {
        Kind best = Kind.ONLY_A;
        long bestCount = -1;
        for (Kind k : new Kind[] {Kind.ONLY_A, Kind.ONLY_B, Kind.KEPT_BOTH, Kind.PRUNED_BOTH}) {
            long c = count(row, col, k);
            if (c > bestCount) {
                best = k;
                bestCount = c;
            }
        }
        return best;
    }
}
