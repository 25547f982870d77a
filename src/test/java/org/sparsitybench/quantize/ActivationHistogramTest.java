package org.sparsitybench.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Range choices from calibration values: min–max keeps outliers, percentile and MSE clip them. */
class ActivationHistogramTest {
    /** 100,000 values of |N(0,1)| and one outlier at 50. */
    private static ActivationHistogram reluLikeWithOutlier() {
        SplittableRandom r = new SplittableRandom(3);
        float[] v = new float[100_001];
        for (int i = 0; i < v.length - 1; i++) {
            v[i] = (float) Math.abs(r.nextGaussian());
        }
        v[v.length - 1] = 50f;
        float max = 0;
        for (float x : v) {
            max = Math.max(max, x);
        }
        ActivationHistogram h = new ActivationHistogram(0, max);
        h.add(FloatBuffer.wrap(v));
        return h;
    }

    @Test
    void minMaxKeepsTheOutlierAndStartsAtZero() {
        double[] r = reluLikeWithOutlier().range(RangeMethod.MINMAX, 0.9999);
        assertEquals(0, r[0]);
        assertEquals(50, r[1], 1e-6);
    }

    @Test
    void percentileClipsTheOutlier() {
        double[] r = reluLikeWithOutlier().range(RangeMethod.PERCENTILE, 0.9999);
        assertEquals(0, r[0]);
        assertTrue(r[1] > 3 && r[1] < 6, "99.99th percentile of |N(0,1)| is about 3.9, got " + r[1]);
    }

    @Test
    void mseClipsAnOutlierWhenTheBulkGainsMoreThanItLoses() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] v = new float[1_000_001];
        for (int i = 0; i < v.length - 1; i++) {
            v[i] = (float) Math.min(5, Math.abs(rnd.nextGaussian()));
        }
        v[v.length - 1] = 20f;
        ActivationHistogram h = new ActivationHistogram(0, 20);
        h.add(FloatBuffer.wrap(v));
        double[] r = h.range(RangeMethod.MSE, 0.9999);
        assertEquals(0, r[0]);
        // Steps of 20/255 cost a million values ~5e-4 each (~500); clipping the one outlier to 5 costs 15² = 225.
        assertTrue(r[1] >= 4 && r[1] < 15, "got " + r[1]);
    }

    @Test
    void mseBarelyClipsASingleOutlierThatCostsMoreClippedThanTheBulkGains() {
        // 100,000 values: clipping 50 to 5 would cost 2025, steps of 0.2 cost the bulk only ~320.
        double hi = reluLikeWithOutlier().range(RangeMethod.MSE, 0.9999)[1];
        assertTrue(hi > 40 && hi <= 50, "got " + hi);
    }

    @Test
    void aRangeFromZeroHasZeroPointZeroSoQuantizeIsRelu() {
        AffineParams p = AffineParams.uint8(0, 6.375);
        assertEquals(0, p.zeroPoint());
        assertEquals(0.025f, p.scale(), 1e-7f);
        AffineParams q = AffineParams.uint8(-1, 1);
        assertTrue(q.zeroPoint() == 127 || q.zeroPoint() == 128, "the middle of 0..255, got " + q.zeroPoint());
    }
}
