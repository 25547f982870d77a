package org.sparsitybench.train;

import java.util.List;

/**
 * Adam (Kingma &amp; Ba 2015) with bias correction: {@code m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * w ← w − lr·m̂/(√v̂ + ε)}, β₁ = 0.9, β₂ = 0.999, ε = 1e-8; optionally with decoupled weight decay (AdamW,
 * Loshchilov &amp; Hutter 2019): first {@code w ← w·(1 − lr·λ)} for the weights of two or more dimensions (biases
 * and normalisation parameters are not decayed).
 */
public final class Adam {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final List<Param> params;
    private final float[][] m;
    private final float[][] v;
    private long step;

    public Adam(List<Param> params) {
        this.params = List.copyOf(params);
        this.m = new float[params.size()][];
        this.v = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            m[i] = new float[params.get(i).value.length];
            v[i] = new float[params.get(i).value.length];
        }
    }

    /**
     * One Adam update of the positions not {@code frozen}; a frozen position's gradient and moments are zeroed
     * and its value is left exactly as it is (a pruned weight stays 0.0, sign bit included).
     */
    private static void stepMasked(float[] w, float[] g, float[] mp, float[] vp, boolean[] frozen, float b1, float b2,
                                   float c1, float c2, float alpha, float eps) {
        for (int i = 0; i < w.length; i++) {
            if (frozen[i]) {
                g[i] = 0f;
                mp[i] = 0f;
                vp[i] = 0f;
                continue;
            }
            float gi = g[i];
            mp[i] = b1 * mp[i] + c1 * gi;
            vp[i] = b2 * vp[i] + c2 * gi * gi;
            w[i] -= alpha * mp[i] / ((float) Math.sqrt(vp[i]) + eps);
        }
    }

    /** {@code w ← w·keep} for every position not frozen of every weight with two or more dimensions. */
    private void decay(float keep) {
        for (Param p : params) {
            if (p.shape.length < 2) {
                continue;
            }
            float[] w = p.value;
            boolean[] frozen = p.frozen;
            for (int i = 0; i < w.length; i++) {
                if (frozen == null || !frozen[i]) {
                    w[i] *= keep;
                }
            }
        }
    }

    /**
     * Forgets the moments of every parameter: after a mask changes (gradual pruning), a weight that was pruned
     * and the optimiser state built before start afresh.
     */
    public void resetMoments() {
        for (int p = 0; p < m.length; p++) {
            java.util.Arrays.fill(m[p], 0f);
            java.util.Arrays.fill(v[p], 0f);
        }
    }

    /** Applies the accumulated gradients with learning rate {@code lr}, then zeroes them. */
    public void step(double lr) {
        step(lr, 0);
    }

    /**
     * As {@link #step(double)}, decaying the weights of two or more dimensions by {@code lr·weightDecay} of their
     * value first (frozen positions are left alone).
     *
     * @param weightDecay λ ≥ 0 (0: plain Adam)
     */
    public void step(double lr, double weightDecay) {
        if (weightDecay > 0) {
            decay((float) (1 - lr * weightDecay));
        }
        step++;
        float b1 = (float) BETA1;
        float b2 = (float) BETA2;
        float c1 = (float) (1 - BETA1);
        float c2 = (float) (1 - BETA2);
        float alpha = (float) (lr * Math.sqrt(1 - Math.pow(BETA2, step)) / (1 - Math.pow(BETA1, step)));
        float eps = (float) (EPS * Math.sqrt(1 - Math.pow(BETA2, step)));
        for (int p = 0; p < params.size(); p++) {
            float[] w = params.get(p).value;
            float[] g = params.get(p).grad;
            float[] mp = m[p];
            float[] vp = v[p];
            boolean[] frozen = params.get(p).frozen;
            if (frozen != null) {
                stepMasked(w, g, mp, vp, frozen, b1, b2, c1, c2, alpha, eps);
                params.get(p).zeroGrad();
                continue;
            }
            for (int i = 0; i < w.length; i++) {
                float gi = g[i];
                mp[i] = b1 * mp[i] + c1 * gi;
                vp[i] = b2 * vp[i] + c2 * gi * gi;
                w[i] -= alpha * mp[i] / ((float) Math.sqrt(vp[i]) + eps);
            }
            params.get(p).zeroGrad();
        }
    }
}
