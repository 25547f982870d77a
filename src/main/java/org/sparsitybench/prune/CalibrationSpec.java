package org.sparsitybench.prune;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * Calibration data for methods that need activations (Wanda); carried in the configuration, read by the
 * evaluation module.
 *
 * @param dataset path of the dataset
 * @param count   number of samples to use, at least 1
 */
public record CalibrationSpec(@JsonProperty("dataset") String dataset, @JsonProperty("count") int count) {
    public CalibrationSpec {
        Objects.requireNonNull(dataset, "dataset");
        if (count < 1) {
            throw new IllegalArgumentException("calibration count " + count + " < 1");
        }
    }
}
