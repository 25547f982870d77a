package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparsitybench.formats.onnx.OnnxReader;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.method.NmPattern;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/** N:M through the engine: the pattern sets the sparsity, and the engine says the target was not its to meet. */
class NmMethodTest {
    @Test
    void theEngineAppliesTheConfiguredPatternToEveryLayer() throws Exception {
        Model m = new OnnxReader().read(Fixtures.torch("mlp.onnx"));
        PruningConfig cfg = PruningConfig.of(new GlobalSettings(0.3, "nm", Allocation.UNIFORM, "1:4", 0, null));
        PruningResult r = new PruningEngine(m).run(cfg, ProgressListener.NONE, CancellationToken.NONE);
        assertEquals(0.75, r.achievedSparsity(), 1e-12, "1:4 keeps a quarter whatever the target");
        for (var t : m.prunableTensors()) {
            assertTrue(NmPattern.violations(t, r.mask(t.name()), 1, 4).isEmpty(), t.name());
        }
        // The pattern decides, not the target: every layer takes 1:4 in full, so there is nothing to explain.
        assertTrue(!r.targetMet() && r.messages().isEmpty(), r.messages().toString());
        assertTrue(PruningMethods.ids().contains("nm"));
    }
}
