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
        TensorStats total = new TensorStats(0, 0);
        for (long at = 0; at < n; at += chunk.length) {
            int len = (int) Math.min(chunk.length, n - at);
            data.readFloats(at, FloatBuffer.wrap(chunk, 0, len));
            total = total.plus(of(chunk, len));
        }
        return total;
    }

    /** Counts over the first {@code length} of {@code values} (not modified). */
    public static TensorStats of(float[] values, int length) {
        long zeros = 0;
        long nonFinite = 0;
        for (int i = 0; i < length; i++) {
            float v = values[i];
            if (v == 0f) {
                zeros++;
            } else if (!Float.isFinite(v)) {
                nonFinite++;
            }
        }
        return new TensorStats(zeros, nonFinite);
    }

    /** The counts of two disjoint sets of values together. */
    public TensorStats plus(TensorStats other) {
        return new TensorStats(zeros + other.zeros, nonFinite + other.nonFinite);
    }
}
