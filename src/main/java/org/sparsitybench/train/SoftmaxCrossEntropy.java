package org.sparsitybench.train;

/** Mean cross-entropy of softmax(logits) against integer labels, and its gradient. */
public final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {
    }

    /**
     * @param logits (N, K) (not modified)
     * @param labels N class indices (not modified)
     * @param grad   (N, K) receives {@code (softmax − onehot)/N} (modified)
     * @param correct receives at [0] how many rows have their label as the largest logit (modified)
     * @return the mean loss
     */
    public static double lossAndGradient(float[] logits, int[] labels, int n, int k, float[] grad, int[] correct) {
        double total = 0;
        int hits = 0;
        for (int r = 0; r < n; r++) {
            int row = r * k;
            int arg = 0;
            float max = logits[row];
            for (int j = 1; j < k; j++) {
                if (logits[row + j] > max) {
                    max = logits[row + j];
                    arg = j;
                }
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(logits[row + j] - max);
            }
            int y = labels[r];
            total += Math.log(sum) - (logits[row + y] - max);
            for (int j = 0; j < k; j++) {
                double p = Math.exp(logits[row + j] - max) / sum;
                grad[row + j] = (float) ((p - (j == y ? 1 : 0)) / n);
            }
            if (arg == y) {
                hits++;
            }
        }
        correct[0] = hits;
        return total / n;
    }
}
