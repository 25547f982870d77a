package org.sparsitybench.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
        if (data.dtype() == DType.FLOAT16 || data.dtype() == DType.BFLOAT16) {
            TensorStats s = ofStoredHalves(data, n);
            if (s != null) {
                return s;
            }
        }
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
        // Branch-free on the bits without the sign: 0 is a zero, 0x7f800000 and up (all-ones exponent) NaN or
        // infinite; a branch per element mispredicts on pruned weights, whose zeros fall at random.
        long zeros = 0;
        long nonFinite = 0;
        for (int i = 0; i < length; i++) {
            int b = Float.floatToRawIntBits(values[i]) & 0x7fffffff;
            zeros += (b - 1) >>> 31;
            nonFinite += (b + 0x00800000) >>> 31;
        }
        return new TensorStats(zeros, nonFinite);
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * 16-bit floats counted on their stored bytes, four per long (SWAR), without decoding them; null when the data
     * cannot hand out its bytes ({@link TensorData#readStored}). Without the sign bit a lane is zero when it is 0,
     * and NaN or infinite when its exponent bits ({@code 0x7f80} for bfloat16, {@code 0x7c00} for float16) are all
     * set: adding the exponent's lowest bit then carries into the lane's top bit.
     */
    private static TensorStats ofStoredHalves(TensorData data, long n) {
        boolean bf16 = data.dtype() == DType.BFLOAT16;
        long exponent = bf16 ? 0x7f807f807f807f80L : 0x7c007c007c007c00L;
        long lowest = bf16 ? 0x0080008000800080L : 0x0400040004000400L;
        int lane = bf16 ? 0x7f80 : 0x7c00;
        byte[] bytes = new byte[(int) Math.min(CHUNK, n) * 2];
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long zeros = 0;
        long nonFinite = 0;
        for (long at = 0; at < n; at += CHUNK) {
            int len = (int) Math.min(CHUNK, n - at);
            buf.clear();
            if (!data.readStored(at, len, buf)) {
                return null;
            }
            int end = 2 * len;
            int p = 0;
            long z = 0;
            long nf = 0;
            for (; p + 8 <= end; p += 8) {
                long x = (long) LONGS.get(bytes, p) & 0x7fff7fff7fff7fffL;
                z += 4 - Long.bitCount((x + 0x7fff7fff7fff7fffL) & 0x8000800080008000L);
                nf += Long.bitCount(((x & exponent) + lowest) & 0x8000800080008000L);
            }
            for (; p < end; p += 2) {
                int v = ((bytes[p] & 0xff) | (bytes[p + 1] & 0xff) << 8) & 0x7fff;
                z += v == 0 ? 1 : 0;
                nf += (v & lane) == lane ? 1 : 0;
            }
            zeros += z;
            nonFinite += nf;
        }
        return new TensorStats(zeros, nonFinite);
    }

    /** The counts of two disjoint sets of values together. */
    public TensorStats plus(TensorStats other) {
        return new TensorStats(zeros + other.zeros, nonFinite + other.nonFinite);
    }
}
