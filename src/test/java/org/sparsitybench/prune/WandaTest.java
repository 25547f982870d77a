package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.method.Wanda;
import org.sparsitybench.task.CancellationToken;

/**
 * Wanda against a brute-force reference: per output row, zeros already in the file first, then the lowest
 * |W|·‖X‖, ties by index.
 */
class WandaTest {
    private static WeightTensor tensor(float[] w, int axis, long... shape) {
        return new WeightTensor("w", "Gemm", "n", shape, DType.FLOAT, TensorRole.WEIGHT, true, axis, "initializer",
                TensorData.ofFloats(w));
    }

    @Test
    void eachRowDropsItsLowestActivationWeightedScoresWithTiesByIndex() {
        Random r = new Random(5);
        for (int trial = 0; trial < 50; trial++) {
            int out = 1 + r.nextInt(6);
            int in = 1 + r.nextInt(9);
            float[] w = new float[out * in];
            for (int i = 0; i < w.length; i++) {
                w[i] = (r.nextInt(5) - 2) * 0.5f; // few distinct values: many ties
            }
            double[] norms = new double[in];
            for (int j = 0; j < in; j++) {
                norms[j] = r.nextInt(3);
            }
            double s = r.nextDouble();
            BitMask mask = Wanda.select(tensor(w, 0, out, in), norms, 1, s, CancellationToken.NONE);
            int prune = (int) Math.round(s * in);
            for (int o = 0; o < out; o++) {
                final int row = o;
                Integer[] order = new Integer[in];
                for (int j = 0; j < in; j++) {
                    order[j] = j;
                }
                Arrays.sort(order, Comparator.comparing((Integer j) -> w[row * in + j] != 0f)
                        .thenComparingDouble(j -> Math.abs(w[row * in + j]) * norms[j]).thenComparingInt(j -> j));
                for (int q = 0; q < in; q++) {
                    assertEquals(q >= prune, mask.isKept((long) row * in + order[q]), "trial " + trial + " row " + row);
                }
            }
        }
    }

    @Test
    void aTransposedWeightUsesItsRowsAlongTheOutputAxis() {
        // W stored [in=3, out=2] (MatMul operand): output axis 1, features on axis 0.
        float[] w = {1, 4, 2, 5, 3, 6};
        BitMask mask = Wanda.select(tensor(w, 1, 3, 2), new double[] {3, 1, 1}, 0, 1.0 / 3, CancellationToken.NONE);
        // column 0: scores 3, 2, 3 -> drop index 1 (value 2); column 1: 12, 5, 6 -> drop index 1 (value 5)
        assertEquals(Arrays.asList(true, true, false, false, true, true),
                Arrays.asList(mask.isKept(0), mask.isKept(1), mask.isKept(2), mask.isKept(3), mask.isKept(4), mask.isKept(5)));
    }
}
