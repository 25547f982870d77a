package org.sparsitybench.prune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One layer's settings (keyed by tensor name in {@link PruningConfig#layers()}).
 *
 * @param method   method id for this layer, or null for the global one
 * @param sparsity explicit level in [0, 1] (an override), or null to take the allocation's
 * @param locked   keep {@code sparsity} (the level it had when locked) while the global target moves
 * @param excluded stay dense; the layer does not count towards the target
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LayerSettings(@JsonProperty("method") String method,
                            @JsonProperty("sparsity") Double sparsity,
                            @JsonProperty("locked") boolean locked,
                            @JsonProperty("excluded") boolean excluded) {
    /** Allocated by the global settings. */
    public static final LayerSettings DEFAULT = new LayerSettings(null, null, false, false);

    public LayerSettings {
        if (sparsity != null && !(sparsity >= 0 && sparsity <= 1)) {
            throw new IllegalArgumentException("layer sparsity " + sparsity + " outside [0, 1]");
        }
        if (method != null && method.isBlank()) {
            throw new IllegalArgumentException("layer method '" + method + "' is blank");
        }
    }

    public static LayerSettings override(double sparsity) {
        return new LayerSettings(null, sparsity, false, false);
    }

    public static LayerSettings locked(double sparsity) {
        return new LayerSettings(null, sparsity, true, false);
    }

    public static LayerSettings excludedLayer() {
        return new LayerSettings(null, null, false, true);
    }

    public static LayerSettings withMethod(String method) {
        return new LayerSettings(method, null, false, false);
    }
}
