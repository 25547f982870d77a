package org.sparsitybench.prune;

import java.util.List;
import java.util.Map;
import org.sparsitybench.model.WeightTensor;

/**
 * Per-layer sparsity levels from a sensitivity analysis (supplied by the evaluation module), for the
 * {@link Allocation#SENSITIVITY} allocation. The engine treats the levels as the shape of the allocation: it
 * scales and rounds them so that the free layers' pruned total is exact, keeping every layer within [0, 1].
 */
@FunctionalInterface
public interface SensitivityAllocation {
    /**
     * @param freeLayers the layers the allocation distributes over (not modified)
     * @param freeTarget the sparsity they should reach together
     * @return wanted sparsity per layer name, each in [0, 1]; missing layers get {@code freeTarget}
     */
    Map<String, Double> levels(List<WeightTensor> freeLayers, double freeTarget);
}
