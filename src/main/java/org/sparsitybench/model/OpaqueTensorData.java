package org.sparsitybench.model;

import java.nio.FloatBuffer;

/** A tensor whose values have no float view (strings, complex, unknown types): listed with its size only. */
public record OpaqueTensorData(DType dtype, long elementCount) implements TensorData {
    @Override
    public void readFloats(long first, FloatBuffer dst) {
        throw new UnsupportedModelException(dtype.displayName() + " tensors have no float values");
    }
}
