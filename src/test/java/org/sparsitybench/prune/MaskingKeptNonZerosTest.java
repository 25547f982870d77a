package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.task.CancellationToken;

class MaskingKeptNonZerosTest {
    @Test
    void keptNonZerosCountsWhatTheMaskKeepsLessItsZerosOfEitherSign() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] w = new float[300_007]; // several chunks and parts, not a multiple of 64
        boolean[] kept = new boolean[w.length];
        long expected = 0;
        for (int i = 0; i < w.length; i++) {
            double r = rnd.nextDouble();
            w[i] = r < 0.1 ? 0f : r < 0.2 ? -0f : r < 0.21 ? Float.NaN : (float) rnd.nextGaussian();
            kept[i] = rnd.nextBoolean();
            expected += kept[i] && w[i] != 0f ? 1 : 0;
        }
        assertEquals(expected, Masking.keptNonZeros(TensorData.ofFloats(w), BitMask.ofKept(kept), CancellationToken.NONE));
    }
}
