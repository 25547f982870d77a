package org.sparsitybench.ui.overview;

import java.util.Objects;

/**
 * One layer as the model overview shows it.
 *
 * @param name      tensor name
 * @param requested sparsity asked for, 0 to 1
 * @param achieved  sparsity reached, 0 to 1
 * @param params    weights in the layer
 * @param kept      weights kept
 */
public record OverviewRow(String name, double requested, double achieved, long params, long kept) {
    public OverviewRow {
        Objects.requireNonNull(name, "name");
        if (params < 0 || kept < 0 || kept > params) {
            throw new IllegalArgumentException(name + ": kept " + kept + " of " + params + " parameters");
        }
    }

    public long pruned() {
        return params - kept;
    }
}
