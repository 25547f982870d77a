package org.sparsitybench.train;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products on row-major {@code float[]} through ND4J's BLAS (OpenBLAS {@code sgemm}; its thread count can
 * change the summation order, see {@link Trainer#BLAS_THREADS}). Operands are copied
 * into off-heap arrays kept per slot and shape, so a training step allocates no native memory after the first;
 * an operand needed by several products (a convolution's unfolded patches) can be uploaded once with
 * {@link #upload} and passed as an {@link INDArray}. Not thread-safe: one instance per layer.
 */
public final class Gemm {
    /** Slot of an operand the caller keeps between calls; {@link #multiply} never overwrites it. */
    public static final int KEEP = 3;
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    private final Map<Long, INDArray> cache = new HashMap<>();

    /**
     * {@code c = op(a)·op(b)}, or {@code c += op(a)·op(b)} when {@code accumulate}, with every matrix row-major.
     *
     * @param a {@code m×k}, or {@code k×m} when {@code transA} (not modified)
     * @param b {@code k×n}, or {@code n×k} when {@code transB} (not modified)
     * @param c {@code m×n} (modified)
     */
    public void multiply(float[] a, boolean transA, float[] b, boolean transB, float[] c, int m, int n, int k,
                  boolean accumulate) {
        if ((long) m * k > a.length || (long) k * n > b.length) {
            throw new IllegalArgumentException("operands too small for " + m + "×" + k + " · " + k + "×" + n
                    + ": " + a.length + ", " + b.length);
        }
        multiply(upload(A, a, transA ? k : m, transA ? m : k), transA,
                upload(B, b, transB ? n : k, transB ? k : n), transB, c, m, n, k, accumulate);
    }

    /** As {@link #multiply(float[], boolean, float[], boolean, float[], int, int, int, boolean)} with a native A. */
    public void multiply(float[] a, boolean transA, INDArray b, boolean transB, float[] c, int m, int n, int k,
                  boolean accumulate) {
        multiply(upload(A, a, transA ? k : m, transA ? m : k), transA, b, transB, c, m, n, k, accumulate);
    }

    /** The product of two native operands, written to (or added to) {@code c}. */
    public void multiply(INDArray a, boolean transA, INDArray b, boolean transB, float[] c, int m, int n, int k,
                  boolean accumulate) {
        if ((long) m * n > c.length) {
            throw new IllegalArgumentException("result " + m + "×" + n + " does not fit " + c.length + " values");
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                Arrays.fill(c, 0, m * n, 0f);
            }
            return;
        }
        INDArray out = accumulate ? upload(C, c, m, n) : array(C, m, n);
        Nd4j.gemm(a, b, out, transA, transB, 1.0, accumulate ? 1.0 : 0.0);
        ((FloatPointer) out.data().addressPointer()).get(c, 0, m * n);
    }

    /**
     * Copies the first {@code rows × cols} values into this instance's native array for {@code slot} and shape,
     * and returns it. The array stays valid until the next upload to the same slot and shape.
     */
    public INDArray upload(int slot, float[] values, int rows, int cols) {
        INDArray arr = array(slot, rows, cols);
        ((FloatPointer) arr.data().addressPointer()).put(values, 0, rows * cols);
        return arr;
    }

    private INDArray array(int slot, int rows, int cols) {
        long key = ((long) slot << 62) | ((long) rows << 31) | cols;
        return cache.computeIfAbsent(key, x -> Nd4j.create(DataType.FLOAT, new long[] {rows, cols}, 'c'));
    }
}
