package org.sparsitybench.model;

import java.nio.FloatBuffer;
import java.util.Objects;

/** Float32 values held in a heap array: replacements built by the engine, decoded typed protobuf fields. */
final class ArrayTensorData implements TensorData {
    private final float[] values;

    ArrayTensorData(float[] values) {
        this.values = Objects.requireNonNull(values, "values");
    }

    @Override
    public DType dtype() {
        return DType.FLOAT;
    }

    @Override
    public long elementCount() {
        return values.length;
    }

    @Override
    public void readFloats(long first, FloatBuffer dst) {
        Objects.checkFromIndexSize(first, dst.remaining(), values.length);
        dst.put(values, (int) first, dst.remaining());
    }
}
