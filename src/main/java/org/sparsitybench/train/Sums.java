package org.sparsitybench.train;

/**
 * Sums over float arrays in double precision with four running partial sums (elements i ≡ 0, 1, 2, 3 mod 4, added
 * at the end in that order): one chain of dependent additions waits about four cycles per element, four
 * independent chains do not. The order is fixed, so a sum is the same on every run.
 */
public final class Sums {
    private enum Term {
        VALUE, SQUARED_DEVIATION, PRODUCT
    }

    private Sums() {
    }

    /** {@code Σ a[i]} for from ≤ i < to. */
    public static double sum(float[] a, int from, int to) {
        return reduce(Term.VALUE, a, null, 0, from, to);
    }

    /** {@code Σ (a[i] − shift)²} for from ≤ i < to. */
    public static double squaredDeviations(float[] a, int from, int to, double shift) {
        return reduce(Term.SQUARED_DEVIATION, a, null, shift, from, to);
    }

    /** {@code Σ a[i]·b[i]} for from ≤ i < to. */
    public static double dot(float[] a, float[] b, int from, int to) {
        return reduce(Term.PRODUCT, a, b, 0, from, to);
    }

    private static double reduce(Term t, float[] a, float[] b, double shift, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            s0 += term(t, a, b, shift, i);
            s1 += term(t, a, b, shift, i + 1);
            s2 += term(t, a, b, shift, i + 2);
            s3 += term(t, a, b, shift, i + 3);
        }
        for (; i < to; i++) {
            s0 += term(t, a, b, shift, i);
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double term(Term t, float[] a, float[] b, double shift, int i) {
        return switch (t) {
            case VALUE -> a[i];
            case SQUARED_DEVIATION -> (a[i] - shift) * (a[i] - shift);
            case PRODUCT -> a[i] * (double) b[i];
        };
    }
}
