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
}
