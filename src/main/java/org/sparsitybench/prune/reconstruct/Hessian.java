package org.sparsitybench.prune.reconstruct;

/**
 * Accumulates a layer's calibration inputs into {@code H = 2·XᵀX / n} and the mean input {@code E[x]}, without
 * keeping X: rows are added batch by batch (float64 throughout). One instance per layer (per group of a grouped
 * Conv); not thread-safe.
 */
public final class Hessian {
    private final int cols;
    private final double[] xtx;
    private final double[] sum;
    private long rows;

    /** @param cols input features (matrix columns), at least 1 */
    public Hessian(int cols) {
        if (cols < 1) {
            throw new IllegalArgumentException("cols " + cols + " < 1");
        }
        this.cols = cols;
        this.xtx = new double[Math.multiplyExact(cols, cols)];
        this.sum = new double[cols];
    }

    public int cols() {
        return cols;
    }

    /** Calibration rows added so far (samples for a Gemm, sample × output position for a Conv). */
    public long rows() {
        return rows;
    }

    /**
     * Adds {@code count} rows.
     *
     * @param x row-major {@code count × cols} inputs (not modified)
     */
    public void add(double[] x, int count) {
        if ((long) count * cols > x.length) {
            throw new IllegalArgumentException(count + " rows of " + cols + " need " + (long) count * cols
                    + " values, got " + x.length);
        }
        Lapack.syrkUpperAtA(x, count, cols, xtx);
        for (int r = 0; r < count; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                sum[c] += x[base + c];
            }
        }
        rows += count;
    }

    /**
     * {@code H = 2·XᵀX / n}, full symmetric, row-major {@code cols × cols} (a new array).
     *
     * @throws IllegalStateException when no rows were added
     */
    public double[] matrix() {
        if (rows == 0) {
            throw new IllegalStateException("no calibration rows");
        }
        double[] h = new double[xtx.length];
        double f = 2.0 / rows;
        for (int i = 0; i < cols; i++) {
            for (int j = i; j < cols; j++) {
                double v = f * xtx[i * cols + j];
                h[i * cols + j] = v;
                h[j * cols + i] = v;
            }
        }
        return h;
    }

    /** {@code E[x]} per input feature (a new array). */
    public double[] mean() {
        if (rows == 0) {
            throw new IllegalStateException("no calibration rows");
        }
        double[] m = sum.clone();
        for (int c = 0; c < cols; c++) {
            m[c] /= rows;
        }
        return m;
    }
}
