package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.DTypeCodec;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.mask.ThresholdMask;
import org.sparsitybench.prune.method.MagnitudeScore;
import org.sparsitybench.prune.select.ExactSelector;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

class ScoreCacheTest {
    private static final CancellationToken NONE = CancellationToken.NONE;
    private static final List<ScoreFunction> TWO = List.of(MagnitudeScore.INSTANCE, MagnitudeScore.INSTANCE);

    @Test
    void binIndexesStopAtTheLimitAndTheCutStaysExact() {
        float[] a = Reference.normal(3000, 1, 1.0);
        float[] b = Reference.normal(2000, 2, 1.0);
        WeightTensor ta = Reference.tensor("a", new long[] {3000}, a);
        WeightTensor tb = Reference.tensor("b", new long[] {2000}, b);
        ScoreCache cache = new ScoreCache(true, 4000);

        assertNotNull(cache.candidate(ta, MagnitudeScore.INSTANCE, NONE).index());
        assertNull(cache.candidate(tb, MagnitudeScore.INSTANCE, NONE).index(), "3000 + 2000 weights exceed 4000");
        assertEquals(3000, cache.indexedWeights());

        List<boolean[]> want = Reference.global(List.of(a, b), 2600);
        List<ExactSelector.Selection> s = cache.select(List.of(ta, tb), TWO, 2600, ProgressListener.NONE, NONE);
        for (int t = 0; t < 2; t++) {
            WeightTensor tensor = t == 0 ? ta : tb;
            ThresholdMask m = new ThresholdMask(tensor.data(), MagnitudeScore.INSTANCE, s.get(t).threshold());
            assertEquals(Reference.mask(want.get(t)), m.toBitMask(), tensor.name());
        }
        cache.clear();
        assertEquals(0, cache.indexedWeights());
    }

    @Test
    void interactiveCachesBoundTheirIndexesByDefault() {
        ScoreCache cache = new ScoreCache(true);
        float[] big = new float[(int) ScoreCache.DEFAULT_INDEX_LIMIT + 1];
        WeightTensor t = Reference.tensor("big", new long[] {big.length}, big);
        assertNull(cache.candidate(t, MagnitudeScore.INSTANCE, NONE).index());
        assertEquals(0, cache.indexedWeights());
    }

    @Test
    void bf16TensorsNeedNoBinIndex() {
        int n = 5000;
        float[] w = Reference.normal(n, 3, 0.02);
        ByteBuffer bytes = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            bytes.putShort(2 * i, (short) DTypeCodec.floatToBf16(w[i]));
        }
        BufferTensorData data = BufferTensorData.of(DType.BFLOAT16, n, bytes);
        WeightTensor t = new WeightTensor("w", "MatMul", "w", new long[] {n}, DType.BFLOAT16, TensorRole.WEIGHT, true,
                0, "test", data);
        ScoreCache cache = new ScoreCache(true);

        ExactSelector.Candidate c = cache.candidate(t, MagnitudeScore.INSTANCE, NONE);
        assertNull(c.index());
        assertEquals(0, cache.indexedWeights());
        ExactSelector.Selection s = cache.select(List.of(t), List.of(MagnitudeScore.INSTANCE), 1234,
                ProgressListener.NONE, NONE).get(0);
        assertEquals(Reference.mask(Reference.magnitude(data.readAllFloats(), 1234)),
                new ThresholdMask(data, MagnitudeScore.INSTANCE, s.threshold()).toBitMask());
    }
}
