package org.sparsitybench.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Symmetric weight quantization: zeros stay zeros, every value within half a step, INT4 packed as ONNX reads it. */
class WeightQuantizerTest {
    /** A 12×70 weight with 60 % exact zeros and a few large outliers. */
    private static float[] prunedWeights(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[12 * 70];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextDouble() < 0.6 ? 0f : (float) r.nextGaussian() * (r.nextDouble() < 0.01 ? 8 : 1);
        }
        return w;
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            INT8, 0, 0
            INT8, 1, 0
            INT4, 0, 0
            INT4, 1, 32
            INT4, 1, 64
            INT4, 0, 32
            """)
    void everyZeroStaysZeroAndEveryValueIsWithinHalfAStep(Precision p, int axis, int block) {
        long[] shape = {12, 70};
        float[] w = prunedWeights(17 + axis + block);
        QuantizedWeight q = block == 0 ? WeightQuantizer.perAxis(w, shape, axis, p)
                : WeightQuantizer.blocked(w, shape, axis, block, p);
        long zeros = 0;
        for (int i = 0; i < w.length; i++) {
            float s = q.scales()[WeightQuantizer.scaleIndex(i, shape, axis, block)];
            if (w[i] == 0f) {
                zeros++;
                assertEquals(0, q.values()[i], "weight " + i + " was pruned");
                assertEquals(0f, q.dequantized(i, shape));
            }
            assertTrue(Math.abs(q.values()[i]) <= WeightQuantizer.qmax(p));
            assertTrue(Math.abs(w[i] - q.dequantized(i, shape)) <= s / 2 + 1e-6f, "weight " + i);
        }
        assertEquals(zeros, q.zerosBefore());
        assertTrue(q.zerosAfter() >= zeros);
        assertEquals(0, q.zerosLost());
    }

    @Test
    void blockedScalesRunAlongTheBlockedAxisWithTheLastBlockShort() {
        long[] shape = {2, 70};
        assertArrayEquals(new long[] {2, 3}, WeightQuantizer.scaleShape(shape, 1, 32));
        assertEquals(0, WeightQuantizer.scaleIndex(31, shape, 1, 32));
        assertEquals(1, WeightQuantizer.scaleIndex(32, shape, 1, 32));
        assertEquals(2, WeightQuantizer.scaleIndex(69, shape, 1, 32));
        assertEquals(3, WeightQuantizer.scaleIndex(70, shape, 1, 32));
        assertArrayEquals(new long[] {1, 70}, WeightQuantizer.scaleShape(shape, 0, 32));
        assertEquals(69, WeightQuantizer.scaleIndex(139, shape, 0, 32));
    }

    @Test
    void anAllZeroChannelGetsScaleOneAndZeroIntegers() {
        QuantizedWeight q = WeightQuantizer.perAxis(new float[] {0, 0, 1, -2}, new long[] {2, 2}, 0, Precision.INT8);
        assertArrayEquals(new float[] {1f, 2f / 127}, q.scales());
        assertArrayEquals(new byte[] {0, 0, 64, -127}, q.values());
    }

    @Test
    void int4PacksTheFirstValueIntoTheLowNibble() {
        assertArrayEquals(new byte[] {(byte) 0xF1, 0x07}, WeightQuantizer.packInt4(new byte[] {1, -1, 7}));
    }
}
