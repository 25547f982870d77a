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
        if (data.dtype() == DType.FLOAT16 || data.dtype() == DType.BFLOAT16 || data.dtype() == DType.FLOAT) {
            TensorStats s = ofStored(data, n);
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
     * Floats counted on their stored bytes, four 16-bit or two 32-bit lanes per long (SWAR), without decoding them;
     * null when the data cannot hand out its bytes ({@link TensorData#readStored}). Without the sign bit a lane is
     * zero when it is 0 (adding the lane's all-ones-but-top value then leaves its top bit clear), and NaN or infinite
     * when its exponent bits ({@code 0x7f80} for bfloat16, {@code 0x7c00} for float16, {@code 0x7f800000} for
     * float32) are all set (adding the exponent's lowest bit then carries into the lane's top bit).
     */
    private static TensorStats ofStored(TensorData data, long n) {
        int width = data.dtype() == DType.FLOAT ? 4 : 2;
        long magnitude;
        long top;
        long exponent;
        long lowest;
        if (width == 4) {
            magnitude = 0x7fffffff7fffffffL;
            top = 0x8000000080000000L;
            exponent = 0x7f8000007f800000L;
            lowest = 0x0080000000800000L;
        } else {
            boolean bf16 = data.dtype() == DType.BFLOAT16;
            magnitude = 0x7fff7fff7fff7fffL;
            top = 0x8000800080008000L;
            exponent = bf16 ? 0x7f807f807f807f80L : 0x7c007c007c007c00L;
            lowest = bf16 ? 0x0080008000800080L : 0x0400040004000400L;
        }
        int lanes = 8 / width;
        byte[] bytes = new byte[(int) Math.min(CHUNK, n) * width];
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long zeros = 0;
        long nonFinite = 0;
        for (long at = 0; at < n; at += CHUNK) {
            int len = (int) Math.min(CHUNK, n - at);
            buf.clear();
            if (!data.readStored(at, len, buf)) {
                return null;
            }
            int end = width * len;
            int p = 0;
            long z = 0;
            long nf = 0;
            for (; p + 8 <= end; p += 8) {
                long x = (long) LONGS.get(bytes, p) & magnitude;
                z += lanes - Long.bitCount((x + magnitude) & top);
                nf += Long.bitCount(((x & exponent) + lowest) & top);
            }
            for (; p < end; p += width) {
                long v = 0;
                for (int i = width - 1; i >= 0; i--) {
                    v = v << 8 | (bytes[p + i] & 0xff);
                }
                v &= magnitude & (width == 4 ? 0xffffffffL : 0xffffL);
                z += v == 0 ? 1 : 0;
                long e = exponent & (width == 4 ? 0xffffffffL : 0xffffL);
                nf += (v & e) == e ? 1 : 0;
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
