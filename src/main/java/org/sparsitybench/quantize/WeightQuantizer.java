package org.sparsitybench.quantize;

import java.util.Arrays;

/**
 * Symmetric weight quantization with zero point 0: {@code q = clamp(rint(w / s), −Q, Q)}, {@code s = max|w| / Q}
 * over the values sharing a scale (Q = 127 for INT8, 7 for INT4), so that {@code w = 0} gives {@code q = 0} exactly
 * and pruned weights stay pruned. A slice that is all zeros gets scale 1 (its integers are all 0).
 */
public final class WeightQuantizer {
    private WeightQuantizer() {
    }

    /** Largest magnitude of a symmetric integer of {@code precision}. */
    public static int qmax(Precision precision) {
        return switch (precision) {
            case INT8 -> 127;
            case INT4 -> 7;
            case FLOAT32 -> throw new IllegalArgumentException("float32 is not quantized");
        };
    }

    /**
     * One scale per index along {@code axis} (per output channel when {@code axis} is the output-channel axis).
     *
     * @param w     weights (not modified), row-major in {@code shape}
     * @param shape the weight's shape (not modified)
     */
    public static QuantizedWeight perAxis(float[] w, long[] shape, int axis, Precision precision) {
        return quantize(w, shape, axis, 0, precision);
    }

    /**
     * One scale per block of {@code block} consecutive indices along {@code axis} (the input dimension), as ONNX's
     * opset-21 blocked DequantizeLinear reads them.
     */
    public static QuantizedWeight blocked(float[] w, long[] shape, int axis, int block, Precision precision) {
        if (block < 1) {
            throw new IllegalArgumentException("block " + block + " is not positive");
        }
        return quantize(w, shape, axis, block, precision);
    }

    private static QuantizedWeight quantize(float[] w, long[] shape, int axis, int block, Precision precision) {
        if (axis < 0 || axis >= shape.length) {
            throw new IllegalArgumentException("axis " + axis + " outside shape " + Arrays.toString(shape));
        }
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != w.length) {
            throw new IllegalArgumentException(w.length + " values do not fill shape " + Arrays.toString(shape));
        }
        long[] scaleShape = scaleShape(shape, axis, block);
        int scaleCount = 1;
        for (long d : scaleShape) {
            scaleCount = Math.multiplyExact(scaleCount, (int) d);
        }
        float[] maxAbs = new float[scaleCount];
        for (int i = 0; i < w.length; i++) {
            int s = scaleIndex(i, shape, axis, block);
            maxAbs[s] = Math.max(maxAbs[s], Math.abs(w[i]));
        }
        int q = qmax(precision);
        float[] scales = new float[scaleCount];
        for (int s = 0; s < scaleCount; s++) {
            scales[s] = maxAbs[s] > 0 && Float.isFinite(maxAbs[s]) ? maxAbs[s] / q : 1f;
        }
        byte[] values = new byte[w.length];
        long zerosBefore = 0;
        long zerosAfter = 0;
        long lost = 0;
        for (int i = 0; i < w.length; i++) {
            float v = w[i];
            int qi = (int) Math.max(-q, Math.min(q, Math.rint(v / scales[scaleIndex(i, shape, axis, block)])));
            values[i] = (byte) qi;
            if (v == 0f) {
                zerosBefore++;
                if (qi != 0) {
                    lost++;
                }
            }
            if (qi == 0) {
                zerosAfter++;
            }
        }
        if (lost != 0) {
            throw new IllegalStateException(lost + " zero weights became non-zero: the quantizer must keep zeros");
        }
        return new QuantizedWeight(values, scales, scaleShape, axis, block, precision, zerosBefore, zerosAfter, lost);
    }

    /** Shape of the scales: {@code [shape[axis]]} per axis, else {@code shape} with axis {@code ceil(D / block)}. */
    static long[] scaleShape(long[] shape, int axis, int block) {
        if (block == 0) {
            return new long[] {shape[axis]};
        }
        long[] s = shape.clone();
        s[axis] = (shape[axis] + block - 1) / block;
        return s;
    }

    /** Index into the scales of element {@code i} (row-major in {@code shape}). */
    static int scaleIndex(int i, long[] shape, int axis, int block) {
        long inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        long dim = shape[axis];
        long k = (i / inner) % dim;
        if (block == 0) {
            return (int) k;
        }
        long outer = i / (inner * dim);
        long rest = i % inner;
        long nb = (dim + block - 1) / block;
        return (int) ((outer * nb + k / block) * inner + rest);
    }

    /**
     * Packs INT4 values two per byte, the first in the low nibble (ONNX's layout for INT4 tensors); an odd count
     * leaves the last high nibble 0.
     */
    public static byte[] packInt4(byte[] values) {
        byte[] out = new byte[(values.length + 1) / 2];
        for (int i = 0; i < values.length; i++) {
            int nibble = values[i] & 0x0F;
            out[i / 2] |= (byte) (i % 2 == 0 ? nibble : nibble << 4);
        }
        return out;
    }
}
