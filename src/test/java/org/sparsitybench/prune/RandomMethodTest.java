package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.method.RandomMethod;
import org.sparsitybench.prune.method.RandomScore;
import org.sparsitybench.task.CancellationToken;

class RandomMethodTest {
    private static Mask select(WeightTensor t, int tensorIndex, long seed, long k) {
        LayerInput in = new LayerInput(t, tensorIndex, seed, new ScoreCache(false));
        return RandomMethod.INSTANCE.select(in, k, CancellationToken.NONE);
    }

    @ParameterizedTest(name = "n {0}, k {1}")
    @CsvSource(textBlock = """
            1,       0
            1,       1
            10,      3
            1000,    500
            70000,   69999
            1200000, 600000
            """)
    void randomPruningMatchesTheSortedScoresExactly(int n, long k) {
        WeightTensor t = Reference.tensor("w", new long[] {n}, Reference.normal(n, 9, 1));
        RandomScore score = new RandomScore(17, 2);
        float[] scores = new float[n];
        for (int i = 0; i < n; i++) {
            scores[i] = score.score(i);
            assertTrue(scores[i] >= 0 && scores[i] < 1, "score in [0, 1)");
        }
        BitMask want = Reference.mask(Reference.byScores(List.of(scores), k).get(0));
        Mask got = select(t, 2, 17, k);
        assertEquals(k, got.prunedCount());
        assertEquals(want, got.toBitMask());
    }

    @Test
    void theSameSeedGivesTheSameMask() {
        WeightTensor t = Reference.tensor("w", new long[] {50_000}, new float[50_000]);
        assertEquals(select(t, 0, 5, 25_000).sha256(), select(t, 0, 5, 25_000).sha256());
    }

    @Test
    void otherSeedsAndOtherTensorsGiveOtherMasks() {
        WeightTensor t = Reference.tensor("w", new long[] {50_000}, new float[50_000]);
        String base = select(t, 0, 5, 25_000).sha256();
        assertNotEquals(base, select(t, 0, 6, 25_000).sha256());
        assertNotEquals(base, select(t, 1, 5, 25_000).sha256());
    }

    @Test
    void scoresLookUniform() {
        RandomScore s = new RandomScore(123, 0);
        int[] deciles = new int[10];
        for (int i = 0; i < 100_000; i++) {
            deciles[(int) (s.score(i) * 10)]++;
        }
        for (int d : deciles) {
            assertEquals(10_000, d, 500);
        }
    }
}
