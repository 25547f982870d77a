package org.sparsitybench.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Conversions between stored element types and float32. Stateless; all buffers are read little-endian from
 * their current position, which is not modified (absolute gets), so one buffer can serve many readers.
 */
public final class DTypeCodec {
    private static final float[] E4M3 = new float[256];
    private static final float[] E5M2 = new float[256];

    static {
        for (int b = 0; b < 256; b++) {
            E4M3[b] = decodeFp8(b, 4, 3, 7, true);
            E5M2[b] = decodeFp8(b, 5, 2, 15, false);
        }
    }

    private DTypeCodec() {
    }

    /** IEEE half (binary16) bits to float, exact. */
    public static float halfToFloat(int bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f; // subnormal half
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Float to IEEE half bits, round to nearest even; overflow gives infinity, NaN stays NaN. */
    public static int floatToHalf(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int exp = (x >>> 23) & 0xff;
        int mant = x & 0x7fffff;
        if (exp == 0xff) {
            return sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0);
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return sign | 0x7c00;
        }
        if (e <= 0) {
            if (e < -10) {
                return sign;
            }
            int m = mant | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) {
                half++;
            }
            return sign | half;
        }
        int half = (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which is the right result (up to infinity)
        }
        return sign | half;
    }

    /** bfloat16 bits to float, exact. */
    public static float bf16ToFloat(int bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Float to bfloat16 bits, round to nearest even; NaN stays NaN. */
    public static int floatToBf16(float f) {
        int x = Float.floatToRawIntBits(f);
        if ((x & 0x7fffffff) > 0x7f800000) {
            return ((x >>> 16) | 0x40) & 0xffff;
        }
        int lsb = (x >>> 16) & 1;
        return ((x + 0x7fff + lsb) >>> 16) & 0xffff;
    }

    public static float fp8E4M3ToFloat(int bits) {
        return E4M3[bits & 0xff];
    }

    public static float fp8E5M2ToFloat(int bits) {
        return E5M2[bits & 0xff];
    }

    private static float decodeFp8(int b, int expBits, int mantBits, int bias, boolean fnuz) {
        int sign = (b >>> 7) & 1;
        int exp = (b >>> mantBits) & ((1 << expBits) - 1);
        int mant = b & ((1 << mantBits) - 1);
        float v;
        int maxExp = (1 << expBits) - 1;
        if (fnuz && exp == maxExp && mant == (1 << mantBits) - 1) {
            v = Float.NaN; // E4M3FN: only S.1111.111 is NaN, no infinities
        } else if (!fnuz && exp == maxExp) {
            v = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else if (exp == 0) {
            v = (float) (mant / (double) (1 << mantBits) * Math.pow(2, 1 - bias));
        } else {
            v = (float) ((1 + mant / (double) (1 << mantBits)) * Math.pow(2, exp - bias));
        }
        return sign == 1 ? -v : v;
    }

    /**
     * Decodes {@code count} elements of {@code type} starting at byte {@code byteOffset} of {@code src} into
     * {@code dst} (modified: position advances by count). {@code src} is not modified.
     */
    public static void decode(DType type, ByteBuffer src, int byteOffset, int count, FloatBuffer dst) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = byteOffset;
        switch (type) {
            case FLOAT -> {
                b.position(p).limit(p + count * 4);
                dst.put(b.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
            }
            case FLOAT16, BFLOAT16 -> decode16(type == DType.BFLOAT16, b, p, count, dst);
            case DOUBLE -> {
                for (int i = 0; i < count; i++, p += 8) {
                    dst.put((float) b.getDouble(p));
                }
            }
            case FLOAT8_E4M3 -> {
                for (int i = 0; i < count; i++) {
                    dst.put(E4M3[b.get(p + i) & 0xff]);
                }
            }
            case FLOAT8_E5M2 -> {
                for (int i = 0; i < count; i++) {
                    dst.put(E5M2[b.get(p + i) & 0xff]);
                }
            }
            case INT8 -> {
                for (int i = 0; i < count; i++) {
                    dst.put(b.get(p + i));
                }
            }
            case UINT8, BOOL -> {
                for (int i = 0; i < count; i++) {
                    dst.put(b.get(p + i) & 0xff);
                }
            }
            case INT16 -> {
                for (int i = 0; i < count; i++, p += 2) {
                    dst.put(b.getShort(p));
                }
            }
            case UINT16 -> {
                for (int i = 0; i < count; i++, p += 2) {
                    dst.put(b.getShort(p) & 0xffff);
                }
            }
            case INT32 -> {
                for (int i = 0; i < count; i++, p += 4) {
                    dst.put(b.getInt(p));
                }
            }
            case UINT32 -> {
                for (int i = 0; i < count; i++, p += 4) {
                    dst.put(b.getInt(p) & 0xffffffffL);
                }
            }
            case INT64 -> {
                for (int i = 0; i < count; i++, p += 8) {
                    dst.put(b.getLong(p));
                }
            }
            case UINT64 -> {
                for (int i = 0; i < count; i++, p += 8) {
                    long v = b.getLong(p);
                    dst.put(v >= 0 ? v : (float) (v >>> 1) * 2f);
                }
            }
            default -> throw new IllegalArgumentException("cannot decode " + type + " as float");
        }
    }

    /** 16-bit elements per bulk step: the shorts are copied out in bulk, then widened in a tight loop. */
    private static final int BLOCK16 = 4096;

    /** Decodes 16-bit floats a block at a time (bulk copy, then a loop over an array) rather than per get/put. */
    private static void decode16(boolean bf16, ByteBuffer b, int p, int count, FloatBuffer dst) {
        short[] raw = new short[Math.min(count, BLOCK16)];
        float[] wide = dst.hasArray() ? null : new float[raw.length];
        for (int done = 0; done < count; ) {
            int len = Math.min(raw.length, count - done);
            b.position(p + 2 * done).limit(p + 2 * (done + len));
            b.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(raw, 0, len);
            b.limit(b.capacity());
            float[] out = wide != null ? wide : dst.array();
            int at = wide != null ? 0 : dst.arrayOffset() + dst.position();
            if (bf16) {
                for (int i = 0; i < len; i++) {
                    out[at + i] = Float.intBitsToFloat(raw[i] << 16);
                }
            } else {
                for (int i = 0; i < len; i++) {
                    out[at + i] = halfToFloat(raw[i]);
                }
            }
            if (wide != null) {
                dst.put(wide, 0, len);
            } else {
                dst.position(dst.position() + len);
            }
            done += len;
        }
    }

    /**
     * Encodes {@code src[from, from+count)} as {@code type} into {@code dst} at its position, little-endian
     * (dst modified, src not). Supports the prunable float types only.
     */
    public static void encode(DType type, float[] src, int from, int count, ByteBuffer dst) {
        ByteBuffer b = dst.order() == ByteOrder.LITTLE_ENDIAN ? dst : dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int end = from + count;
        switch (type) {
            case FLOAT -> {
                b.asFloatBuffer().put(src, from, count); // a view shares the bytes: one bulk copy
                b.position(b.position() + 4 * count);
            }
            case FLOAT16, BFLOAT16 -> {
                // Narrow a block into shorts in a tight loop, then copy it in bulk through a view.
                short[] raw = new short[Math.min(count, BLOCK16)];
                boolean bf16 = type == DType.BFLOAT16;
                for (int done = 0; done < count; ) {
                    int len = Math.min(raw.length, count - done);
                    for (int i = 0; i < len; i++) {
                        float f = src[from + done + i];
                        raw[i] = (short) (bf16 ? floatToBf16(f) : floatToHalf(f));
                    }
                    b.asShortBuffer().put(raw, 0, len);
                    b.position(b.position() + 2 * len);
                    done += len;
                }
            }
            case DOUBLE -> {
                for (int i = from; i < end; i++) {
                    b.putDouble(src[i]);
                }
            }
            default -> throw new UnsupportedModelException("cannot write " + type.displayName() + " tensors");
        }
        if (b != dst) {
            dst.position(b.position());
        }
    }
}
