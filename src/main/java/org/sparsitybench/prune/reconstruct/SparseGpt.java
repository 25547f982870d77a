package org.sparsitybench.prune.reconstruct;

import java.nio.DoubleBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.sparsitybench.task.CancellationToken;

/**
 * SparseGPT (Frantar &amp; Alistarh 2023, "SparseGPT: Massive Language Models Can Be Accurately Pruned in
 * One-Shot") for one weight matrix {@code W[rows × cols]} used as {@code y = x·Wᵀ}: with {@code H = 2XᵀX/n}
 * damped as in {@link DampedHessian} and {@code U} the upper Cholesky factor of {@code H⁻¹}, columns are visited
 * in blocks of {@code blockSize}; at a block's start the mask of the block prunes the weights with the smallest
 * {@code w² / U_jj²} (the block's share of the target count, or per row {@code M−N} of every group of M
 * columns); then column by column each weight's error {@code e = (w − q) / U_ii} is spread over the columns to
 * its right, {@code W[:, j] −= e·U_ij}, inside the block at once and for the columns after the block with one
 * matrix product. Float64 throughout; the O(cols³) factorisations and the trailing products run in OpenBLAS.
 * Stateless.
 */
public final class SparseGpt {
    public static final int DEFAULT_BLOCK_SIZE = 128;
    public static final double DEFAULT_PERC_DAMP = 0.01;
    /** Largest column count: H (cols²) must fit one array. */
    public static final int MAX_COLS = 46_340;

    private SparseGpt() {
    }

    /** What to prune: an exact count, or an N:M pattern. */
    public sealed interface Target permits Count, NM {
    }

    /**
     * Prune exactly {@code pruned} weights of the matrix; block b gets
     * {@code ⌊k·end_b/size⌋ − ⌊k·start_b/size⌋} of them (elements counted row by row of blocks).
     * With {@code zeros} (the weights that arrived as 0, row-major, not modified), those are pruned first in every
     * block and the rest of the count is spread over the blocks by their other weights: block b gets its zeros
     * plus {@code ⌊e·nz_end_b/nz⌋ − ⌊e·nz_start_b/nz⌋} others, {@code e = max(0, pruned − zeros)}. A zero is then
     * never kept (and moved by the error spread) while a non-zero elsewhere is pruned to make up the count.
     */
    public record Count(long pruned, boolean[] zeros) implements Target {
        public Count(long pruned) {
            this(pruned, null);
        }
    }

    /**
     * Keep {@code n} of every {@code m} consecutive columns in each row. Groups start at every multiple of
     * {@code segment} (a Conv's input channels at one kernel position) and then every {@code m} columns; a group
     * cut short by the segment's end keeps at most {@code n}.
     */
    public record NM(int n, int m, int segment) implements Target {
        public NM {
            if (m < 1 || n < 0 || n > m || segment < 1) {
                throw new IllegalArgumentException("N:M " + n + ":" + m + " with segment " + segment
                        + " needs 0 <= N <= M, M >= 1, segment >= 1");
            }
        }

        int groupStart(int c) {
            int s = c - c % segment;
            return s + (c - s) / m * m;
        }

        int groupEnd(int c, int cols) {
            int s = c - c % segment;
            return Math.min(Math.min(groupStart(c) + m, s + segment), cols);
        }
    }

    /**
     * @param blockSize columns per block, at least 1
     * @param percDamp  damping as a share of mean(diag H), positive
     */
    public record Settings(int blockSize, double percDamp) {
        public static final Settings DEFAULT = new Settings(DEFAULT_BLOCK_SIZE, DEFAULT_PERC_DAMP);

        public Settings {
            if (blockSize < 1 || !(percDamp > 0)) {
                throw new IllegalArgumentException("block size " + blockSize + " / damping " + percDamp);
            }
        }
    }

    /**
     * @param weights  the pruned and updated matrix, row-major (pruned entries exactly 0)
     * @param pruned   per entry, row-major: whether the mask pruned it
     * @param percDamp damping share used (larger than requested when a factorisation failed)
     * @param lambda   absolute damping added to diag H
     */
    public record Result(double[] weights, boolean[] pruned, double percDamp, double lambda) {
        public long prunedCount() {
            long n = 0;
            for (boolean p : pruned) {
                n += p ? 1 : 0;
            }
            return n;
        }
    }

