package org.sparsitybench.prune;

/**
 * What the engine did to one layer.
 *
 * @param name           tensor name
 * @param method         method id used
 * @param status         how the layer's level was decided
 * @param requested      level asked for: the override or lock level, or the allocation's {@code k / params}
 * @param achieved       share of zeros the layer will hold: 1 − kept / params (zeros already in the file count)
 * @param params         weights in the layer
 * @param kept           non-zero weights the layer will hold: kept by the mask and not already zero
 * @param energyRetained {@code Σ_kept w² / Σ w²} over finite weights (1 for a layer without energy)
 */
public record LayerResult(String name, String method, Status status, double requested, double achieved, long params,
                          long kept, double energyRetained) {
    /** How a layer's level was decided. */
    public enum Status {
        /** By the allocation. */
        ALLOCATED,
        /** By an explicit per-layer sparsity. */
        OVERRIDDEN,
        /** Locked at its level. */
        LOCKED,
        /** Excluded: dense. */
        EXCLUDED
    }

    public long pruned() {
        return params - kept;
    }
}
