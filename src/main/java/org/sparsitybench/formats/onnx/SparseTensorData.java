package org.sparsitybench.formats.onnx;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.TensorData;

/**
 * The dense view of a {@code SparseTensorProto}: zeros everywhere but at the listed linear indices. Holds only
 * the non-zeros (sorted by index), so a file declaring a huge dense shape costs no dense memory until read.
 */
final class SparseTensorData implements TensorData {
    private final DType dtype;
    private final long count;
    private final long[] indices;
    private final float[] values;

    /**
     * @param indices strictly increasing linear indices in [0, count) (not copied, not modified)
     * @param values  values at those indices (not copied, not modified)
     */
    SparseTensorData(DType dtype, long count, long[] indices, float[] values) {
        this.dtype = dtype;
        this.count = count;
        this.indices = indices;
        this.values = values;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long elementCount() {
        return count;
    }

    int nonZeroCount() {
        return indices.length;
    }

    @Override
    public void readFloats(long first, FloatBuffer dst) {
        long n = dst.remaining();
        if (first < 0 || first + n > count) {
            throw new IndexOutOfBoundsException("elements [" + first + ", " + (first + n) + ") of " + count);
        }
        int base = dst.position();
        for (long i = 0; i < n; i++) {
            dst.put(0f);
        }
        int k = Arrays.binarySearch(indices, first);
        if (k < 0) {
            k = -k - 1;
        }
        for (; k < indices.length && indices[k] < first + n; k++) {
            dst.put(base + (int) (indices[k] - first), values[k]);
        }
    }
}
