package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.method.MagnitudeScore;
import org.sparsitybench.prune.method.RandomScore;
import org.sparsitybench.prune.select.ScoreHistogram;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.CancelledException;

class ScoreHistogramTest {
    private static final CancellationToken NONE = CancellationToken.NONE;

    @Test
    void chunkedParallelHistogramEqualsASingleThreadedOne() {
        int n = 3_000_000;
        SplittableRandom r = new SplittableRandom(11);
        ByteBuffer bytes = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            // Mixed scales, exact repeats and a few specials.
            float v = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
            w[i] = i % 1000 == 0 ? Float.NaN : i % 1001 == 0 ? Float.NEGATIVE_INFINITY : i % 7 == 0 ? 0.25f : v;
            bytes.putFloat(i * 4, w[i]);
        }
        long[] counts = new long[ScoreHistogram.BINS];
        double[] sums = new double[ScoreHistogram.BINS];
        long nonFinite = 0;
        for (float v : w) {
            nonFinite += Float.isFinite(v) ? 0 : 1;
            int bin = ScoreFunction.magnitudeBits(v) >>> 16;
            counts[bin]++;
            if (Float.isFinite(v)) {
                sums[bin] += (double) v * v;
            }
        }
        ScoreHistogram h = ScoreHistogram.build(BufferTensorData.of(DType.FLOAT, n, bytes), MagnitudeScore.INSTANCE, NONE);

        assertEquals(4, h.partCount());
        assertArrayEquals(counts, h.denseCounts());
        for (int j = 0; j < h.binCount(); j++) {
            double want = sums[h.bin(j)];
            assertEquals(want, h.sumSquares(j), Math.abs(want) * 1e-12, "bin " + h.bin(j));
        }
        long partTotal = 0;
        for (int p = 0; p < h.partCount(); p++) {
            for (int j = 0; j < h.binCount(); j++) {
                partTotal += h.partCount(p, j);
            }
        }
        assertEquals(n, partTotal);
        assertEquals(nonFinite, h.nonFiniteCount());
    }

    @Test
    void buildingTwiceGivesBitIdenticalSums() {
        float[] w = Reference.normal(1_500_000, 5, 0.02);
        TensorData d = TensorData.ofFloats(w);
        ScoreHistogram a = ScoreHistogram.build(d, MagnitudeScore.INSTANCE, NONE);
        ScoreHistogram b = ScoreHistogram.build(d, MagnitudeScore.INSTANCE, NONE);
        assertEquals(a.binCount(), b.binCount());
        for (int j = 0; j < a.binCount(); j++) {
            assertEquals(Double.doubleToRawLongBits(a.sumSquares(j)), Double.doubleToRawLongBits(b.sumSquares(j)));
        }
        assertEquals(a.totalSumSquares(), b.totalSumSquares());
    }

    @Test
    void nonFiniteWeightsAddNoEnergyUnderRandomScores() {
        float[] w = {1, Float.NaN, 2, Float.POSITIVE_INFINITY, 3};
        ScoreHistogram h = ScoreHistogram.build(TensorData.ofFloats(w), new RandomScore(1, 0), NONE);
        assertEquals(14.0, h.totalSumSquares());
        assertEquals(5, h.size());
    }

    @Test
    void aCancelledBuildThrows() {
        CancellationToken.Source token = CancellationToken.newSource();
        token.cancel();
        assertThrows(CancelledException.class,
                () -> ScoreHistogram.build(TensorData.ofFloats(new float[10]), MagnitudeScore.INSTANCE, token));
    }
}
