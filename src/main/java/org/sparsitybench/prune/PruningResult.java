package org.sparsitybench.prune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One engine run: per-layer results and masks in model order, the totals and whether the target was met.
 * A new object each run; nothing in an earlier result changes.
 *
 * @param config         the configuration run
 * @param layers         per-layer results, model order
 * @param masks          mask per tensor name, model order (excluded layers get an all-kept mask)
 * @param selectedParams weights of the non-excluded prunable layers
 * @param targetPruned   {@code round(target · selectedParams)} (half to even)
 * @param pruned         weights pruned in all
 * @param targetMet      {@code pruned == targetPruned}
 * @param messages       why the target was not met, layers the configuration names but the model lacks, ...
 */
public record PruningResult(PruningConfig config, List<LayerResult> layers, Map<String, Mask> masks,
                            long selectedParams, long targetPruned, long pruned, boolean targetMet,
                            List<String> messages) {
    public PruningResult {
        layers = List.copyOf(layers);
        masks = Collections.unmodifiableMap(new LinkedHashMap<>(masks));
        messages = List.copyOf(messages);
    }

    /** {@code pruned / selectedParams}; 0 when nothing is selected. */
    public double achievedSparsity() {
        return selectedParams == 0 ? 0.0 : (double) pruned / selectedParams;
    }

    public Mask mask(String tensorName) {
        Mask m = masks.get(tensorName);
        if (m == null) {
            throw new IllegalArgumentException("no mask for tensor '" + tensorName + "'");
        }
        return m;
    }
}
