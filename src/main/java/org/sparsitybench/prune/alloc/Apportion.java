package org.sparsitybench.prune.alloc;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Turns real-valued per-layer quotas into whole counts with an exact total: the largest-remainder (Hamilton)
 * method with caps. Stateless.
 */
public final class Apportion {
    private Apportion() {
    }

    /**
     * Integers {@code k_l} with {@code 0 <= k_l <= caps[l]} and {@code Σ k_l == total}, each {@code floor} or
     * {@code ceil} of its quota after the quotas are fitted to the total:
     * <pre>
     *   q_l = clamp(quotas[l], 0, caps[l])
     *   if Σ q &gt; total:  q_l *= total / Σ q
     *   if Σ q &lt; total:  q_l += (total − Σ q) · (caps[l] − q_l) / Σ (caps − q)
     *   k_l = floor(q_l), then +1 for the largest remainders q_l − k_l (ties: lower index) until Σ k = total
     * </pre>
     *
     * @param quotas wanted counts, finite and non-negative (not modified)
     * @param caps   largest count per entry, non-negative (not modified)
     * @param total  wanted sum, {@code 0 <= total <= Σ caps}
     * @return new array of counts
     */
    public static long[] apportion(double[] quotas, long[] caps, long total) {
        if (quotas.length != caps.length) {
            throw new IllegalArgumentException(quotas.length + " quotas for " + caps.length + " caps");
        }
        long capSum = 0;
        for (int l = 0; l < caps.length; l++) {
            if (caps[l] < 0) {
                throw new IllegalArgumentException("cap[" + l + "] = " + caps[l] + " < 0");
            }
            if (!(quotas[l] >= 0) || Double.isInfinite(quotas[l])) {
                throw new IllegalArgumentException("quota[" + l + "] = " + quotas[l] + " is not finite and >= 0");
            }
            capSum += caps[l];
        }
        if (total < 0 || total > capSum) {
            throw new IllegalArgumentException("total " + total + " outside [0, " + capSum + "]");
        }
        int n = quotas.length;
        double[] q = new double[n];
        double sum = 0;
        for (int l = 0; l < n; l++) {
            q[l] = Math.min(quotas[l], caps[l]);
            sum += q[l];
        }
        if (sum > total) {
            double f = total / sum;
            for (int l = 0; l < n; l++) {
                q[l] *= f;
            }
        } else if (sum < total) {
            double room = 0;
            for (int l = 0; l < n; l++) {
                room += caps[l] - q[l];
            }
            double f = room > 0 ? (total - sum) / room : 0;
            for (int l = 0; l < n; l++) {
                q[l] = Math.min(caps[l], q[l] + f * (caps[l] - q[l]));
            }
        }
        long[] k = new long[n];
        long assigned = 0;
        for (int l = 0; l < n; l++) {
            k[l] = Math.min(caps[l], (long) Math.floor(q[l]));
            assigned += k[l];
        }
        long rest = total - assigned;
        // Rounding leaves |rest| <= n after fitting; the loops also cover float drift beyond that.
        while (rest != 0) {
            boolean up = rest > 0;
            Integer[] order = IntStream.range(0, n)
                    .filter(l -> up ? k[l] < caps[l] : k[l] > 0)
                    .boxed()
                    .sorted(Comparator.comparingDouble((Integer l) -> up ? -(q[l] - k[l]) : q[l] - k[l])
                            .thenComparingInt(l -> l))
                    .toArray(Integer[]::new);
            if (order.length == 0) {
                throw new IllegalStateException("cannot apportion " + total + " over caps " + Arrays.toString(caps));
            }
            for (int i = 0; i < order.length && rest != 0; i++) {
                k[order[i]] += up ? 1 : -1;
                rest += up ? -1 : 1;
            }
        }
        return k;
    }
}
