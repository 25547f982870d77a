package org.sparsitybench.prune.alloc;

import java.util.List;
import org.sparsitybench.prune.select.ScoreHistogram;

/**
 * Per-layer quotas for layer-normalised global pruning: one threshold τ on {@code score / rms_l}, where
 * {@code rms_l = sqrt(Σ w² / #finite)} is the layer's weight RMS. Counts come from the level-1 histograms with
 * linear interpolation inside the bin τ·rms_l falls in, so the normalised thresholds of the layers agree to
 * within one level-1 bin (relative 2<sup>-7</sup>); {@link Apportion} then makes the total exact and the engine
 * selects exactly k_l per layer. Stateless.
 */
public final class LayerNormalized {
    private static final int ITERATIONS = 200;

    private LayerNormalized() {
    }

    /**
     * Real quotas {@code q_l ≈ #{ i : score_i / rms_l < τ }} with {@code Σ q_l = total} (up to float rounding).
     *
     * @param histograms the layers' histograms (not modified)
     * @param total      elements to prune over all layers, {@code 0 <= total <= Σ sizes}
     */
    public static double[] quotas(List<ScoreHistogram> histograms, long total) {
        int n = histograms.size();
        double[] rms = new double[n];
        long finite = 0;
        double hi = 0;
        long size = 0;
        for (int l = 0; l < n; l++) {
            ScoreHistogram h = histograms.get(l);
            long f = h.size() - h.nonFiniteCount();
            rms[l] = f > 0 ? Math.sqrt(h.totalSumSquares() / f) : 0;
            finite += f;
            size += h.size();
            hi = Math.max(hi, normalisedTop(h, rms[l]));
        }
        if (total < 0 || total > size) {
            throw new IllegalArgumentException("total " + total + " outside [0, " + size + "]");
        }
        double[] q = new double[n];
        if (total >= finite) {
            // Every finite weight goes; Apportion spreads the rest over the non-finite ones.
            for (int l = 0; l < n; l++) {
                ScoreHistogram h = histograms.get(l);
                q[l] = h.size() - h.nonFiniteCount();
            }
            return q;
        }
        double lo = 0;
        double up = hi * 2 + Double.MIN_NORMAL;
        for (int it = 0; it < ITERATIONS && lo < up; it++) {
            double mid = 0.5 * (lo + up);
            if (mid <= lo || mid >= up) {
                break;
            }
            if (countBelow(histograms, rms, mid, null) < total) {
                lo = mid;
            } else {
                up = mid;
            }
        }
        double[] below = new double[n];
        double atLo = countBelow(histograms, rms, lo, below);
        double[] above = new double[n];
        double atUp = countBelow(histograms, rms, up, above);
        // Interpolate between the bracketing taus so the quotas add up to total.
        double f = atUp > atLo ? (total - atLo) / (atUp - atLo) : 0;
        for (int l = 0; l < n; l++) {
            q[l] = below[l] + f * (above[l] - below[l]);
        }
        return q;
    }

    /** Σ_l count_l(score &lt; tau · rms_l), interpolated within bins; per-layer counts into {@code out} if given. */
    private static double countBelow(List<ScoreHistogram> histograms, double[] rms, double tau, double[] out) {
        double sum = 0;
        for (int l = 0; l < histograms.size(); l++) {
            double c = countBelow(histograms.get(l), tau * rms[l], rms[l] == 0 && tau > 0);
            if (out != null) {
                out[l] = c;
            }
            sum += c;
        }
        return sum;
    }

    private static double countBelow(ScoreHistogram h, double x, boolean allFinite) {
        long finite = h.size() - h.nonFiniteCount();
        if (allFinite) {
            return finite;
        }
        if (!(x > 0)) {
            return 0;
        }
        if (x >= Float.MAX_VALUE) {
            return finite;
        }
        int bits = Float.floatToRawIntBits((float) x);
        int bin = bits >>> 16;
        long below = h.countBelowBin(bin);
        long in = h.countInBin(bin);
        if (in == 0) {
            return below;
        }
        double binLo = Float.intBitsToFloat(bin << 16);
        double binHi = Float.intBitsToFloat((bin + 1) << 16);
        double frac = Math.max(0, Math.min(1, (x - binLo) / (binHi - binLo)));
        return below + frac * in;
    }

    private static double normalisedTop(ScoreHistogram h, double rms) {
        int top = h.indexAtOrAbove(ScoreHistogram.FIRST_NON_FINITE_BIN) - 1;
        if (top < 0 || rms == 0) {
            return 0;
        }
        return Float.intBitsToFloat((h.bin(top) + 1) << 16) / rms;
    }
}
