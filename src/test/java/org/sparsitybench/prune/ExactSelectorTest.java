package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.mask.ThresholdMask;
import org.sparsitybench.prune.method.MagnitudeScore;
import org.sparsitybench.prune.select.BinIndex;
import org.sparsitybench.prune.select.ExactSelector;
import org.sparsitybench.prune.select.ExactSelector.Candidate;
import org.sparsitybench.prune.select.ScoreHistogram;
import org.sparsitybench.prune.select.Threshold;
import org.sparsitybench.task.CancellationToken;

class ExactSelectorTest {
    private static final CancellationToken NONE = CancellationToken.NONE;
    private static final float[] TINY_SET = {0f, -0f, 1f, -1f, 0.5f, 2f, 2f, 1e-40f, Float.NaN,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -3f};

    private static Candidate candidate(float[] w, boolean withIndex) {
        TensorData d = TensorData.ofFloats(w);
        ScoreHistogram h = ScoreHistogram.build(d, MagnitudeScore.INSTANCE, NONE);
        BinIndex index = withIndex ? BinIndex.build(d, MagnitudeScore.INSTANCE, h, NONE) : null;
        return new Candidate(d, MagnitudeScore.INSTANCE, h, index);
    }

    private static float[] parse(String values) {
        String[] parts = values.trim().split("\\s+");
        float[] w = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            w[i] = Float.parseFloat(parts[i]);
        }
        return w;
    }

    /** Every path of the selector gives the reference's mask: fused, lazy, lazy element by element, indexed. */
    private static void assertAllPathsMatch(List<float[]> tensors, long k) {
        List<boolean[]> expected = Reference.global(tensors, k);
        for (boolean indexed : new boolean[] {false, true}) {
            List<Candidate> pool = new ArrayList<>();
            for (float[] w : tensors) {
                pool.add(candidate(w, indexed));
            }
            List<Threshold> cuts = ExactSelector.select(pool, k, NONE);
            List<ExactSelector.Selection> fused = ExactSelector.selectAndMaterialise(pool, k, NONE);
            long pruned = 0;
            for (int t = 0; t < tensors.size(); t++) {
                BitMask want = Reference.mask(expected.get(t));
                String where = "tensor " + t + " of " + tensors.size() + ", k " + k + ", indexed " + indexed + ", "
                        + Arrays.toString(tensors.get(t)).substring(0, Math.min(200, Arrays.toString(tensors.get(t)).length()));
                ThresholdMask lazy = new ThresholdMask(pool.get(t).data(), MagnitudeScore.INSTANCE, cuts.get(t));
                for (int i = 0; i < want.size(); i++) {
                    assertEquals(want.isKept(i), lazy.isKept(i), where + ": element " + i);
                }
                assertEquals(want, lazy.toBitMask(), where);
                assertEquals(want, fused.get(t).mask(), where);
                assertEquals(cuts.get(t).prunedCount(), fused.get(t).threshold().prunedCount(), where);
                pruned += cuts.get(t).prunedCount();
            }
            assertEquals(k, pruned, "total pruned");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ties at the cut are pruned in index order | 3 1 2 2 2 5 2                    | 0.5
            all equal                                 | 7 7 7 7 7 7                      | 0.5
            all zero                                  | 0 0 0 0 0                        | 0.6
            negative zero ties positive zero          | -0 0 -0 0 1 -1                   | 0.5
            NaN and infinities are pruned last        | NaN 1 Infinity -Infinity 0.5 NaN -2 | 0.6
            NaN goes after infinity                   | NaN Infinity NaN -Infinity 1     | 0.8
            sparsity zero prunes nothing              | 1 2 3                            | 0
            sparsity one prunes everything            | 1 NaN 3 -0                       | 1
            k of one prunes the smallest              | 4 3 -2 1                         | 0.25
            one element kept                          | 5                                | 0
            one element pruned                        | 5                                | 1
            subnormals order by value                 | 1e-45 -1e-45 1e-40 0 1e-38       | 0.5
            negative weights by magnitude             | -5 4 -3 2 -1                     | 0.6
            """)
    void magnitudeSelectionMatchesTheSortReference(String name, String values, double sparsity) {
        float[] w = parse(values);
        long k = Math.round(sparsity * w.length);
        assertAllPathsMatch(List.of(w), k);
    }

    @Test
    void randomSmallTensorsWithManyTiesMatchTheReference() {
        SplittableRandom r = new SplittableRandom(42);
        for (int c = 0; c < 200; c++) {
            int tensors = c % 5 == 0 ? 1 + r.nextInt(4) : 1;
            List<float[]> pool = new ArrayList<>();
            long total = 0;
            for (int t = 0; t < tensors; t++) {
                float[] w = new float[1 + r.nextInt(c % 3 == 0 ? 8 : 300)];
                int distinct = 1 + r.nextInt(TINY_SET.length);
                for (int i = 0; i < w.length; i++) {
                    w[i] = TINY_SET[r.nextInt(distinct)];
                }
                pool.add(w);
                total += w.length;
            }
            assertAllPathsMatch(pool, r.nextLong(total + 1));
        }
    }

    @Test
    void tiesSpanningPartsOfALargeTensorArePrunedInIndexOrder() {
        int n = (1 << 20) + 12_345; // split into four parts
        SplittableRandom r = new SplittableRandom(7);
        float[] w = new float[n];
        float[] values = {0f, 0.5f, 1f, 1f, 1f, 2f};
        for (int i = 0; i < n; i++) {
            w[i] = values[r.nextInt(values.length)] * (r.nextBoolean() ? 1 : -1);
        }
        long below = 0;
        long ties = 0;
        for (float v : w) {
            below += Math.abs(v) < 1f ? 1 : 0;
            ties += Math.abs(v) == 1f ? 1 : 0;
        }
        for (long k : new long[] {below + 1, below + ties / 3, below + ties - 1}) {
            boolean[] expected = Reference.magnitude(w, k);
            BitMask want = Reference.mask(expected);
            Candidate plain = candidate(w, false);
            assertEquals(4, plain.histogram().partCount());
            assertEquals(want, ExactSelector.selectAndMaterialise(List.of(plain), k, NONE).get(0).mask());
            Threshold cut = ExactSelector.select(plain, k, NONE);
            assertEquals(1f, cut.value());
            ThresholdMask lazy = new ThresholdMask(plain.data(), MagnitudeScore.INSTANCE, cut);
            for (int i = 0; i < n; i += 997) {
                assertEquals(want.isKept(i), lazy.isKept(i), "element " + i);
            }
            assertEquals(want, lazy.toBitMask());
            Candidate indexed = candidate(w, true);
            assertEquals(want, new ThresholdMask(indexed.data(), MagnitudeScore.INSTANCE,
                    ExactSelector.select(indexed, k, NONE)).toBitMask());
        }
    }

    @Test
    void aHugeTieBeyondTheFuseLimitIsPrunedInIndexOrderToo() {
        int n = (int) ExactSelector.FUSE_LIMIT + 1000;
        float[] w = new float[n];
        java.util.Arrays.fill(w, -0.75f);
        long k = n / 3;
        ExactSelector.Selection s = ExactSelector.selectAndMaterialise(List.of(candidate(w, false)), k, NONE).get(0);
        assertEquals(k, s.mask().prunedCount());
        assertEquals(0, s.threshold().belowCount());
        assertEquals(n, s.threshold().tieCount());
        for (long i : new long[] {0, k - 1, k, n - 1}) {
            assertEquals(i >= k, s.mask().isKept(i), "element " + i);
        }
    }

    @Test
    void continuousWeightsGiveTheExactKthMagnitude() {
        float[] w = Reference.normal(1 << 21, 3, 1.0);
        long k = Math.round(0.9 * w.length);
        float[] sorted = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            sorted[i] = Math.abs(w[i]);
        }
        Arrays.sort(sorted);
        Threshold cut = ExactSelector.select(candidate(w, false), k, NONE);
        assertEquals(sorted[(int) k - 1], cut.value());
        assertEquals(k, cut.prunedCount());
    }

    @Test
    void globalSelectionBreaksTiesByTensorOrder() {
        float[] a = {1, 1, 3};
        float[] b = {1, 0, 1};
        // Four smallest over both: 0 (b), then the ties at 1 in order a0, a1, b0 (b2 survives).
        List<Candidate> pool = List.of(candidate(a, false), candidate(b, false));
        List<ExactSelector.Selection> s = ExactSelector.selectAndMaterialise(pool, 4, NONE);
        assertEquals(BitMask.ofKept(new boolean[] {false, false, true}), s.get(0).mask());
        assertEquals(BitMask.ofKept(new boolean[] {false, false, true}), s.get(1).mask());
    }

    @ParameterizedTest(name = "k = {0}")
    @CsvSource(textBlock = """
            -1
            7
            """)
    void kOutsideTheTensorIsRejectedWithItsValue(long k) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExactSelector.select(candidate(new float[6], false), k, NONE));
        assertTrue(e.getMessage().contains(Long.toString(k)), e.getMessage());
    }
}
