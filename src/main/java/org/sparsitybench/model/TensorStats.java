package org.sparsitybench.model;

import java.nio.FloatBuffer;

/**
 * Counts over a tensor's values: exact zeros and NaN/Inf.
 *
 * @param zeros     elements equal to 0 (either sign)
 * @param nonFinite NaN or infinite elements
 */
public record TensorStats(long zeros, long nonFinite) {
    // 256 KB: large enough to stream at memory speed, small enough for an export under a heap a fraction of the model.
    private static final int CHUNK = 1 << 16;

    /** Scans {@code data} once in chunks of 65,536 elements (data not modified). */
    public static TensorStats of(TensorData data) {
        if (!data.dtype().isNumericReal()) {
            return new TensorStats(0, 0);
        }
        long n = data.elementCount();
        float[] chunk = new float[(int) Math.min(CHUNK, n)];
        long zeros = 0;
        long nonFinite = 0;
        for (long at = 0; at < n; at += chunk.length) {
            int len = (int) Math.min(chunk.length, n - at);
            data.readFloats(at, FloatBuffer.wrap(chunk, 0, len));
            // Branch-free on the bits without the sign: 0 is a zero, 0x7f800000 and up (all-ones exponent) NaN or
            // infinite; a branch per element mispredicts on pruned weights, whose zeros fall at random.
            int z = 0;
            int nf = 0;
            for (int i = 0; i < len; i++) {
                int b = Float.floatToRawIntBits(chunk[i]) & 0x7fffffff;
                z += (b - 1) >>> 31;
                nf += (b + 0x00800000) >>> 31;
            }
            zeros += z;
            nonFinite += nf;
        }
        return new TensorStats(zeros, nonFinite);
    }
}
