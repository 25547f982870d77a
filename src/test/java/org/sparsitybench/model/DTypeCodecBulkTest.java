package org.sparsitybench.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The block-wise encode and decode give what the per-element conversions give, at any offset and length. */
class DTypeCodecBulkTest {
    private static float[] values(int n, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (i % 11) {
                case 0 -> 0f;
                case 1 -> -0f;
                case 2 -> Float.NaN;
                case 3 -> Float.NEGATIVE_INFINITY;
                case 4 -> 1e-30f;
                case 5 -> 70000f;
                default -> (float) rnd.nextGaussian();
            };
        }
        return v;
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            BFLOAT16, 0, 9000, false
            BFLOAT16, 3, 4097, true
            FLOAT16, 1, 9000, false
            FLOAT16, 0, 5, true
            FLOAT, 2, 9000, true
            """)
    void blockEncodeMatchesElementByElement(DType type, int from, int count, boolean direct) {
        float[] src = values(from + count, count);
        int width = type.byteSize();
        ByteBuffer dst = (direct ? ByteBuffer.allocateDirect(8 + width * count) : ByteBuffer.allocate(8 + width * count))
                .order(ByteOrder.LITTLE_ENDIAN);
        dst.position(8);
        DTypeCodec.encode(type, src, from, count, dst);
        assertEquals(8 + width * count, dst.position());
        for (int i = 0; i < count; i++) {
            float f = src[from + i];
            int at = 8 + width * i;
            switch (type) {
                case BFLOAT16 -> assertEquals((short) DTypeCodec.floatToBf16(f), dst.getShort(at), "element " + i);
                case FLOAT16 -> assertEquals((short) DTypeCodec.floatToHalf(f), dst.getShort(at), "element " + i);
                default -> assertEquals(Float.floatToRawIntBits(f), dst.getInt(at), "element " + i);
            }
        }
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            BFLOAT16, 6, 9000, false, false
            BFLOAT16, 2, 4096, true, true
            FLOAT16, 4, 9001, false, true
            FLOAT16, 0, 3, true, false
            """)
    void blockDecodeMatchesElementByElement(DType type, int byteOffset, int count, boolean directSrc,
                                            boolean directDst) {
        Random rnd = new Random(count);
        ByteBuffer src = (directSrc ? ByteBuffer.allocateDirect(byteOffset + 2 * count)
                : ByteBuffer.allocate(byteOffset + 2 * count)).order(ByteOrder.BIG_ENDIAN); // decode reads LE anyway
        for (int i = 0; i < count; i++) {
            src.put(byteOffset + 2 * i, (byte) rnd.nextInt());
            src.put(byteOffset + 2 * i + 1, (byte) rnd.nextInt());
        }
        FloatBuffer dst = directDst ? ByteBuffer.allocateDirect(4 * (count + 1)).asFloatBuffer()
                : FloatBuffer.allocate(count + 1);
        dst.position(1);
        DTypeCodec.decode(type, src, byteOffset, count, dst);
        assertEquals(count + 1, dst.position());
        assertEquals(0, src.position(), "the source's position is not modified");
        float[] got = new float[count];
        dst.get(1, got);
        float[] expected = new float[count];
        for (int i = 0; i < count; i++) {
            int bits = (src.get(byteOffset + 2 * i) & 0xff) | (src.get(byteOffset + 2 * i + 1) & 0xff) << 8;
            expected[i] = type == DType.BFLOAT16 ? DTypeCodec.bf16ToFloat(bits) : DTypeCodec.halfToFloat(bits);
        }
        assertArrayEquals(expected, got);
    }
}
