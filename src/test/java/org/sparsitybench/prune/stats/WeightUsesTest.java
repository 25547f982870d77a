package org.sparsitybench.prune.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparsitybench.formats.onnx.OnnxReader;
import org.sparsitybench.model.Model;
import org.sparsitybench.testing.Fixtures;

/** FLOPs from shapes: each weight's uses per sample, propagated through a PyTorch-exported CNN. */
class WeightUsesTest {
    @Test
    void convWeightsAreUsedOncePerOutputPositionAndGemmWeightsOncePerRow() throws Exception {
        Model m = new OnnxReader().read(Fixtures.torch("cnn_bn.onnx"));
        WeightUses u = WeightUses.of(m);
        // input [N,1,8,8]: conv3x3 pad 1 keeps 8x8; conv3x3 without padding gives 6x6; then Flatten → Gemm.
        assertEquals(Map.of("0.weight", 64L, "3.weight", 36L, "6.weight", 1L), u.uses());
        long dense = u.flops(Map.of("0.weight", 36L, "3.weight", 216L, "6.weight", 1080L));
        assertEquals(2 * (64 * 36 + 36 * 216 + 1080), dense);
        assertEquals(2 * (64 * 18), u.flops(Map.of("0.weight", 18L)), "half the conv kept, half its FLOPs");
    }
}
