package org.sparsitybench.quantize;

import java.nio.FloatBuffer;

/**
 * Counts of one activation's calibration values in {@link #BINS} equal bins over its observed [min, max], and
 * the range choices made from them: min–max, a percentile, or the clipping that minimises the expected squared
 * uint8 quantization error.
 */
public final class ActivationHistogram {
    /** Bins over [min, max]; 2048 as ONNX Runtime's histogram calibrators use. */
    public static final int BINS = 2048;

    private final double min;
    private final double max;
    private final long[] counts = new long[BINS];
    private long total;

    /** @param min,max the extremes seen in a first pass over the same values */
    public ActivationHistogram(double min, double max) {
        this.min = Math.min(min, max);
        this.max = Math.max(min, max);
    }

    /** Adds every finite value of {@code values} (read from its position to its limit; the position moves). */
    public void add(FloatBuffer values) {
        double width = max - min;
        while (values.hasRemaining()) {
            float v = values.get();
            if (!Float.isFinite(v)) {
                continue;
            }
            int b = width > 0 ? (int) ((v - min) / width * BINS) : 0;
            counts[Math.max(0, Math.min(BINS - 1, b))]++;
            total++;
        }
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /** The range {@code method} chooses, widened to contain 0. */
    public double[] range(RangeMethod method, double percentile) {
        return switch (method) {
            case MINMAX -> new double[] {Math.min(min, 0), Math.max(max, 0)};
            case PERCENTILE -> new double[] {Math.min(0, quantile(1 - percentile)), Math.max(0, quantile(percentile))};
            case MSE -> mseRange();
        };
    }

    /** The value below which a share {@code q} of the counted values lie (bin edges, interpolated). */
    double quantile(double q) {
        if (total == 0) {
            return 0;
        }
        double target = q * total;
        double width = (max - min) / BINS;
        long seen = 0;
        for (int b = 0; b < BINS; b++) {
            if (seen + counts[b] >= target) {
                double within = counts[b] == 0 ? 0 : (target - seen) / counts[b];
                return min + (b + within) * width;
            }
            seen += counts[b];
        }
        return max;
    }

    /**
     * The range {@code [t·lo, t·hi]} ({@code lo = min(min, 0)}, {@code hi = max(max, 0)}) with t in 0.02..1 that
     * minimises Σ count_b · (c_b − deq(q(c_b)))² over bin centres c_b: clipping rare outliers buys resolution for
     * the bulk of the values.
     */
    private double[] mseRange() {
        double lo = Math.min(min, 0);
        double hi = Math.max(max, 0);
        double width = (max - min) / BINS;
        double best = Double.POSITIVE_INFINITY;
        double bestT = 1;
        for (int step = 100; step >= 2; step--) {
            double t = step / 100.0;
            AffineParams p = AffineParams.uint8(t * lo, t * hi);
            double err = 0;
            for (int b = 0; b < BINS; b++) {
                if (counts[b] == 0) {
                    continue;
                }
                double c = min + (b + 0.5) * width;
                double q = Math.max(0, Math.min(255, Math.rint(c / p.scale()) + p.zeroPoint()));
                double d = c - (q - p.zeroPoint()) * p.scale();
                err += counts[b] * d * d;
            }
            if (err < best) {
                best = err;
                bestT = t;
            }
        }
        return new double[] {bestT * lo, bestT * hi};
    }
}
