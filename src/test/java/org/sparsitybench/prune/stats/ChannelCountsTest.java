package org.sparsitybench.prune.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;

class ChannelCountsTest {
    /** Shapes whose channel runs start and end inside words, span words, and repeat over an outer axis. */
    @ParameterizedTest
    @CsvSource(textBlock = """
            0, 7, 5, 1, 1
            0, 16, 3, 3, 3
            0, 3, 130, 1, 1
            1, 3, 10, 1, 1
            1, 2, 5, 3, 3
            0, 64, 64, 1, 1
            """)
    void wordCountsMatchCountingElementByElement(int axis, int d0, int d1, int d2, int d3) {
        long[] shape = {d0, d1, d2, d3};
        int n = d0 * d1 * d2 * d3;
        Random rnd = new Random(n);
        boolean[] kept = new boolean[n];
        for (int i = 0; i < n; i++) {
            kept[i] = rnd.nextBoolean();
        }
        WeightTensor t = new WeightTensor("w", "Conv", "conv", shape, DType.FLOAT, TensorRole.WEIGHT, true, axis,
                "raw_data", TensorData.ofFloats(new float[n]));
        long inner = 1;
        for (int i = axis + 1; i < 4; i++) {
            inner *= shape[i];
        }
        long[] expected = new long[(int) shape[axis]];
        for (int e = 0; e < n; e++) {
            if (kept[e]) {
                expected[(int) ((e / inner) % shape[axis])]++;
            }
        }
        assertArrayEquals(expected, ChannelCounts.kept(t, BitMask.ofKept(kept)));
    }
}
