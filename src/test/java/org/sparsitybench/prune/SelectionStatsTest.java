package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.method.MagnitudeScore;
import org.sparsitybench.prune.select.ExactSelector;
import org.sparsitybench.prune.select.ScoreHistogram;
import org.sparsitybench.prune.select.SelectionStats;
import org.sparsitybench.prune.select.Threshold;
import org.sparsitybench.task.CancellationToken;

class SelectionStatsTest {
    private static float[] weights() {
        float[] w = Reference.normal(300_000, 21, 0.05);
        for (int i = 0; i < w.length; i += 50) {
            w[i] = 0.03f; // many ties
        }
        w[7] = Float.NaN;
        w[8] = Float.POSITIVE_INFINITY;
        return w;
    }

    @ParameterizedTest(name = "sparsity {0}")
    @CsvSource(textBlock = """
            0
            0.1
            0.5
            0.9
            0.99999
            1
            """)
    void histogramStatisticsMatchBruteForce(double sparsity) {
        float[] w = weights();
        TensorData d = TensorData.ofFloats(w);
        ScoreHistogram h = ScoreHistogram.build(d, MagnitudeScore.INSTANCE, CancellationToken.NONE);
        long k = Math.round(sparsity * w.length);
        Threshold cut = ExactSelector.select(new ExactSelector.Candidate(d, MagnitudeScore.INSTANCE, h, null), k,
                CancellationToken.NONE);
        boolean[] kept = Reference.magnitude(w, k);

        assertEquals(Reference.energyRetained(w, kept), SelectionStats.energyRetained(h, cut), 1e-12);

        SelectionStats.KeptHistogram kh = SelectionStats.keptMagnitudes(h, cut, 100);
        double[] e = kh.edges();
        assertEquals(101, e.length);
        for (int i = 0; i < 100; i++) {
            assertTrue(e[i] <= e[i + 1], "edges ascend");
            long want = 0;
            for (int j = 0; j < w.length; j++) {
                double a = Math.abs(w[j]);
                if (kept[j] && Float.isFinite(w[j]) && a >= e[i] && a < e[i + 1]) {
                    want++;
                }
            }
            assertEquals(want, kh.counts()[i], "bin " + i + " [" + e[i] + ", " + e[i + 1] + ")");
        }
        long keptFinite = 0;
        for (int j = 0; j < w.length; j++) {
            keptFinite += kept[j] && Float.isFinite(w[j]) ? 1 : 0;
        }
        assertEquals(keptFinite, kh.total());
    }
}
