package org.sparsitybench.prune.stats;

import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.task.CancellationToken;

/**
 * Histogram of one tensor's weights, all and kept, as the distribution view draws it. Bins span
 * {@code [lo, hi]}: for {@link Scale#LINEAR}, equal widths in the value; for {@link Scale#LOG}, equal widths in
 * {@code log10 |w|} (only for magnitudes; zeros are counted apart). NaN/Inf are counted apart too.
 *
 * @param signed    whether values are signed w (else |w|)
 * @param scale     bin spacing
 * @param edges     bins + 1 edges, in value units (for LOG: 10^edge already applied)
 * @param all       count per bin over all weights
 * @param kept      count per bin over kept weights
 * @param zeros     weights exactly 0 (not in any LOG bin; in a LINEAR bin as well)
 * @param nonFinite NaN or infinite weights (in no bin)
 */
public record WeightHistogram(boolean signed, Scale scale, double[] edges, long[] all, long[] kept, long zeros,
                              long nonFinite) {
    /** Bin spacing. */
    public enum Scale { LINEAR, LOG }

    /**
     * One pass over {@code data} (not modified) with {@code mask} (not modified; null = all kept).
     *
     * @param bins   number of bins, 1 to 100,000
     * @param signed histogram of w instead of |w| (LINEAR only)
     */
    public static WeightHistogram of(TensorData data, Mask mask, int bins, boolean signed, Scale scale,
                                     CancellationToken cancel) {
        if (bins < 1 || bins > 100_000) {
            throw new IllegalArgumentException("bins " + bins + " outside [1, 100000]");
        }
        if (signed && scale == Scale.LOG) {
            throw new IllegalArgumentException("a log scale needs magnitudes, not signed values");
        }
        long n = data.elementCount();
        if (mask != null && mask.size() != n) {
            throw new IllegalArgumentException("mask of " + mask.size() + " for a tensor of " + n);
        }
        BitMask bits = mask == null ? null : mask.toBitMask();
        // Pass 1: range.
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (ChunkedValues r = new ChunkedValues(data, cancel); r.next(); ) {
            float[] chunk = r.values();
            for (int i = 0; i < r.length(); i++) {
                double x = axis(chunk[i], signed, scale);
                if (Double.isNaN(x)) {
                    continue;
                }
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        } else if (lo == hi) {
            hi = lo + (scale == Scale.LOG ? 1 : Math.max(1e-12, Math.abs(lo) * 1e-6));
        }
        if (!signed && scale == Scale.LINEAR) {
            lo = 0;
        }
        double width = (hi - lo) / bins;
        int quantumBits = scale == Scale.LINEAR ? storedMantissaBits(data.dtype()) : -1;
        if (quantumBits >= 0) {
            // Low-precision weights take few values: BF16 holds 128 per octave. Bins of an arbitrary width hold
            // alternately k and k + 1 of them, which draws a comb over the distribution. A width that is a
            // multiple of the spacing in the top octave (so of every lower octave's spacing too), with edges on
            // multiples of it, gives every bin of an octave the same number of representable values.
            double top = Math.max(Math.abs(lo), Math.abs(hi));
            double quantum = Math.scalb(1.0, Math.getExponent(top) - quantumBits);
            width = Math.ceil(width / quantum) * quantum;
            lo = Math.floor(lo / width) * width;
            bins = (int) Math.max(1, Math.min(bins + 1, Math.floor((hi - lo) / width) + 1));
        }
        long[] all = new long[bins];
        long[] kept = new long[bins];
        ChunkedValues r = new ChunkedValues(data, cancel);
        while (r.next()) {
            float[] chunk = r.values();
            long at = r.first();
            for (int i = 0; i < r.length(); i++) {
                double x = axis(chunk[i], signed, scale);
                if (Double.isNaN(x)) {
                    continue;
                }
                int b = (int) ((x - lo) / width);
                b = b < 0 ? 0 : Math.min(b, bins - 1);
                all[b]++;
                long index = at + i;
                if (bits == null || (bits.word((int) (index >>> 6)) & (1L << index)) != 0) {
                    kept[b]++;
                }
            }
        }
        double[] edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) {
            double e = lo + width * i;
            edges[i] = scale == Scale.LOG ? Math.pow(10, e) : e;
        }
        return new WeightHistogram(signed, scale, edges, all, kept, r.zeros(), r.nonFinite());
    }

    /** Where {@code v} lies on the histogram's axis (v or |v|, log10 |v| for LOG), or NaN when in no bin. */
    private static double axis(float v, boolean signed, Scale scale) {
        if (!Float.isFinite(v)) {
            return Double.NaN;
        }
        double x = signed ? v : Math.abs(v);
        if (scale == Scale.LOG) {
            return x == 0 ? Double.NaN : Math.log10(x);
        }
        return x;
    }

    /** Mantissa bits stored by a low-precision float type (BF16 7, FP16 10), or -1 for the others. */
    private static int storedMantissaBits(org.sparsitybench.model.DType type) {
        return switch (type) {
            case BFLOAT16 -> 7;
            case FLOAT16 -> 10;
            default -> -1;
        };
    }

    public int bins() {
        return all.length;
    }

    public long total() {
        long t = 0;
        for (long c : all) {
            t += c;
        }
        return t;
    }

    public long keptTotal() {
        long t = 0;
        for (long c : kept) {
            t += c;
        }
        return t;
    }
}
