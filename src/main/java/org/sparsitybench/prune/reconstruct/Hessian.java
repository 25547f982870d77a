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
    private double[] cross;
    private double[] dense;
    private double[] denseSum;
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
        return symmetric(xtx);
    }

    private double[] symmetric(double[] upper) {
        double[] h = new double[upper.length];
        double f = 2.0 / rows;
        for (int i = 0; i < cols; i++) {
            for (int j = i; j < cols; j++) {
                double v = f * upper[i * cols + j];
                h[i * cols + j] = v;
                h[j * cols + i] = v;
            }
        }
        return h;
    }

    /**
     * Adds {@code count} rows of the layer's inputs in the pruned model {@code x} with the same samples' inputs in
     * the dense model {@code xDense} (both row-major {@code count × cols}, not modified), also accumulating
     * {@code XᵀX_dense} and {@code X_denseᵀX_dense} for reconstructing towards the dense layer's output. Use
     * either this or {@link #add} on one instance.
     */
    public void addPair(double[] x, double[] xDense, int count) {
        if (xDense.length != x.length) {
            throw new IllegalArgumentException("dense rows " + xDense.length + " vs " + x.length);
        }
        if (cross == null) {
            if (rows > 0) {
                throw new IllegalStateException("rows were added without dense inputs");
            }
            cross = new double[xtx.length];
            dense = new double[xtx.length];
            denseSum = new double[cols];
        }
        add(x, count);
        if (count == 0) {
            return;
        }
        Lapack.gemm(true, false, cols, cols, count, 1.0, x, cols, xDense, cols, 1.0, cross, cols);
        Lapack.syrkUpperAtA(xDense, count, cols, dense);
        for (int r = 0; r < count; r++) {
            for (int c = 0; c < cols; c++) {
                denseSum[c] += xDense[r * cols + c];
            }
        }
    }

    /** Whether dense inputs were added ({@link #addPair}). */
    public boolean hasDense() {
        return cross != null;
    }

    /** {@code C = 2·XᵀX_dense / n}, row-major (a new array); only after {@link #addPair}. */
    public double[] cross() {
        requireDense();
        double[] c = cross.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] *= 2.0 / rows;
        }
        return c;
    }

    /** {@code 2·X_denseᵀX_dense / n}, full symmetric (a new array); only after {@link #addPair}. */
    public double[] denseMatrix() {
        requireDense();
        return symmetric(dense);
    }

    /** {@code E[x_dense]} (a new array); only after {@link #addPair}. */
    public double[] denseMean() {
        requireDense();
        double[] m = denseSum.clone();
        for (int c = 0; c < cols; c++) {
            m[c] /= rows;
        }
        return m;
    }

    private void requireDense() {
        if (cross == null || rows == 0) {
            throw new IllegalStateException("no dense calibration rows");
        }
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
