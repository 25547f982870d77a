package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.method.StructuredMethod;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Structured L1/L2 against a brute-force reference: per output row the plain-loop norm, rows sorted by norm
 * (NaN last) then index, the first {@code round(k · rows / size)} removed whole.
 */
class StructuredMethodTest {
    /** Small tensors of the given kind: random, ties (few values), all equal, all zero, with NaN and ±Inf. */
    static float[] values(String kind, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = switch (kind) {
                case "random" -> (float) r.nextGaussian();
                case "ties" -> (r.nextInt(5) - 2) * 0.5f;
                case "equal" -> 0.25f;
                case "zero" -> r.nextBoolean() ? 0f : -0f;
                case "nan" -> r.nextInt(7) == 0 ? Float.NaN : r.nextInt(11) == 0 ? Float.NEGATIVE_INFINITY
                        : (float) r.nextGaussian();
                default -> throw new IllegalArgumentException(kind);
            };
        }
        return w;
    }

    /** Kept flag per element of the reference. */
    static boolean[] reference(float[] w, int rows, int norm, long k) {
        int per = w.length / rows;
        double[] score = new double[rows];
        for (int row = 0; row < rows; row++) {
            double acc = 0;
            for (int q = 0; q < per; q++) {
                double v = w[row * per + q];
                acc += norm == 1 ? Math.abs(v) : v * v;
            }
            score[row] = norm == 1 ? acc : Math.sqrt(acc);
        }
        Integer[] order = new Integer[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> score[a] != score[b] && !(Double.isNaN(score[a]) && Double.isNaN(score[b]))
                ? Double.compare(score[a], score[b]) : Integer.compare(a, b));
        long remove = (long) Math.rint((double) k * rows / w.length); // halves to even, as the engine rounds
        boolean[] kept = new boolean[w.length];
        Arrays.fill(kept, true);
        for (int i = 0; i < remove; i++) {
            Arrays.fill(kept, order[i] * per, order[i] * per + per, false);
        }
        return kept;
    }

    @ParameterizedTest(name = "L{0} over {1} tensors")
    @CsvSource(textBlock = """
            1, random
            2, random
            1, ties
            2, ties
            1, equal
            2, equal
            1, zero
            2, zero
            1, nan
            2, nan
            """)
    void removesTheLowestNormRowsLikeTheReference(int norm, String kind) {
        StructuredMethod method = norm == 1 ? StructuredMethod.L1 : StructuredMethod.L2;
        SplittableRandom r = new SplittableRandom(norm * 31L + kind.hashCode());
        for (int trial = 0; trial < 40; trial++) {
            int rows = 1 + r.nextInt(7);
            int per = 1 + r.nextInt(6);
            float[] w = values(kind, rows * per, trial);
            WeightTensor t = Reference.tensor("w", new long[] {rows, per}, w);
            long n = w.length;
            for (long k : new long[] {0, n, r.nextLong(n + 1)}) {
                Mask m = method.select(new LayerInput(t, 0, 0, new ScoreCache(false)), k, CancellationToken.NONE);
                assertEquals(Reference.mask(reference(w, rows, norm, k)), m.toBitMask(),
                        kind + " trial " + trial + " k " + k + " of " + Arrays.toString(w));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            l1-structured
            l2-structured
            """)
    void theEngineRunsItFromAConfigurationAndReportsWholeRowsHonestly(String id) {
        // 5 rows of 4: 30 % asks for 6 weights, 1.5 rows; rounding to even gives 2 rows = 8 weights.
        float[] w = values("random", 20, 3);
        WeightTensor t = Reference.tensor("w", new long[] {5, 4}, w);
        PruningResult r = new PruningEngine(Reference.model(t)).run(
                PruningConfig.of(GlobalSettings.of(0.3, id, Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
        LayerResult l = r.layers().get(0);
        assertEquals(id, l.method());
        assertEquals(0.3, l.requested(), 1e-12);
        assertEquals(0.4, l.achieved(), 1e-12);
        assertEquals(6, r.targetPruned());
        assertEquals(8, r.pruned());
        assertFalse(r.targetMet());
        assertTrue(r.messages().get(0).contains("8 weights instead of 6"), r.messages().toString());
        assertArrayEquals(reference(w, 5, id.startsWith("l1") ? 1 : 2, 6), toArray(r.mask("w")));
    }

    private static boolean[] toArray(Mask m) {
        boolean[] b = new boolean[(int) m.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = m.isKept(i);
        }
        return b;
    }
}
