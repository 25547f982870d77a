package org.sparsitybench.prune.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.task.CancellationToken;

/** Histograms and heatmap grids against brute-force counts. */
class StatisticsTest {
    private static float[] values(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static boolean[] keep(int n, long seed) {
        Random r = new Random(seed);
        boolean[] k = new boolean[n];
        for (int i = 0; i < n; i++) {
            k[i] = r.nextBoolean();
        }
        return k;
    }

    /**
     * A BF16 tensor holding each of the 128 values of [1/32, 1/16) three times, both signs, and one weight of 0.07:
     * every bin inside that octave must count the same, where bins of an arbitrary width alternate between holding
     * two and three of those values (a comb drawn over a flat distribution).
     */
    @ParameterizedTest(name = "signed {0}, {1} bins")
    @CsvSource({"false, 100", "true, 100", "false, 37", "true, 64"})
    void lowPrecisionBinsHoldEqualNumbersOfRepresentableValues(boolean signed, int bins) {
        java.util.List<Short> raw = new java.util.ArrayList<>();
        int first = org.sparsitybench.model.DTypeCodec.floatToBf16(1f / 32) & 0xffff;
        for (int q = first; q < first + 128; q++) {
            for (int c = 0; c < 3; c++) {
                raw.add((short) q);
                raw.add((short) (q | 0x8000));
            }
        }
        raw.add((short) org.sparsitybench.model.DTypeCodec.floatToBf16(0.07f));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2 * raw.size()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        raw.forEach(b::putShort);
        b.flip();
        TensorData d = new org.sparsitybench.model.BufferTensorData(org.sparsitybench.model.DType.BFLOAT16,
                raw.size(), java.util.List.of(b));
        WeightHistogram h = WeightHistogram.of(d, null, bins, signed, WeightHistogram.Scale.LINEAR,
                CancellationToken.NONE);
        assertEquals(raw.size(), h.total());
        java.util.Set<Long> inside = new java.util.TreeSet<>();
        for (int i = 0; i < h.bins(); i++) {
            double lo = Math.abs(h.edges()[i]);
            double hi = Math.abs(h.edges()[i + 1]);
            if (Math.min(lo, hi) >= 1.0 / 32 && Math.max(lo, hi) <= 1.0 / 16) {
                inside.add(h.all()[i]);
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(inside.size() == 1 && inside.iterator().next() > 0,
                "counts of the bins inside [1/32, 1/16): " + inside);
        org.junit.jupiter.api.Assertions.assertTrue(h.bins() <= bins + 1 && h.bins() >= bins / 4, h.bins() + " bins");
    }

    @Test
    void histogramCountsEveryFiniteWeightOnceAndKeptOnesSeparately() {
        float[] w = values(10_000, 1);
        w[5] = Float.NaN;
        w[6] = Float.POSITIVE_INFINITY;
        w[7] = 0f;
        boolean[] k = keep(w.length, 2);
        WeightHistogram h = WeightHistogram.of(TensorData.ofFloats(w), BitMask.ofKept(k), 50, false,
                WeightHistogram.Scale.LINEAR, CancellationToken.NONE);
        long[] all = new long[50];
        long[] kept = new long[50];
        double max = 0;
        for (float v : w) {
            if (Float.isFinite(v)) {
                max = Math.max(max, Math.abs(v));
            }
        }
        for (int i = 0; i < w.length; i++) {
            if (!Float.isFinite(w[i])) {
                continue;
            }
            int b = Math.min(49, (int) (Math.abs(w[i]) / (max / 50)));
            all[b]++;
            if (k[i]) {
                kept[b]++;
            }
        }
        assertArrayEquals(all, h.all());
        assertArrayEquals(kept, h.kept());
        assertEquals(2, h.nonFinite());
        assertEquals(1, h.zeros());
        assertEquals(0.0, h.edges()[0]);
        assertEquals(max, h.edges()[50], 1e-9);
    }

    @Test
    void logHistogramLeavesZerosOutAndSpansDecades() {
        float[] w = {0f, 0.002f, -0.03f, 0.5f, 3f, -20f};
        WeightHistogram h = WeightHistogram.of(TensorData.ofFloats(w), null, 4, false, WeightHistogram.Scale.LOG,
                CancellationToken.NONE);
        assertEquals(5, h.total());
        assertEquals(1, h.zeros());
        assertEquals(0.002, h.edges()[0], 1e-9);
        assertEquals(20, h.edges()[4], 1e-5);
        assertArrayEquals(new long[] {1, 1, 1, 2}, h.all());
        assertThrows(IllegalArgumentException.class, () -> WeightHistogram.of(TensorData.ofFloats(w), null, 4, true,
                WeightHistogram.Scale.LOG, CancellationToken.NONE));
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            7, 13, 3, 4
            64, 27, 64, 27
            100, 9, 512, 512
            1000, 1, 7, 1
            """)
    void heatmapCellsHoldTheMeanMagnitudeAndKeptShareOfTheirBlock(int rows, int cols, int gr, int gc) {
        float[] w = values(rows * cols, rows);
        boolean[] k = keep(w.length, cols);
        HeatmapGrid g = HeatmapGrid.of(TensorData.ofFloats(w), new long[] {rows, cols}, BitMask.ofKept(k), gr, gc,
                CancellationToken.NONE);
        int er = Math.min(gr, rows);
        int ec = Math.min(gc, cols);
        assertEquals(er, g.gridRows());
        assertEquals(ec, g.gridCols());
        double[] sum = new double[er * ec];
        int[] cnt = new int[er * ec];
        int[] kept = new int[er * ec];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int cell = (int) ((long) r * er / rows) * ec + (int) ((long) c * ec / cols);
                sum[cell] += Math.abs(w[r * cols + c]);
                cnt[cell]++;
                kept[cell] += k[r * cols + c] ? 1 : 0;
            }
        }
        for (int i = 0; i < sum.length; i++) {
            assertEquals(sum[i] / cnt[i], g.meanAbs()[i], 1e-5, "cell " + i);
            assertEquals((float) kept[i] / cnt[i], g.keptFraction()[i], 1e-6, "cell " + i);
        }
    }

    @Test
    void heatmapOfALargeTensorMatchesTheSingleThreadedAnswer() {
        int rows = 1500;
        int cols = 1000;
        float[] w = values(rows * cols, 3);
        HeatmapGrid big = HeatmapGrid.of(TensorData.ofFloats(w), new long[] {rows, cols}, null, 64, 64,
                CancellationToken.NONE);
        double[] sum = new double[64 * 64];
        int[] cnt = new int[64 * 64];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int cell = (r * 64 / rows) * 64 + c * 64 / cols;
                sum[cell] += Math.abs(w[r * cols + c]);
                cnt[cell]++;
            }
        }
        for (int i = 0; i < sum.length; i++) {
            assertEquals(sum[i] / cnt[i], big.meanAbs()[i], 1e-5);
            assertEquals(1f, big.keptFraction()[i]);
        }
    }
}
