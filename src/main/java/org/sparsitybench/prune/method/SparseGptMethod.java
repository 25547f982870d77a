package org.sparsitybench.prune.method;

import org.sparsitybench.prune.LayerInput;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningMethod;
import org.sparsitybench.prune.ScoreFunction;
import org.sparsitybench.task.CancellationToken;

/**
 * SparseGPT as an engine method. The engine allocates and previews: {@code sparsegpt} selects and scores as
 * magnitude does (so global and other allocations pool it, and the per-layer count is magnitude's),
 * {@code sparsegpt-nm} as {@code nm} with the configuration's pattern. The final mask and weights come from the
 * reconstruction pass on calibration samples ({@code org.sparsitybench.eval.Reconstruction}), which keeps each
 * layer's count; the preview is what the views show until it has run.
 */
public final class SparseGptMethod {
    public static final String ID = "sparsegpt";
    public static final String NM_ID = "sparsegpt-nm";

    /** Unstructured SparseGPT. */
    public static final PruningMethod UNSTRUCTURED = new Unstructured();
    /** SparseGPT with the configuration's N:M pattern. */
    public static final PruningMethod NM = new SemiStructured();

    private SparseGptMethod() {
    }

    private static final class Unstructured extends ScoredMethod {
        @Override
        public String id() {
            return ID;
        }

        @Override
        public ScoreFunction scoreFunction(LayerInput layer) {
            return MagnitudeMethod.INSTANCE.scoreFunction(layer);
        }
    }

    private static final class SemiStructured implements PruningMethod {
        @Override
        public String id() {
            return NM_ID;
        }

        @Override
        public Mask select(LayerInput layer, long k, CancellationToken cancel) {
            return NmMethod.INSTANCE.select(layer, k, cancel);
        }

        @Override
        public String toString() {
            return NM_ID;
        }
    }
}
