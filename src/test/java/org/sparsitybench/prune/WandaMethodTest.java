package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.method.WandaMethod;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Wanda as an engine method against a brute-force reference: k spread over the rows (the first {@code k mod
 * rows} one more; with zeros in the file, level by level from each row's zeros), each row's zeros and then its
 * lowest {@code |w|·‖x‖} pruned ({@link Double#compare} order, NaN last), ties by index; and its calibration
 * contract.
 */
class WandaMethodTest {
    static boolean[] reference(float[] w, int rows, double[] norms, long k) {
        int per = w.length / rows;
        boolean[] kept = new boolean[w.length];
        Arrays.fill(kept, true);
        long[] prune = quotas(w, rows, k);
        for (int row = 0; row < rows; row++) {
            final int base = row * per;
            Integer[] order = new Integer[per];
            for (int j = 0; j < per; j++) {
                order[j] = j;
            }
            Arrays.sort(order, (a, b) -> {
                int z = Boolean.compare(w[base + a] != 0f, w[base + b] != 0f); // zeros in the file first
                int c = z != 0 ? z : Double.compare(Math.abs(w[base + a]) * norms[a], Math.abs(w[base + b]) * norms[b]);
                return c != 0 ? c : Integer.compare(a, b);
            });
            for (int q = 0; q < prune[row]; q++) {
                kept[base + order[q]] = false;
            }
        }
        return kept;
    }

    /**
     * Rows filled one level at a time, in row order: with at most the zeros of each row while k does not exceed
     * them all, otherwise from each row's zeros up (the zeros never kept while a non-zero goes).
     */
    static long[] quotas(float[] w, int rows, long k) {
        int per = w.length / rows;
        long[] zeros = new long[rows];
        long all = 0;
        for (int e = 0; e < w.length; e++) {
            if (w[e] == 0f) {
                zeros[e / per]++;
                all++;
            }
        }
        boolean onlyZeros = k <= all;
        long[] p = onlyZeros ? new long[rows] : zeros.clone();
        long left = onlyZeros ? k : k - all;
        for (int level = 1; left > 0; level++) {
            for (int r = 0; r < rows && left > 0; r++) {
                long cap = onlyZeros ? Math.min(zeros[r], level) : Math.min(per, level);
                if (p[r] < cap) {
                    p[r]++;
                    left--;
                }
            }
        }
        return p;
    }

    @ParameterizedTest(name = "{0} weights")
    @CsvSource(textBlock = """
            random
            ties
            equal
            zero
            nan
            """)
    void prunesExactlyKByActivationWeightedScoresLikeTheReference(String kind) {
        SplittableRandom r = new SplittableRandom(kind.hashCode());
        for (int trial = 0; trial < 40; trial++) {
            int rows = 1 + r.nextInt(6);
            int in = 1 + r.nextInt(8);
            float[] w = StructuredMethodTest.values(kind, rows * in, trial);
            double[] norms = new double[in];
            for (int j = 0; j < in; j++) {
                norms[j] = kind.equals("ties") ? r.nextInt(3) : r.nextDouble() * 2;
            }
            WeightTensor t = Reference.tensor("w", new long[] {rows, in}, w);
            LayerInput layer = new LayerInput(t, 0, 0, new ScoreCache(false), null, new FeatureNorms(norms, 1));
            long n = w.length;
            for (long k : new long[] {0, n, r.nextLong(n + 1)}) {
                Mask m = WandaMethod.ROW.select(layer, k, CancellationToken.NONE);
                assertEquals(k, m.prunedCount(), "exact count");
                assertEquals(Reference.mask(reference(w, rows, norms, k)), m.toBitMask(),
                        kind + " trial " + trial + " k " + k);
            }
        }
    }

    @Test
    void theEngineFailsClearlyWithoutCalibrationAndUsesTheNormsItIsGiven() {
        float[] w = StructuredMethodTest.values("random", 24, 9);
        WeightTensor t = Reference.tensor("fc", new long[] {4, 6}, w);
        PruningConfig c = PruningConfig.of(GlobalSettings.of(0.5, "wanda-row", Allocation.UNIFORM));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new PruningEngine(Reference.model(t)).run(c, ProgressListener.NONE, CancellationToken.NONE));
        assertTrue(e.getMessage().contains("fc") && e.getMessage().contains("calibration"), e.getMessage());

        double[] norms = {0.1, 5, 0, 2, 1, 3};
        PruningResult r = new PruningEngine(Reference.model(t), new ScoreCache(false), null,
                Map.of("fc", new FeatureNorms(norms, 1))).run(c, ProgressListener.NONE, CancellationToken.NONE);
        assertEquals(Reference.mask(reference(w, 4, norms, 12)), r.mask("fc").toBitMask());
        assertTrue(r.targetMet());
        assertEquals("wanda-row", r.layers().get(0).method());
        // An excluded layer needs no calibration.
        PruningResult dense = new PruningEngine(Reference.model(t)).run(c.withLayer("fc", LayerSettings.excludedLayer()),
                ProgressListener.NONE, CancellationToken.NONE);
        assertEquals(0, dense.pruned());
    }

    /** The whole layer's k lowest |w|·‖x‖ (ties by index, NaN last), whatever row they are in. */
    @ParameterizedTest(name = "{0} weights")
    @CsvSource(textBlock = """
            random
            ties
            nan
            """)
    void theLayerGroupPrunesTheLayersLowestScores(String kind) {
        SplittableRandom r = new SplittableRandom(kind.hashCode() + 1);
        for (int trial = 0; trial < 30; trial++) {
            int rows = 1 + r.nextInt(5);
            int in = 1 + r.nextInt(7);
            float[] w = StructuredMethodTest.values(kind, rows * in, trial);
            double[] norms = new double[in];
            for (int j = 0; j < in; j++) {
                norms[j] = kind.equals("ties") ? r.nextInt(3) : r.nextDouble() * 2;
            }
            Integer[] order = new Integer[w.length];
            for (int i = 0; i < w.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> {
                int c = Double.compare(Math.abs(w[a]) * norms[a % in], Math.abs(w[b]) * norms[b % in]);
                return c != 0 ? c : Integer.compare(a, b);
            });
            long k = r.nextLong(w.length + 1);
            boolean[] kept = new boolean[w.length];
            Arrays.fill(kept, true);
            for (int q = 0; q < k; q++) {
                kept[order[q]] = false;
            }
            LayerInput layer = new LayerInput(Reference.tensor("w", new long[] {rows, in}, w), 0, 0,
                    new ScoreCache(false), null, new FeatureNorms(norms, 1));
            Mask m = WandaMethod.LAYER.select(layer, k, CancellationToken.NONE);
            assertEquals(Reference.mask(kept), m.toBitMask(), kind + " trial " + trial + " k " + k);
        }
    }

    /**
     * 2:4 by score, not by |w|: in each group of four inputs of a row the two highest |w|·‖x‖ stay, so a small weight
     * on a loud input outlives a larger one on a quiet input (which plain N:M would keep).
     */
    @Test
    void nmKeepsTheTwoHighestScoresOfEveryFourInputs() {
        float[] w = {1, 2, 3, 4, 0.5f, 8, 6, 7,
                -4, 3, -2, 1, 9, 0.1f, 0.2f, 0.3f};
        double[] norms = {10, 1, 1, 1, 1, 1, 100, 1};
        LayerInput layer = new LayerInput(Reference.tensor("w", new long[] {2, 8}, w), 0, 0, new ScoreCache(false),
                "2:4", new FeatureNorms(norms, 1));
        Mask m = WandaMethod.NM.select(layer, 8, CancellationToken.NONE);
        // row 0: scores 10,2,3,4 | 0.5,8,600,7 ; row 1: 40,3,2,1 | 9,0.1,20,0.3
        boolean[] expected = {true, false, false, true, false, true, true, false,
                true, true, false, false, true, false, true, false};
        assertEquals(Reference.mask(expected), m.toBitMask());
        assertEquals(8, m.prunedCount());
        assertEquals(org.sparsitybench.prune.method.NmPattern.select(layer.tensor(), 2, 4, CancellationToken.NONE),
                WandaMethod.NM.select(new LayerInput(layer.tensor(), 0, 0, new ScoreCache(false), "2:4",
                        new FeatureNorms(new double[] {1, 1, 1, 1, 1, 1, 1, 1}, 1)), 8, CancellationToken.NONE).toBitMask(),
                "with equal norms Wanda's N:M is magnitude's N:M");
        assertTrue(WandaMethod.isWanda("wanda-nm") && WandaMethod.isWanda("wanda-layer") && !WandaMethod.isWanda("nm"));
    }
}
