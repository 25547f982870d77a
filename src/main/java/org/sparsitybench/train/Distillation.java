package org.sparsitybench.train;

/**
 * The recovery loss: {@code α·CE(softmax(s), y) + (1 − α)·T²·KL(softmax(t/T) ‖ softmax(s/T))} averaged over the
 * batch, with student logits s, teacher logits t, labels y and temperature T (Hinton et al. 2015). The T² keeps
 * the soft term's gradient on the scale of the hard one's. Its gradient with respect to s is
 * {@code α·(softmax(s) − onehot(y))/N + (1 − α)·T·(softmax(s/T) − softmax(t/T))/N}. With α = 1 (or no teacher)
 * it is plain cross-entropy; with α = 0 it needs no labels.
 */
public final class Distillation {
    private Distillation() {
    }

    /**
     * @param logits  (N, K) student logits (not modified)
     * @param labels  N class indices (not modified; unused when α = 0)
     * @param teacher (N, K) teacher logits (not modified), or null for α = 1
     * @param grad    (N, K) receives the gradient (modified)
     * @param correct receives at [0] how many rows have their label as the largest student logit (modified)
     * @return the mean loss
     */
    public static double lossAndGradient(float[] logits, int[] labels, float[] teacher, int n, int k, double alpha,
                                         double temperature, float[] grad, int[] correct) {
        if (teacher == null || alpha >= 1) {
            return SoftmaxCrossEntropy.lossAndGradient(logits, labels, n, k, grad, correct);
        }
        if (!(temperature > 0) || !(alpha >= 0)) {
            throw new IllegalArgumentException("temperature " + temperature + ", alpha " + alpha);
        }
        double ce = alpha > 0 ? SoftmaxCrossEntropy.lossAndGradient(logits, labels, n, k, grad, correct) : 0;
        if (alpha == 0) {
            java.util.Arrays.fill(grad, 0, n * k, 0f);
            correct[0] = 0;
            for (int r = 0; r < n; r++) {
                if (labels != null && argmax(logits, r * k, k) == labels[r]) {
                    correct[0]++;
                }
            }
        }
        double kl = 0;
        double[] ps = new double[k];
        double[] pt = new double[k];
        for (int r = 0; r < n; r++) {
            int row = r * k;
            softmax(logits, row, k, temperature, ps);
            softmax(teacher, row, k, temperature, pt);
            for (int j = 0; j < k; j++) {
                if (pt[j] > 0) {
                    kl += pt[j] * (Math.log(pt[j]) - Math.log(Math.max(ps[j], Double.MIN_NORMAL)));
                }
                double soft = (1 - alpha) * temperature * (ps[j] - pt[j]) / n;
                grad[row + j] = (float) (alpha * grad[row + j] + soft);
            }
        }
        return alpha * ce + (1 - alpha) * temperature * temperature * kl / n;
    }

    private static void softmax(float[] z, int from, int k, double t, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, z[from + j] / t);
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            out[j] = Math.exp(z[from + j] / t - max);
            sum += out[j];
        }
        for (int j = 0; j < k; j++) {
            out[j] /= sum;
        }
    }

    static int argmax(float[] v, int from, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (v[from + j] > v[from + best]) {
                best = j;
            }
        }
        return best;
    }
}
