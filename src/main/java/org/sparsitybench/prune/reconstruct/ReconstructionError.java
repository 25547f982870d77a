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

    /** {@code Σ_i a_i·H·a_iᵀ} over the rows of {@code a}. */
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
