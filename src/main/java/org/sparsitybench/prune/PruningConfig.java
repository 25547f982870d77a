package org.sparsitybench.prune;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A pruning configuration as plain data: global settings and per-layer settings by tensor name. Immutable;
 * serialises to JSON and back unchanged, and equal configurations give identical masks on the same model.
 *
 * @param global the global settings
 * @param layers per-layer settings by tensor name (layers not listed take {@link LayerSettings#DEFAULT})
 */
public record PruningConfig(@JsonProperty("global") GlobalSettings global,
                            @JsonProperty("layers") Map<String, LayerSettings> layers) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public PruningConfig {
        Objects.requireNonNull(global, "global");
        Map<String, LayerSettings> copy = new LinkedHashMap<>();
        if (layers != null) {
            layers.forEach((name, s) -> copy.put(Objects.requireNonNull(name, "layer name"),
                    Objects.requireNonNull(s, () -> "settings of layer " + name)));
        }
        layers = Collections.unmodifiableMap(copy);
    }

    public static PruningConfig of(GlobalSettings global) {
        return new PruningConfig(global, Map.of());
    }

    /** Settings of layer {@code name} ({@link LayerSettings#DEFAULT} when not listed). */
    public LayerSettings layer(String name) {
        return layers.getOrDefault(name, LayerSettings.DEFAULT);
    }

    /** A copy with {@code name}'s settings replaced. */
    public PruningConfig withLayer(String name, LayerSettings settings) {
        Map<String, LayerSettings> copy = new LinkedHashMap<>(layers);
        copy.put(name, settings);
        return new PruningConfig(global, copy);
    }

    /** A copy with another global target. */
    public PruningConfig withTarget(double target) {
        return new PruningConfig(global.withTarget(target), layers);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("configuration does not serialise: " + e.getMessage(), e);
        }
    }

    /**
     * @throws IllegalArgumentException if {@code json} is not a valid configuration (message says where)
     */
    public static PruningConfig fromJson(String json) {
        try {
            return JSON.readValue(json, PruningConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid pruning configuration: " + e.getOriginalMessage()
                    + " at " + e.getLocation(), e);
        }
    }
}
