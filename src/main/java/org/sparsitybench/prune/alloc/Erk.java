package org.sparsitybench.prune.alloc;

/**
 * Erdős–Rényi-Kernel densities (Evci et al. 2020, "Rigging the Lottery"). Stateless.
 * <pre>
 *   r_l       = (Σ_d dims_l[d]) / (Π_d dims_l[d])        e.g. conv (out + in + kh + kw) / (out · in · kh · kw)
 *   density_l = min(1, ε · r_l)
 *   ε solves  Σ_l density_l · n_l = density · Σ_l n_l
 * </pre>
 * Layers whose {@code ε · r_l} would exceed 1 are set dense and ε is solved again over the rest, until none
 * does.
 */
public final class Erk {
    private Erk() {
    }

    /** {@code r_l = Σ dims / Π dims}; 0 for empty tensors. */
    public static double ratio(long[] shape) {
        double sum = 0;
        double product = 1;
        for (long d : shape) {
            sum += d;
            product *= d;
        }
        return product > 0 ? sum / product : 0;
    }

    /**
     * @param shapes  layer shapes (not modified)
     * @param density overall density wanted, in [0, 1]
     * @return new array of densities in [0, 1] with {@code Σ density_l · n_l = density · Σ n_l} (up to rounding)
     */
    public static double[] densities(long[][] shapes, double density) {
        if (!(density >= 0 && density <= 1)) {
            throw new IllegalArgumentException("density " + density + " outside [0, 1]");
        }
        int n = shapes.length;
        double[] size = new double[n];
        double[] r = new double[n];
        double total = 0;
        for (int l = 0; l < n; l++) {
            double p = 1;
            for (long d : shapes[l]) {
                p *= d;
            }
            size[l] = p;
            r[l] = ratio(shapes[l]);
            total += p;
        }
        boolean[] dense = new boolean[n];
        double epsilon = 0;
        boolean changed = true;
        while (changed) {
            double budget = density * total;
            double weight = 0;
            for (int l = 0; l < n; l++) {
                if (dense[l]) {
                    budget -= size[l];
                } else {
                    weight += r[l] * size[l];
                }
            }
            epsilon = weight > 0 ? Math.max(0, budget) / weight : 0;
            changed = false;
            for (int l = 0; l < n; l++) {
                if (!dense[l] && epsilon * r[l] > 1) {
                    dense[l] = true;
                    changed = true;
                }
            }
        }
        double[] out = new double[n];
        for (int l = 0; l < n; l++) {
            out[l] = dense[l] || size[l] == 0 ? 1.0 : Math.min(1.0, epsilon * r[l]);
        }
        return out;
    }
}
