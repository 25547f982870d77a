package org.sparsitybench.quantize;

/**
 * How an activation's calibrated values become the range [lo, hi] that uint8 covers: their extremes, a
 * percentile of them (outliers clipped), or the clipping that minimises the expected squared quantization error.
 */
public enum RangeMethod {
    MINMAX,
    PERCENTILE,
    MSE
}
