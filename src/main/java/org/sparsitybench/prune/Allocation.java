package org.sparsitybench.prune;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;

/** How a global target is spread over the free layers (those neither excluded, locked nor overridden). */
public enum Allocation {
    /** Every free layer at the same level: {@code k_l ≈ n_l · K_free / N_free}. */
    @JsonProperty("uniform") UNIFORM("uniform", "uniform"),
    /** One threshold over the pooled scores of all free layers (global magnitude). */
    @JsonProperty("global") GLOBAL("global", "global threshold"),
    /** One threshold over scores divided by each layer's weight RMS ({@code |w| / rms_l}). */
    @JsonProperty("layer-normalized") LAYER_NORMALIZED("layer-normalized", "layer-normalized"),
    /** Erdős–Rényi-Kernel (Evci et al. 2020): density ∝ (Σ dims) / (Π dims), capped at 1. */
    @JsonProperty("erk") ERK("erk", "ERK"),
    /** Levels from a {@link SensitivityAllocation} (sensitivity analysis), scaled to the exact total. */
    @JsonProperty("sensitivity") SENSITIVITY("sensitivity", "sensitivity-guided");

    private final String id;
    private final String label;

    Allocation(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /** The name configurations, reports and the command line use, e.g. {@code layer-normalized}. */
    public String id() {
        return id;
    }

    /** The name the window shows, e.g. {@code global threshold}. */
    public String label() {
        return label;
    }

    /** Every id, in declaration order. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(Allocation::id).toList();
    }

    /**
     * The allocation an id or a label names, ignoring case; the British {@code layer-normalised} older projects and
     * scripts may hold still names {@link #LAYER_NORMALIZED}.
     *
     * @throws IllegalArgumentException naming the text and the known ids
     */
    public static Allocation parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.equalsIgnoreCase("layer-normalised")) {
            return LAYER_NORMALIZED;
        }
        for (Allocation a : values()) {
            if (a.id.equalsIgnoreCase(t) || a.label.equalsIgnoreCase(t)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown allocation '" + text + "'; one of " + String.join(", ", ids()));
    }
}
