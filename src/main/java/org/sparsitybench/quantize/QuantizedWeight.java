package org.sparsitybench.quantize;

/**
 * A weight tensor as integers with float scales (zero point 0 throughout: symmetric, so a weight that was 0.0
 * is the integer 0 and dequantizes to exactly 0.0).
 *
 * @param values      one integer per weight, in the weight's element order (int8 range, or −7..7 for INT4)
 * @param scales      dequantization scales, laid out as {@code scaleShape}
 * @param scaleShape  shape of {@code scales}: {@code [C]} per axis, or the weight's shape with the blocked axis
 *                    divided by the block (rounded up)
 * @param axis        the axis the scales run along (per-axis) or the blocked axis
 * @param block       block size along {@code axis}, 0 for one scale per slice along {@code axis}
 * @param precision   INT8 or INT4
 * @param zerosBefore weights exactly 0.0 in the float tensor
 * @param zerosAfter  integers equal to 0
 * @param zerosLost   weights that were 0.0 and are not 0 now (always 0: checked by the quantizer)
 */
public record QuantizedWeight(byte[] values, float[] scales, long[] scaleShape, int axis, int block,
                              Precision precision, long zerosBefore, long zerosAfter, long zerosLost) {
    /** The value {@code i} dequantizes to: {@code values[i] · scale(i)}. */
    public float dequantized(int i, long[] shape) {
        return values[i] * scales[WeightQuantizer.scaleIndex(i, shape, axis, block)];
    }

    /** The scheme as reports name it, e.g. {@code int8 symmetric per-channel (axis 0)}. */
    public String scheme() {
        return precision.id() + " symmetric " + (block == 0 ? "per-channel (axis " + axis + ")"
                : "blocks of " + block + " along axis " + axis);
    }
}
