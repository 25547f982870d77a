package org.sparsitybench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The cubic schedule of Zhu & Gupta (2017) and the distillation loss's limits. */
class GradualScheduleTest {
    @Test
    void cubicScheduleStartsAtTheCurrentSparsityEndsAtTheTargetAndPrunesFastestEarly() {
        assertEquals(0.2, MaskedPruning.cubic(0.2, 0.9, 0, 5), 1e-12);
        assertEquals(0.9, MaskedPruning.cubic(0.2, 0.9, 5, 5), 1e-12);
        double previousStep = Double.POSITIVE_INFINITY;
        for (int k = 1; k <= 5; k++) {
            double step = MaskedPruning.cubic(0.2, 0.9, k, 5) - MaskedPruning.cubic(0.2, 0.9, k - 1, 5);
            assertTrue(step > 0 && step < previousStep, "step " + k + ": " + step);
            previousStep = step;
        }
    }

    @Test
    void distillationWithAlphaOneIsCrossEntropyAndWithIdenticalTeacherHasZeroSoftTerm() {
        float[] logits = {1f, 2f, 0.5f, -1f, 0f, 3f};
        int[] labels = {1, 2};
        float[] g1 = new float[6];
        float[] g2 = new float[6];
        double ce = SoftmaxCrossEntropy.lossAndGradient(logits, labels, 2, 3, g1, new int[1]);
        assertEquals(ce, Distillation.lossAndGradient(logits, labels, logits, 2, 3, 1, 4, g2, new int[1]), 1e-12);
        float[] g3 = new float[6];
        double soft = Distillation.lossAndGradient(logits, labels, logits, 2, 3, 0, 4, g3, new int[1]);
        assertEquals(0, soft, 1e-9);
        for (float g : g3) {
            assertEquals(0f, g, 1e-7f);
        }
    }
}
