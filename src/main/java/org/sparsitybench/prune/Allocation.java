package org.sparsitybench.prune;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a global target is spread over the free layers (those neither excluded, locked nor overridden). */
public enum Allocation {
    /** Every free layer at the same level: {@code k_l ≈ n_l · K_free / N_free}. */
    @JsonProperty("uniform") UNIFORM,
    /** One threshold over the pooled scores of all free layers (global magnitude). */
    @JsonProperty("global") GLOBAL,
    /** One threshold over scores divided by each layer's weight RMS ({@code |w| / rms_l}). */
    @JsonProperty("layer-normalized") LAYER_NORMALIZED,
    /** Erdős–Rényi-Kernel (Evci et al. 2020): density ∝ (Σ dims) / (Π dims), capped at 1. */
    @JsonProperty("erk") ERK,
    /** Levels from a {@link SensitivityAllocation} (sensitivity analysis), scaled to the exact total. */
    @JsonProperty("sensitivity") SENSITIVITY
}
