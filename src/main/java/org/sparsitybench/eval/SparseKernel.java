package org.sparsitybench.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * A weight matrix {@code W} of shape {@code [rows, cols]} ({@code [out, in]}) in compressed sparse row form, and
 * its product with a batch of inputs: {@code y[b][o] = Σ_i W[o][i] · x[b][i]}, i.e. {@code y = x · Wᵀ}.
 *
 * <p>Immutable and safe to share between threads. Every output element is computed by one thread, summing the
 * row's non-zeros in column order, so the result does not depend on the thread count: multi-threaded and
 * single-threaded products agree bit for bit.
 */
public final class SparseKernel {
    /** Work (non-zeros × batch) below which splitting across threads costs more than it saves. */
    static final long PARALLEL_WORK = 1L << 16;

    private static final class PoolHolder {
        /** Shared, fixed, small; its worker threads are daemons, so it never keeps the JVM alive. */
        static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    private final int rows;
    private final int cols;
    private final int[] rowPtr;
    private final int[] colIdx;
    private final float[] values;

    private SparseKernel(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        this.rows = rows;
        this.cols = cols;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.values = values;
    }

    /**
     * The non-zeros of a dense matrix.
     *
     * @param dense row-major {@code [rows, cols]} (not modified); NaN counts as non-zero, ±0 as zero
     * @param rows  number of rows (output features), at least 1
     * @param cols  number of columns (input features), at least 1
     */
    public static SparseKernel fromDense(float[] dense, int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("shape [" + rows + ", " + cols + "] needs at least one row and column");
        }
        if (dense.length != (long) rows * cols) {
            throw new IllegalArgumentException("dense holds " + dense.length + " floats, shape [" + rows + ", " + cols
                    + "] needs " + (long) rows * cols);
        }
        int nnz = 0;
        for (float v : dense) {
            if (v != 0f) {
                nnz++;
            }
        }
        int[] rowPtr = new int[rows + 1];
        int[] colIdx = new int[nnz];
        float[] values = new float[nnz];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                float v = dense[base + c];
                if (v != 0f) {
                    colIdx[k] = c;
                    values[k] = v;
                    k++;
                }
            }
            rowPtr[r + 1] = k;
        }
        return new SparseKernel(rows, cols, rowPtr, colIdx, values);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Number of stored non-zeros. */
    public int nnz() {
        return values.length;
    }

    /** Fraction of zeros: {@code 1 - nnz / (rows · cols)}. */
    public double sparsity() {
        return 1.0 - (double) values.length / ((double) rows * cols);
    }

    /** Threads {@link #multiply(float[], int, float[])} uses for a batch of {@code batch}. */
    public int defaultThreads(int batch) {
        long work = (long) values.length * Math.max(1, batch);
        return work < PARALLEL_WORK ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /**
     * {@code y = x · Wᵀ}, on as many threads as the work merits (see {@link #defaultThreads(int)}).
     *
     * @param x     row-major {@code [batch, cols]} (not modified)
     * @param batch number of input rows, at least 1
     * @param y     row-major {@code [batch, rows]} (modified: overwritten)
     */
    public void multiply(float[] x, int batch, float[] y) {
        multiply(x, batch, y, defaultThreads(batch));
    }

    /** {@code y = x · Wᵀ} on the calling thread; arguments as {@link #multiply(float[], int, float[])}. */
    public void multiplySingleThreaded(float[] x, int batch, float[] y) {
        multiply(x, batch, y, 1);
    }

    /**
     * {@code y = x · Wᵀ} with the output rows split over {@code threads} threads (the caller's and the shared
     * pool's); arguments as {@link #multiply(float[], int, float[])}. The result is the same for every
     * {@code threads}.
     */
    public void multiply(float[] x, int batch, float[] y, int threads) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch " + batch + " < 1");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads + " < 1");
        }
        if (x.length != (long) batch * cols) {
            throw new IllegalArgumentException("x holds " + x.length + " floats, [" + batch + ", " + cols + "] needs "
                    + (long) batch * cols);
        }
        if (y.length != (long) batch * rows) {
            throw new IllegalArgumentException("y holds " + y.length + " floats, [" + batch + ", " + rows + "] needs "
                    + (long) batch * rows);
        }
        // Transposed once so each non-zero's column is one contiguous run of batch values.
        float[] in = batch == 1 ? x : transpose(x, batch, cols);
        int parts = Math.min(threads, rows);
        if (parts == 1) {
            rowsRange(in, batch, y, 0, rows);
            return;
        }
        int[] bounds = split(parts);
        List<Future<?>> pending = new ArrayList<>(parts - 1);
        for (int p = 1; p < parts; p++) {
            int from = bounds[p];
            int to = bounds[p + 1];
            pending.add(PoolHolder.POOL.submit(() -> rowsRange(in, batch, y, from, to)));
        }
        rowsRange(in, batch, y, bounds[0], bounds[1]);
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while multiplying", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("sparse product failed", e.getCause());
            }
        }
    }

    /** Row boundaries of {@code parts} ranges holding about the same number of non-zeros each. */
    private int[] split(int parts) {
        int[] bounds = new int[parts + 1];
        bounds[parts] = rows;
        long nnz = values.length;
        for (int p = 1; p < parts; p++) {
            long target = nnz * p / parts;
            int lo = bounds[p - 1];
            int hi = rows;
            while (lo < hi) { // first row whose start reaches the target
                int mid = (lo + hi) >>> 1;
                if (rowPtr[mid] < target) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            // Each range keeps at least one row, and leaves one for every range after it.
            bounds[p] = Math.min(Math.max(lo, bounds[p - 1] + 1), rows - (parts - p));
        }
        return bounds;
    }

    private void rowsRange(float[] in, int batch, float[] y, int from, int to) {
        if (batch == 1) {
            rowsBatch1(in, y, from, to);
        } else {
            rowsBatched(in, batch, y, from, to);
        }
    }

    private void rowsBatch1(float[] x, float[] y, int from, int to) {
        final int[] ptr = rowPtr;
        final int[] idx = colIdx;
        final float[] val = values;
        for (int r = from; r < to; r++) {
            int k = ptr[r];
            int end = ptr[r + 1];
            // Four partial sums break the add-latency chain; the order is fixed, so results stay reproducible.
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            for (; k + 3 < end; k += 4) {
                s0 += val[k] * x[idx[k]];
                s1 += val[k + 1] * x[idx[k + 1]];
                s2 += val[k + 2] * x[idx[k + 2]];
                s3 += val[k + 3] * x[idx[k + 3]];
            }
            for (; k < end; k++) {
                s0 += val[k] * x[idx[k]];
            }
            y[r] = (s0 + s1) + (s2 + s3);
        }
    }

    private void rowsBatched(float[] xt, int batch, float[] y, int from, int to) {
        final int[] ptr = rowPtr;
        final int[] idx = colIdx;
        final float[] val = values;
        float[] acc = null;
        for (int r = from; r < to; r++) {
            int start = ptr[r];
            int end = ptr[r + 1];
            int b0 = 0;
            // Eight batch columns at a time in locals (registers): the row's non-zeros, hot in L1 after the first
            // block, are read once per block instead of the accumulators going through memory per product.
            for (; b0 + 8 <= batch; b0 += 8) {
                float a0 = 0f;
                float a1 = 0f;
                float a2 = 0f;
                float a3 = 0f;
                float a4 = 0f;
                float a5 = 0f;
                float a6 = 0f;
                float a7 = 0f;
                for (int k = start; k < end; k++) {
                    float v = val[k];
                    int base = idx[k] * batch + b0;
                    a0 += v * xt[base];
                    a1 += v * xt[base + 1];
                    a2 += v * xt[base + 2];
                    a3 += v * xt[base + 3];
                    a4 += v * xt[base + 4];
                    a5 += v * xt[base + 5];
                    a6 += v * xt[base + 6];
                    a7 += v * xt[base + 7];
                }
                y[b0 * rows + r] = a0;
                y[(b0 + 1) * rows + r] = a1;
                y[(b0 + 2) * rows + r] = a2;
                y[(b0 + 3) * rows + r] = a3;
                y[(b0 + 4) * rows + r] = a4;
                y[(b0 + 5) * rows + r] = a5;
                y[(b0 + 6) * rows + r] = a6;
                y[(b0 + 7) * rows + r] = a7;
            }
            if (b0 < batch) {
                int rest = batch - b0;
                if (acc == null) {
                    acc = new float[rest];
                }
                Arrays.fill(acc, 0f);
                for (int k = start; k < end; k++) {
                    float v = val[k];
                    int base = idx[k] * batch + b0;
                    for (int b = 0; b < rest; b++) {
                        acc[b] += v * xt[base + b];
                    }
                }
                for (int b = 0; b < rest; b++) {
                    y[(b0 + b) * rows + r] = acc[b];
                }
            }
        }
    }

    private static float[] transpose(float[] x, int batch, int cols) {
        float[] t = new float[x.length];
        for (int b = 0; b < batch; b++) {
            int src = b * cols;
            for (int c = 0; c < cols; c++) {
                t[c * batch + b] = x[src + c];
            }
        }
        return t;
    }
}
