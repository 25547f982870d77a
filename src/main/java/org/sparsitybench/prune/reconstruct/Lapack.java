package org.sparsitybench.prune.reconstruct;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas;

/**
 * The few OpenBLAS/LAPACK routines reconstruction needs, row-major and float64 (the O(n³) parts: Gram matrices,
 * Cholesky factorisations, the trailing update of SparseGPT). OpenBLAS is the library ND4J itself runs on.
 */
final class Lapack {
    private Lapack() {
    }

    /** {@code c[n×n] += aᵀa} for row-major {@code a[k×n]}, upper triangle only (c modified). */
    static void syrkUpperAtA(double[] a, int k, int n, double[] c) {
        if (k == 0) {
            return;
        }
        openblas.cblas_dsyrk(openblas.CblasRowMajor, openblas.CblasUpper, openblas.CblasTrans, n, k, 1.0, a, n, 1.0,
                c, n);
    }

    /**
     * {@code c = alpha·op(a)·op(b) + beta·c}, row-major with leading dimensions, on Java arrays.
     */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int lda,
                     double[] b, int ldb, double beta, double[] c, int ldc) {
        openblas.cblas_dgemm(openblas.CblasRowMajor, transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                transB ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /** As {@link #gemm}, on off-heap matrices whose positions mark the first element. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, DoublePointer a, int lda,
                     DoublePointer b, int ldb, double beta, DoublePointer c, int ldc) {
        openblas.cblas_dgemm(openblas.CblasRowMajor, transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                transB ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /** Upper Cholesky factor in place ({@code a = UᵀU}, lower part left as it was); false if not positive definite. */
    static boolean potrfUpper(DoublePointer a, int n) {
        return openblas.LAPACKE_dpotrf(openblas.LAPACK_ROW_MAJOR, (byte) 'U', n, a, n) == 0;
    }

    /** Given the upper Cholesky factor in {@code a}, the upper triangle of the inverse in place. */
    static boolean potriUpper(DoublePointer a, int n) {
        return openblas.LAPACKE_dpotri(openblas.LAPACK_ROW_MAJOR, (byte) 'U', n, a, n) == 0;
    }

    /** Solves {@code a·x = b} for symmetric positive definite {@code a[n×n]} (upper used; a, b modified, x in b). */
    static boolean posv(double[] a, int n, double[] b, int nrhs) {
        return openblas.LAPACKE_dposv(openblas.LAPACK_ROW_MAJOR, (byte) 'U', n, nrhs, a, n, b, nrhs) == 0;
    }
}
