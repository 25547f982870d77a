package org.sparsitybench.model;

import java.nio.FloatBuffer;

/**
 * The values of one tensor, left where the file keeps them (a mapped window, protobuf bytes) until asked for.
 * Implementations are immutable and safe to read from several threads.
 */
public interface TensorData {
    /** Largest tensor {@link #readAllFloats()} can return in one array. */
    long MAX_ARRAY_ELEMENTS = Integer.MAX_VALUE - 8L;

    DType dtype();

    long elementCount();

    /**
     * Reads elements {@code [first, first + dst.remaining())} converted to float32 into {@code dst} (modified:
     * its position advances to its limit).
     *
     * @throws IndexOutOfBoundsException if the range is outside the tensor
     */
    void readFloats(long first, FloatBuffer dst);

    /** All elements as float32; for tensors up to {@link #MAX_ARRAY_ELEMENTS}. */
    default float[] readAllFloats() {
        long n = elementCount();
        if (n > MAX_ARRAY_ELEMENTS) {
            throw new UnsupportedModelException(n + " elements do not fit one array; read the tensor in chunks");
        }
        float[] out = new float[(int) n];
        readFloats(0, FloatBuffer.wrap(out));
        return out;
    }

    /** Tensor data backed by a float array that the caller hands over (not copied, not modified later). */
    static TensorData ofFloats(float[] values) {
        return new ArrayTensorData(values);
    }
}
