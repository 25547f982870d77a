package org.sparsitybench.prune.reconstruct;

import org.sparsitybench.task.CancellationToken;

/**
 * Reconstruction for a fixed mask (any method's): each output row {@code i} keeps its mask and its kept weights
 * {@code K} are re-solved by least squares on the calibration inputs,
 * {@code ŵ_K = argmin ‖X w_i − X_K ŵ_K‖² }, i.e. {@code H_KK ŵ_K = (H w_i)_K} with the damped
 * {@code H = 2XᵀX/n + λI} of {@link DampedHessian} (so a row that keeps everything comes back unchanged).
 * Stateless.
 */
public final class MaskedLeastSquares {
    private MaskedLeastSquares() {
    }

    /**
     * @param weights  the solved matrix, row-major; pruned entries exactly 0
     * @param percDamp damping share used
     * @param lambda   absolute damping added to diag H
     */
    public record Result(double[] weights, double percDamp, double lambda) {
    }

    /**
     * @param w      row-major {@code rows × cols} dense weights (not modified)
     * @param h      {@code 2XᵀX/n} (not modified)
     * @param pruned row-major mask, true where pruned (not modified)
     * @param cancel checked once per row
     */
    public static Result solve(double[] w, int rows, int cols, double[] h, boolean[] pruned, double percDamp,
                               CancellationToken cancel) {
        return solve(w, rows, cols, h, null, pruned, percDamp, cancel);
    }

    /**
     * Towards the dense model's output: {@code ŵ_K = argmin ‖X_dense w_i − X_K ŵ_K‖² + λ‖ŵ_K − w_K‖²}, i.e.
     * {@code (H + λI)_KK ŵ_K = (C w_i + λ w_i)_K} with {@code C = 2XᵀX_dense/n}, where X are the layer's inputs
     * in the pruned model (earlier layers already pruned) and X_dense the same samples' inputs in the dense
     * model; with {@code cross == null} (or X = X_dense) this is {@link #solve(double[], int, int, double[],
     * boolean[], double, CancellationToken)}.
     *
     * @param cross {@code C}, row-major {@code cols × cols} (not modified), or null
     */
    public static Result solve(double[] w, int rows, int cols, double[] h, double[] cross, boolean[] pruned,
                               double percDamp, CancellationToken cancel) {
        if (w.length != (long) rows * cols || pruned.length != w.length) {
            throw new IllegalArgumentException("W has " + w.length + " values and the mask " + pruned.length
                    + ", not " + rows + " × " + cols);
        }
        DampedHessian d = DampedHessian.prepare(h, cols, percDamp, x -> DampedHessian.factorises(x.matrix(), cols));
        double[] hd = d.matrix();
        double[] g = new double[w.length];
        if (cross == null) {
            Lapack.gemm(false, false, rows, cols, cols, 1.0, w, cols, hd, cols, 0.0, g, cols);
        } else {
            // G = W·Cᵀ + λW
            Lapack.gemm(false, true, rows, cols, cols, 1.0, w, cols, cross, cols, 0.0, g, cols);
            for (int i = 0; i < g.length; i++) {
                g[i] += d.lambda() * w[i];
            }
        }
        double[] out = new double[w.length];
        int[] keep = new int[cols];
        for (int r = 0; r < rows; r++) {
            cancel.throwIfCancelled();
            int base = r * cols;
            int n = 0;
            for (int c = 0; c < cols; c++) {
                if (!pruned[base + c]) {
                    keep[n++] = c;
                }
            }
            if (n == 0) {
                continue;
            }
            double[] a = new double[n * n];
            double[] b = new double[n];
            for (int i = 0; i < n; i++) {
                int hi = keep[i] * cols;
                for (int j = 0; j < n; j++) {
                    a[i * n + j] = hd[hi + keep[j]];
                }
                b[i] = g[base + keep[i]];
            }
            if (Lapack.posv(a, n, b, 1)) {
                for (int i = 0; i < n; i++) {
                    out[base + keep[i]] = b[i];
                }
            } else {
                // a principal submatrix of a positive definite matrix is positive definite; only rounding gets here
                for (int i = 0; i < n; i++) {
                    out[base + keep[i]] = w[base + keep[i]];
                }
            }
        }
        return new Result(out, d.percDamp(), d.lambda());
    }

    /**
     * The unpruned weights that best give the dense model's output from the pruned model's inputs:
     * {@code V = argmin ‖X_dense Wᵀ − X Vᵀ‖² + λ‖V − W‖²}, i.e. {@code (H + λI) Vᵀ = C Wᵀ + λWᵀ}, all rows in one
     * solve. Since {@code ‖X_dense Wᵀ − X Ŵᵀ‖² = ‖X(V − Ŵ)ᵀ‖² + const} (up to the damping), SparseGPT run on V
     * with H prunes towards the dense output instead of towards {@code XWᵀ}; where the inputs did not change
     * ({@code C = H}) V is W.
     *
     * @param w     row-major {@code rows × cols} dense weights (not modified)
     * @param h     {@code 2XᵀX/n} (not modified)
     * @param cross {@code C = 2XᵀX_dense/n}, row-major {@code cols × cols} (not modified)
     */
    public static Result towardsDense(double[] w, int rows, int cols, double[] h, double[] cross, double percDamp) {
        if (w.length != (long) rows * cols || cross.length != (long) cols * cols) {
            throw new IllegalArgumentException("W has " + w.length + " values and C " + cross.length + ", not "
                    + rows + " × " + cols + " and " + cols + "²");
        }
        DampedHessian d = DampedHessian.prepare(h, cols, percDamp, x -> DampedHessian.factorises(x.matrix(), cols));
        // Bᵀ = C·Wᵀ + λWᵀ, cols × rows
        double[] b = new double[w.length];
        Lapack.gemm(false, true, cols, rows, cols, 1.0, cross, cols, w, cols, 0.0, b, rows);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                b[c * rows + r] += d.lambda() * w[r * cols + c];
            }
        }
        double[] v = new double[w.length];
        if (!Lapack.posv(d.matrix().clone(), cols, b, rows)) {
            return new Result(w.clone(), d.percDamp(), d.lambda()); // only rounding gets here (H + λI factorised)
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                v[r * cols + c] = b[c * rows + r];
            }
        }
        return new Result(v, d.percDamp(), d.lambda());
    }
}
