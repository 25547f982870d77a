package org.sparsitybench.quantize;

import java.util.Map;
import java.util.Set;

/**
 * What to quantize and how.
 *
 * @param mode        static (integer activations too) or weights only
 * @param precision   precision of every quantizable layer not named in {@code layers}
 * @param block       INT4 block size along the input dimension (32 or 64)
 * @param calibration calibration samples (static mode), the first ones of the validation data
 * @param range       how activation ranges are chosen from the calibration values
 * @param percentile  for {@link RangeMethod#PERCENTILE}: the share of values kept inside the range, e.g. 0.9999
 * @param layers      per-layer precision by weight name
 * @param excluded    weight names kept float32
 */
public record QuantizationConfig(QuantMode mode, Precision precision, int block, int calibration, RangeMethod range,
                                 double percentile, Map<String, Precision> layers, Set<String> excluded) {
    public static final int DEFAULT_CALIBRATION = 256;
    public static final double DEFAULT_PERCENTILE = 0.9999;

    public QuantizationConfig {
        if (block != 32 && block != 64) {
            throw new IllegalArgumentException("block " + block + " is not 32 or 64");
        }
        if (calibration < 1) {
            throw new IllegalArgumentException("calibration " + calibration + ": need at least 1 sample");
        }
        if (!(percentile > 0.5 && percentile <= 1)) {
            throw new IllegalArgumentException("percentile " + percentile + " outside (0.5, 1]");
        }
        layers = Map.copyOf(layers);
        excluded = Set.copyOf(excluded);
    }

    /** Static INT8, min–max ranges, 256 calibration samples, block 32: the common starting point. */
    public static QuantizationConfig staticInt8() {
        return new QuantizationConfig(QuantMode.STATIC, Precision.INT8, 32, DEFAULT_CALIBRATION, RangeMethod.MINMAX,
                DEFAULT_PERCENTILE, Map.of(), Set.of());
    }

    /** Weights only at {@code precision}. */
    public static QuantizationConfig weightsOnly(Precision precision, int block) {
        return new QuantizationConfig(QuantMode.WEIGHTS, precision, block, DEFAULT_CALIBRATION, RangeMethod.MINMAX,
                DEFAULT_PERCENTILE, Map.of(), Set.of());
    }

    /** The precision asked for layer {@code weight}. */
    public Precision precisionOf(String weight) {
        if (excluded.contains(weight)) {
            return Precision.FLOAT32;
        }
        return layers.getOrDefault(weight, precision);
    }

    public QuantizationConfig withRange(RangeMethod r) {
        return new QuantizationConfig(mode, precision, block, calibration, r, percentile, layers, excluded);
    }

    public QuantizationConfig withCalibration(int samples) {
        return new QuantizationConfig(mode, precision, block, samples, range, percentile, layers, excluded);
    }

    /** This configuration with every layer float32 but {@code weight}, which keeps its precision. */
    public QuantizationConfig onlyLayer(String weight, Set<String> all) {
        Map<String, Precision> one = new java.util.HashMap<>();
        one.put(weight, precisionOf(weight));
        Set<String> others = new java.util.HashSet<>(all);
        others.remove(weight);
        return new QuantizationConfig(mode, Precision.FLOAT32, block, calibration, range, percentile, one, others);
    }
}
