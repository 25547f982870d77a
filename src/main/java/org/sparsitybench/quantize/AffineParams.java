package org.sparsitybench.quantize;

/**
 * Per-tensor uint8 quantization of an activation: {@code q = clamp(rint(x / scale) + zeroPoint, 0, 255)}. The
 * range always contains 0, so 0.0 is exactly representable (padding and ReLU outputs stay exact).
 */
public record AffineParams(float scale, int zeroPoint) {
    /** Parameters covering [lo, hi] widened to contain 0; a range of zero width gets scale 1. */
    public static AffineParams uint8(double lo, double hi) {
        double a = Math.min(lo, 0);
        double b = Math.max(hi, 0);
        if (!(b - a > 1e-12) || !Double.isFinite(b - a)) {
            return new AffineParams(1f, 0);
        }
        float scale = (float) ((b - a) / 255.0);
        int zp = (int) Math.max(0, Math.min(255, Math.rint(-a / scale)));
        return new AffineParams(scale, zp);
    }
}
