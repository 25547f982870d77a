package org.sparsitybench.prune.method;

import org.sparsitybench.prune.LayerInput;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningMethod;
import org.sparsitybench.task.CancellationToken;

/**
 * N:M semi-structured pruning as an engine method ({@code "nm"}): the pattern (from the configuration's
 * {@code nmPattern}, default 2:4) fixes each layer's sparsity at (M−N)/M whatever share the allocation asked
 * for; the engine reports the achieved count. See {@link NmPattern}.
 */
public final class NmMethod implements PruningMethod {
    public static final NmMethod INSTANCE = new NmMethod();

    private NmMethod() {
    }

    @Override
    public String id() {
        return "nm";
    }

    @Override
    public Mask select(LayerInput layer, long k, CancellationToken cancel) {
        int[] nm = NmPattern.parse(layer.nmPattern());
        int n = nm[0];
        int m = nm[1];
        if (k == 0) {
            return org.sparsitybench.prune.BitMask.allKept(layer.size()); // a dense request stays dense
        }
        return NmPattern.select(layer.tensor(), n, m, cancel);
    }
}
