package org.sparsitybench.train;

/**
 * Sums over float arrays in double precision with four running partial sums (elements i ≡ 0, 1, 2, 3 mod 4, added
 * at the end in that order): one chain of dependent additions waits about four cycles per element, four
 * independent chains do not. The order is fixed, so a sum is the same on every run. Each kind of term has a loop
 * of its own: a term chosen per element (a switch in the loop) was measured at four times the cost of the sum.
 */
public final class Sums {
    private Sums() {
    }

    /** {@code Σ a[i]} for from ≤ i < to. */
    public static double sum(float[] a, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
        }
        for (; i < to; i++) {
            s0 += a[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * {@code {Σ (a[i] − shift), Σ (a[i] − shift)²}} for from ≤ i < to, in one pass (each sum with its own four
     * partial sums). With a shift near the mean, {@code Σ(a − μ)² = Σd² − (Σd)²/n} (d = a − shift) loses nothing
     * to cancellation in double precision, and the data is read once instead of twice.
     */
    public static double[] shiftedMoments(float[] a, int from, int to, double shift) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double q0 = 0;
        double q1 = 0;
        double q2 = 0;
        double q3 = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            double d0 = a[i] - shift;
            double d1 = a[i + 1] - shift;
            double d2 = a[i + 2] - shift;
            double d3 = a[i + 3] - shift;
            s0 += d0;
            s1 += d1;
            s2 += d2;
            s3 += d3;
            q0 += d0 * d0;
            q1 += d1 * d1;
            q2 += d2 * d2;
            q3 += d3 * d3;
        }
        for (; i < to; i++) {
            double d = a[i] - shift;
            s0 += d;
            q0 += d * d;
        }
        return new double[] {(s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3)};
    }

    /** {@code Σ a[i]·b[i]} for from ≤ i < to. */
    public static double dot(float[] a, float[] b, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            s0 += a[i] * (double) b[i];
            s1 += a[i + 1] * (double) b[i + 1];
            s2 += a[i + 2] * (double) b[i + 2];
            s3 += a[i + 3] * (double) b[i + 3];
        }
        for (; i < to; i++) {
            s0 += a[i] * (double) b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
