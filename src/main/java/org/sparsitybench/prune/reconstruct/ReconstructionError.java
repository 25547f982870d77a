package org.sparsitybench.prune.reconstruct;

/**
 * How far a pruned layer's outputs are from the dense layer's on the calibration inputs, from {@code H} alone:
 * {@code ‖XWᵀ − XŴᵀ‖² / ‖XWᵀ‖² = tr(ΔW·H·ΔWᵀ) / tr(W·H·Wᵀ)} with {@code ΔW = W − Ŵ} and the undamped
 * {@code H = 2XᵀX/n} (the factor 2/n cancels). Stateless.
 */
public final class ReconstructionError {
    private ReconstructionError() {
    }

    /**
     * @param w    dense weights, row-major {@code rows × cols} (not modified)
     * @param wHat pruned weights (not modified)
     * @param h    {@code 2XᵀX/n} (not modified)
     * @return the relative output error; 0 when the dense output is identically 0
     */
    public static double relative(double[] w, double[] wHat, int rows, int cols, double[] h) {
        if (w.length != (long) rows * cols || wHat.length != w.length || h.length != (long) cols * cols) {
            throw new IllegalArgumentException("sizes: W " + w.length + ", Ŵ " + wHat.length + ", H " + h.length
                    + " for " + rows + " × " + cols);
        }
        double[] delta = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            delta[i] = w[i] - wHat[i];
        }
        double num = quadratic(delta, rows, cols, h);
        double den = quadratic(w, rows, cols, h);
        return den == 0 ? 0.0 : num / den;
    }

    /**
     * The error against the dense model's layer output, for inputs X that differ from the dense model's X_d
     * (earlier layers pruned): {@code ‖X_d Wᵀ − X Ŵᵀ‖² / ‖X_d Wᵀ‖²}, from {@code H = 2XᵀX/n},
     * {@code C = 2XᵀX_d/n} and {@code H_d = 2X_dᵀX_d/n} (none modified).
     */
    public static double againstDense(double[] w, double[] wHat, int rows, int cols, double[] h, double[] cross,
                                      double[] hDense) {
        double den = quadratic(w, rows, cols, hDense);
        double[] wc = new double[w.length];
        // (Ŵ C Wᵀ) diagonal: Σ_r ŵ_r · (C w_r)
        Lapack.gemm(false, true, rows, cols, cols, 1.0, w, cols, cross, cols, 0.0, wc, cols);
        double mixed = 0;
        for (int i = 0; i < w.length; i++) {
            mixed += wHat[i] * wc[i];
        }
        double num = den - 2 * mixed + quadratic(wHat, rows, cols, h);
        return den == 0 ? 0.0 : Math.max(0, num) / den;
    }

    /**
     * The same error from the inputs themselves, {@code ‖XWᵀ − XŴᵀ‖² / ‖XWᵀ‖²}.
     *
     * @param x row-major {@code n × cols} inputs (not modified); {@code w}, {@code wHat} not modified
     */
    public static double onInputs(double[] x, int n, double[] w, double[] wHat, int rows, int cols) {
        double[] y = new double[n * rows];
        double[] yHat = new double[n * rows];
        Lapack.gemm(false, true, n, rows, cols, 1.0, x, cols, w, cols, 0.0, y, rows);
        Lapack.gemm(false, true, n, rows, cols, 1.0, x, cols, wHat, cols, 0.0, yHat, rows);
        double num = 0;
        double den = 0;
        for (int i = 0; i < y.length; i++) {
            double d = y[i] - yHat[i];
            num += d * d;
            den += y[i] * y[i];
        }
        return den == 0 ? 0.0 : num / den;
    }

    /**
     * {@code Σ_i a_i·H·a_iᵀ = tr(A·H·Aᵀ)} over the rows of {@code a} (not modified): the output energy
     * {@code ‖XAᵀ‖²·2/n} of weights {@code a}.
     */
    public static double energy(double[] a, int rows, int cols, double[] h) {
        return quadratic(a, rows, cols, h);
    }

    private static double quadratic(double[] a, int rows, int cols, double[] h) {
        double[] ah = new double[a.length];
        Lapack.gemm(false, false, rows, cols, cols, 1.0, a, cols, h, cols, 0.0, ah, cols);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * ah[i];
        }
        return s;
    }
}
