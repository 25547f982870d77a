package org.sparsitybench.formats;

import java.util.Arrays;
import java.util.Objects;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;

/**
 * New values for one tensor, written back in the tensor's original dtype and storage place. The shape may
 * differ from the original only when structured compaction removed channels.
 *
 * @param shape  the dimensions to write
 * @param values float32 values, element count equal to the shape's product
 */
public record TensorUpdate(long[] shape, TensorData values) {
    public TensorUpdate {
        shape = shape.clone();
        Objects.requireNonNull(values, "values");
        if (WeightTensor.checkedElementCount(shape) != values.elementCount()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs "
                    + WeightTensor.elementCount(shape) + " values, got " + values.elementCount());
        }
    }

    /** Same shape as {@code original}, new values. */
    public static TensorUpdate of(WeightTensor original, float[] values) {
        return new TensorUpdate(original.shape(), TensorData.ofFloats(values));
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }
}
