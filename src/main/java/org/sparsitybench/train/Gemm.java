package org.sparsitybench.train;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products through OpenBLAS's {@code cblas_sgemm} (the library ND4J loads, with the thread count ND4J sets;
 * that count can change the summation order, see {@link Trainer#BLAS_THREADS}) on row-major matrices in native
 * memory ({@link Matrix}), kept per slot and shape so that a training step allocates no native memory after the
 * first. The call goes to OpenBLAS directly, not through {@code Nd4j.gemm}: ND4J builds an op context per call,
 * about 25 µs, which was more than the product itself for a small layer's chunk (18 µs for 6×25 by 25×4704). A layer copies its operands in
 * (from {@code float[]}, whole or row by row as it produces them) and its results out. Not thread-safe: one
 * instance per layer.
 */
public final class Gemm {
    private static final int A = -1;
    private static final int B = -2;
    private static final int C = -3;

    /**
     * A row-major {@code rows × cols} float matrix in native memory, with a buffer over the same memory for bulk
     * copies (absolute puts and gets, so threads may fill disjoint rows at once) and a pointer to it for BLAS.
     * The pointer does not own the memory: {@code array} does, and is held here so that the memory stays allocated
     * as long as the matrix is reachable.
     */
    public record Matrix(INDArray array, FloatBuffer buffer, FloatPointer pointer, int rows, int cols) {
        /** Copies {@code rows·cols} values from {@code src[offset...]} in. */
        public Matrix put(float[] src, int offset) {
            buffer.put(0, src, offset, rows * cols);
            return this;
        }

        /** Copies row {@code r} in from {@code src[0..cols)}. */
        public void putRow(int r, float[] src) {
            buffer.put(r * cols, src, 0, cols);
        }

        /** Copies every value out to {@code dst[offset...]}. */
        public void get(float[] dst, int offset) {
            buffer.get(0, dst, offset, rows * cols);
        }

        /** Copies row {@code r} out to {@code dst[0..cols)}. */
        public void getRow(int r, float[] dst) {
            buffer.get(r * cols, dst, 0, cols);
        }
    }

    private record Key(int slot, int rows, int cols) {
    }

    private final Map<Key, Matrix> cache = new HashMap<>();
    private final Map<Integer, float[]> scratch = new HashMap<>();

    /**
     * This instance's native matrix for {@code slot} (any non-negative number the caller chooses) and shape; its
     * contents are whatever was last put there.
     */
    public Matrix matrix(int slot, int rows, int cols) {
        return cache.computeIfAbsent(new Key(slot, rows, cols), k -> {
            INDArray a = Nd4j.create(DataType.FLOAT, new long[] {rows, cols}, 'c');
            return new Matrix(a, a.data().asNioFloat(), new FloatPointer(a.data().addressPointer()), rows, cols);
        });
    }

    /**
     * A heap array of at least {@code size} values kept for {@code slot} (contents left from the last use), for
     * building an operand before it is uploaded or reading a result after.
     */
    public float[] scratch(int slot, int size) {
        float[] a = scratch.get(slot);
        if (a == null || a.length < size) {
            a = new float[size];
            scratch.put(slot, a);
        }
        return a;
    }

    /** {@link #matrix} filled from {@code values[offset...]}. */
    public Matrix upload(int slot, float[] values, int offset, int rows, int cols) {
        return matrix(slot, rows, cols).put(values, offset);
    }

    /**
     * {@code c = op(a)·op(b)}, or {@code c += op(a)·op(b)} when {@code accumulate}.
     *
     * @param a not modified
     * @param b not modified
     * @param c modified
     */
    public static void product(Matrix a, boolean transA, Matrix b, boolean transB, Matrix c, boolean accumulate) {
        int m = transA ? a.cols : a.rows;
        int k = transA ? a.rows : a.cols;
        int n = transB ? b.rows : b.cols;
        if ((transB ? b.cols : b.rows) != k || c.rows != m || c.cols != n) {
            throw new IllegalArgumentException("op(A) " + m + "×" + k + ", op(B) " + (transB ? b.cols : b.rows) + "×"
                    + n + ", C " + c.rows + "×" + c.cols);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                c.put(new float[m * n], 0);
            }
            return;
        }
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans, m, n, k, 1f, a.pointer, a.cols,
                b.pointer, b.cols, accumulate ? 1f : 0f, c.pointer, c.cols);
    }

    /**
     * {@code c = op(a)·op(b)}, or {@code c += op(a)·op(b)} when {@code accumulate}, with every matrix a row-major
     * {@code float[]}.
     *
     * @param a {@code m×k}, or {@code k×m} when {@code transA} (not modified)
     * @param b {@code k×n}, or {@code n×k} when {@code transB} (not modified)
     * @param c {@code m×n} (modified)
     */
    public void multiply(float[] a, boolean transA, float[] b, boolean transB, float[] c, int m, int n, int k,
                         boolean accumulate) {
        if ((long) m * k > a.length || (long) k * n > b.length || (long) m * n > c.length) {
            throw new IllegalArgumentException("operands too small for " + m + "×" + k + " · " + k + "×" + n
                    + ": " + a.length + ", " + b.length + ", " + c.length);
        }
        if (k == 0) {
            if (!accumulate) {
                Arrays.fill(c, 0, m * n, 0f);
            }
            return;
        }
        Matrix out = accumulate ? upload(C, c, 0, m, n) : matrix(C, m, n);
        product(upload(A, a, 0, transA ? k : m, transA ? m : k), transA, upload(B, b, 0, transB ? n : k,
                transB ? k : n), transB, out, accumulate);
        out.get(c, 0);
    }
}
