package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.mask.ThresholdMask;
import org.sparsitybench.prune.method.MagnitudeScore;
import org.sparsitybench.prune.select.ExactSelector;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

class ThresholdMaskKeptZerosTest {
    /**
     * A |w| cut tells the zeros it keeps without reading the weights: none above 0, the unpruned zero ties at 0,
     * none when everything goes. The engine's kept figures rely on it instead of a pass over the weights.
     */
    @ParameterizedTest
    @CsvSource(textBlock = """
            0.15, true
            0.29, true
            0.31, false
            0.80, false
            1.00, false
            """)
    void aMagnitudeCutKnowsTheZerosItKeeps(double share, boolean cutAmongZeros) {
        float[] w = Reference.normal(200_003, 11, 1.0); // several parts, not a multiple of 64
        for (int i = 0; i + 7 < w.length; i += 10) {
            w[i] = 0f;
            w[i + 3] = -0f;
            w[i + 7] = 0f;
        }
        WeightTensor t = Reference.tensor("w", new long[] {w.length}, w);
        long k = Math.round(share * w.length);
        ExactSelector.Selection s = new ScoreCache(false).select(List.of(t), List.of(MagnitudeScore.INSTANCE), k,
                ProgressListener.NONE, CancellationToken.NONE).get(0);
        ThresholdMask m = new ThresholdMask(t.data(), MagnitudeScore.INSTANCE, s.threshold(), s.mask());
        long keptNonZeros = Masking.keptNonZeros(t.data(), m, CancellationToken.NONE);

        assertEquals(m.keptCount() - keptNonZeros, m.keptZeros());
        assertEquals(cutAmongZeros, m.keptZeros() > 0, "30 % of the weights are zeros");
        assertTrue(share < 1 || m.keptCount() == 0);
    }
}