    /**
     * Prunes {@code w} with SparseGPT.
     *
     * @param w    row-major {@code rows × cols} weights (not modified)
     * @param h    {@code 2XᵀX/n}, row-major {@code cols × cols} (not modified)
     * @param cancel checked once per block
     * @throws IllegalArgumentException for a count outside {@code [0, rows·cols]} or mismatched sizes
     */
    public static Result prune(double[] w, int rows, int cols, double[] h, Target target, Settings settings,
                               CancellationToken cancel) {
        if (w.length != (long) rows * cols) {
            throw new IllegalArgumentException("W has " + w.length + " values, not " + rows + " × " + cols);
        }
        if (cols > MAX_COLS || (long) rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(rows + " × " + cols + " is larger than one array holds");
        }
        if (target instanceof Count c && (c.pruned() < 0 || c.pruned() > w.length)) {
            throw new IllegalArgumentException("count " + c.pruned() + " outside [0, " + w.length + "]");
        }
        DoublePointer[] factor = new DoublePointer[1];
        DampedHessian damped = DampedHessian.prepare(h, cols, settings.percDamp(), d -> {
            DoublePointer u = inverseUpperFactor(d.matrix(), cols);
            factor[0] = u;
            return u != null;
        });
        try (DoublePointer up = factor[0];
             DoublePointer wp = new DoublePointer(w);
             DoublePointer ep = new DoublePointer((long) Math.min(cols, settings.blockSize() + maxGroup(target)) * rows)) {
            DoubleBuffer wb = wp.asBuffer();
            DoubleBuffer ub = up.asBuffer();
            for (int c = 0; c < cols; c++) {
                if (damped.dead()[c]) {
                    for (int r = 0; r < rows; r++) {
                        wb.put(r * cols + c, 0.0);
                    }
                }
            }
            boolean[] pruned = new boolean[w.length];
            long total = w.length;
            long k = target instanceof Count c ? c.pruned() : 0;
            // Zeros that arrived in W, counted per column prefix (for the blocks' shares).
            long[] zerosBefore = new long[cols + 1];
            boolean[] arrived = target instanceof Count c ? c.zeros() : null;
            if (arrived != null) {
                if (arrived.length != w.length) {
                    throw new IllegalArgumentException("zeros has " + arrived.length + " flags, W " + w.length);
                }
                for (int col = 0; col < cols; col++) {
                    long z = 0;
                    for (int r = 0; r < rows; r++) {
                        z += arrived[r * cols + col] ? 1 : 0;
                    }
                    zerosBefore[col + 1] = zerosBefore[col] + z;
                }
            }
            long[] nonZerosBefore = new long[cols + 1];
            for (int col = 0; col <= cols; col++) {
                nonZerosBefore[col] = (long) col * rows - zerosBefore[col];
            }
            long nonZeros = nonZerosBefore[cols];
            long extra = Math.max(0, k - zerosBefore[cols]);
            for (int i1 = 0; i1 < cols; ) {
                cancel.throwIfCancelled();
                int i2 = Math.min(cols, i1 + settings.blockSize());
                if (target instanceof NM nm) {
                    i2 = nm.groupEnd(i2 - 1, cols);
                }
                int bw = i2 - i1;
                double[] w1 = new double[bw * rows];
                double[] hb = new double[bw * bw];
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < bw; j++) {
                        w1[j * rows + r] = wb.get(r * cols + i1 + j);
                    }
                }
                for (int i = 0; i < bw; i++) {
                    for (int j = i; j < bw; j++) {
                        hb[i * bw + j] = ub.get((i1 + i) * cols + i1 + j);
                    }
                }
                boolean[] mask1 = new boolean[bw * rows];
                if (target instanceof Count c && c.zeros() != null) {
                    long before = Math.floorDiv(extra * nonZerosBefore[i1], Math.max(1, nonZeros));
                    long after = Math.floorDiv(extra * nonZerosBefore[i2], Math.max(1, nonZeros));
                    long zerosHere = zerosBefore[i2] - zerosBefore[i1];
                    blockMask(w1, hb, bw, rows, (int) (zerosHere + after - before), mask1, c.zeros(), cols, i1);
                } else if (target instanceof Count) {
                    long before = Math.floorDiv(k * ((long) i1 * rows), total);
                    long after = Math.floorDiv(k * ((long) i2 * rows), total);
                    blockMask(w1, hb, bw, rows, (int) (after - before), mask1, null, cols, i1);
                }
                double[] err = new double[bw * rows];
                for (int i = 0; i < bw; i++) {
                    if (target instanceof NM nm && nm.groupStart(i1 + i) == i1 + i) {
                        groupMask(w1, hb, bw, rows, i, nm.groupEnd(i1 + i, cols) - i1, nm.n(), mask1);
                    }
                    double d = hb[i * bw + i];
                    int ci = i * rows;
                    for (int r = 0; r < rows; r++) {
                        double wv = w1[ci + r];
                        double q = mask1[ci + r] ? 0.0 : wv;
                        err[ci + r] = (wv - q) / d;
                        w1[ci + r] = q;
                    }
                    for (int j = i + 1; j < bw; j++) {
                        double f = hb[i * bw + j];
                        if (f != 0) {
                            int cj = j * rows;
                            for (int r = 0; r < rows; r++) {
                                w1[cj + r] -= err[ci + r] * f;
                            }
                        }
                    }
                }
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < bw; j++) {
                        wb.put(r * cols + i1 + j, w1[j * rows + r]);
                        pruned[r * cols + i1 + j] = mask1[j * rows + r];
                    }
                }
                if (i2 < cols) {
                    ep.position(0).put(err, 0, bw * rows);
                    // W[:, i2:] -= E · U[i1:i2, i2:], E = errᵀ (rows × bw)
                    Lapack.gemm(true, false, rows, cols - i2, bw, -1.0, ep.position(0), rows,
                            new DoublePointer(up).position((long) i1 * cols + i2), cols, 1.0,
                            new DoublePointer(wp).position(i2), cols);
                }
                i1 = i2;
            }
            double[] out = new double[w.length];
            wp.position(0).get(out);
            return new Result(out, pruned, damped.percDamp(), damped.lambda());
        }
    }

    private static int maxGroup(Target t) {
        return t instanceof NM nm ? nm.m() : 0;
    }

    /**
     * Upper Cholesky factor {@code U} of {@code m⁻¹} (so {@code m⁻¹ = UᵀU}), off-heap with the strict lower
     * triangle zero; null when a factorisation fails.
     */
    static DoublePointer inverseUpperFactor(double[] m, int n) {
        DoublePointer p = new DoublePointer(m);
        if (!Lapack.potrfUpper(p, n) || !Lapack.potriUpper(p, n) || !Lapack.potrfUpper(p, n)) {
            p.close();
            return null;
        }
        DoubleBuffer b = p.asBuffer();
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < i; j++) {
                b.put(i * n + j, 0.0);
            }
        }
        return p;
    }

    /**
     * Prunes the {@code count} entries of the block with the smallest {@code w² / U_jj²} (ties: the earlier
     * column, then the earlier row).
     */
    private static void blockMask(double[] w1, double[] hb, int bw, int rows, int count, boolean[] mask,
                                  boolean[] zeros, int cols, int i1) {
        if (count <= 0) {
            return;
        }
        int n = bw * rows;
        double[] score = new double[n];
        for (int j = 0; j < bw; j++) {
            double d = hb[j * bw + j];
            double d2 = d * d;
            for (int r = 0; r < rows; r++) {
                double v = w1[j * rows + r];
                // A weight that arrived as 0 (since moved by earlier blocks' errors) scores below every other.
                score[j * rows + r] = zeros != null && zeros[r * cols + i1 + j] ? -1 : v * v / d2;
            }
        }
        if (count >= n) {
            Arrays.fill(mask, true);
            return;
        }
        double[] sorted = score.clone();
        Arrays.sort(sorted);
        double t = sorted[count - 1];
        int left = count;
        for (int e = 0; e < n && left > 0; e++) {
            if (Double.compare(score[e], t) < 0) {
                mask[e] = true;
                left--;
            }
        }
        for (int e = 0; e < n && left > 0; e++) {
            if (Double.compare(score[e], t) == 0) {
                mask[e] = true;
                left--;
            }
        }
    }

    /**
     * In every row, of the local columns {@code [g, end)} keeps the {@code n} largest {@code w² / U_jj²} (ties:
     * the earlier column kept) and prunes the rest.
     */
    private static void groupMask(double[] w1, double[] hb, int bw, int rows, int g, int end, int n, boolean[] mask) {
        int len = end - g;
        int prune = len - n;
        if (prune <= 0) {
            return;
        }
        double[] s = new double[len];
        Integer[] order = new Integer[len];
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < len; q++) {
                int j = g + q;
                double d = hb[j * bw + j];
                double v = w1[j * rows + r];
                s[q] = v * v / (d * d);
                order[q] = q;
            }
            // ascending score; among equals the later column first, so the earlier one is kept
            Arrays.sort(order, (a, b) -> {
                int c = Double.compare(s[a], s[b]);
                return c != 0 ? c : Integer.compare(b, a);
            });
            for (int q = 0; q < prune; q++) {
                mask[(g + order[q]) * rows + r] = true;
            }
        }
    }
}
