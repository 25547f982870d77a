package org.sparsitybench.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TensorStatsTest {
    @Test
    void zerosOfEitherSignAndNanOrInfinitiesAreCountedAndNothingElse() {
        float[] v = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
                -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_NORMAL, 1f, -2.5f,
                Float.intBitsToFloat(0xffc00001), Float.intBitsToFloat(0x7f800001)};
        assertEquals(new TensorStats(2, 5), TensorStats.of(TensorData.ofFloats(v)));
    }

    @Test
    void countsAddUpOverChunks() {
        float[] v = new float[(1 << 16) * 2 + 5];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 3 == 0 ? 0f : i % 7 == 0 ? Float.NaN : i;
        }
        long zeros = 0;
        long nonFinite = 0;
        for (float x : v) {
            zeros += x == 0f ? 1 : 0;
            nonFinite += Float.isFinite(x) ? 0 : 1;
        }
        assertEquals(new TensorStats(zeros, nonFinite), TensorStats.of(TensorData.ofFloats(v)));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = DType.class, names = {"FLOAT16", "BFLOAT16", "FLOAT"})
    void storedFloatsAreCountedAsTheirDecodedValuesAre(DType type) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        int n = (1 << 16) + 7; // more than a chunk, not a multiple of four
        int width = type == DType.FLOAT ? 4 : 2;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(width * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            double r = rnd.nextDouble();
            if (width == 4) {
                // +0, −0, NaN/±Inf (any payload), denormals, and any other bits
                b.putInt(r < 0.1 ? 0 : r < 0.2 ? 0x80000000 : r < 0.25 ? 0x7f800000 | rnd.nextInt(0x800000)
                        | (rnd.nextBoolean() ? 0x80000000 : 0) : r < 0.3 ? rnd.nextInt(0x800000) : rnd.nextInt());
                continue;
            }
            int v = r < 0.1 ? 0 : r < 0.2 ? 0x8000 : r < 0.25 ? (type == DType.BFLOAT16 ? 0x7f80 : 0x7c00)
                    | rnd.nextInt(0x80) | (rnd.nextBoolean() ? 0x8000 : 0) : rnd.nextInt(0x10000);
            b.putShort((short) v);
        }
        b.flip();
        TensorData stored = BufferTensorData.of(type, n, b);
        TensorData decoded = TensorData.ofFloats(stored.readAllFloats());
        assertEquals(TensorStats.of(decoded), TensorStats.of(stored));
        assertEquals(true, TensorStats.of(stored).nonFinite() > 0 && TensorStats.of(stored).zeros() > 0);
    }
}
