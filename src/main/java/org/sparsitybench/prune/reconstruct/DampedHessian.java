package org.sparsitybench.prune.reconstruct;

import org.bytedeco.javacpp.DoublePointer;

/**
 * {@code H} prepared for solving as the SparseGPT reference does: inputs that never fired ({@code H_ii = 0}) get
 * {@code H_ii = 1} (they are decoupled from the rest), then {@code λ = p · mean(diag H)} is added to the diagonal
 * with {@code p} starting at the requested share and multiplied by 10 until the Cholesky factorisation succeeds.
 *
 * @param matrix    the damped {@code H + λI}, row-major, full symmetric
 * @param dead      per input: whether it never fired on the calibration samples
 * @param percDamp  the share {@code p} finally used (the request, or larger when a factorisation failed)
 * @param lambda    the absolute damping {@code λ} added to the diagonal
 */
public record DampedHessian(double[] matrix, boolean[] dead, double percDamp, double lambda) {
    /** Tries before giving up: the request times 10⁰ … 10⁸. */
    static final int TRIES = 9;

    /**
     * @param h        {@code 2XᵀX/n}, row-major {@code cols × cols} (not modified)
     * @param percDamp requested damping share, e.g. 0.01
     * @param check    called with the damped matrix; returns whether it factorised (the caller keeps its factor)
     * @throws ArithmeticException when even {@code 10⁸ ×} the request does not factorise (NaN inputs)
     */
    static DampedHessian prepare(double[] h, int cols, double percDamp, java.util.function.Predicate<DampedHessian> check) {
        if (h.length != (long) cols * cols) {
            throw new IllegalArgumentException("H has " + h.length + " values, not " + cols + "²");
        }
        if (!(percDamp > 0)) {
            throw new IllegalArgumentException("damping share " + percDamp + " is not positive");
        }
        double[] base = h.clone();
        boolean[] dead = new boolean[cols];
        double trace = 0;
        for (int i = 0; i < cols; i++) {
            if (base[i * cols + i] == 0) {
                dead[i] = true;
                base[i * cols + i] = 1;
            }
            trace += base[i * cols + i];
        }
        double mean = trace / cols;
        double p = percDamp;
        for (int t = 0; t < TRIES; t++, p *= 10) {
            double[] m = base.clone();
            double lambda = p * mean;
            for (int i = 0; i < cols; i++) {
                m[i * cols + i] += lambda;
            }
            DampedHessian d = new DampedHessian(m, dead, p, lambda);
            if (check.test(d)) {
                return d;
            }
        }
        throw new ArithmeticException("H is not positive definite even with damping " + p / 10 + " × mean(diag H)"
                + " (non-finite calibration inputs?)");
    }

    /** Whether {@code m} has an upper Cholesky factor (computed off-heap, then dropped). */
    static boolean factorises(double[] m, int cols) {
        try (DoublePointer p = new DoublePointer(m)) {
            return Lapack.potrfUpper(p, cols);
        }
    }
}
