package org.sparsitybench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Adam's decoupled weight decay (AdamW). */
class AdamTest {
    @Test
    void weightDecayShrinksTrainedWeightsOnlyNotFrozenPositionsBiasesOrNormalisation() {
        Param w = new Param("w", 2, 2).filled(2f);
        w.frozen = new boolean[] {false, true, false, false};
        w.value[1] = 0f;
        Param b = new Param("b", 2).filled(2f);
        // No gradient: the Adam update is 0, so only the decay moves the weights, by lr·λ of their value.
        new Adam(List.of(w, b)).step(0.1, 0.5);
        assertEquals(2 * (1 - 0.1f * 0.5f), w.value[0], 1e-6);
        assertEquals(0f, w.value[1], "a pruned weight stays 0.0");
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(w.value[1]));
        assertEquals(2f, b.value[0], "biases are not decayed");
    }
}
