package org.sparsitybench.prune.method;

import java.util.Arrays;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.task.CancellationToken;

/**
 * Wanda (Sun et al. 2023, "A Simple and Effective Pruning Approach for Large Language Models"): weight
 * {@code W[i,j]} scores {@code |W[i,j]| · ‖X_j‖₂}, where {@code X_j} is input feature j over the calibration
 * samples, and each output row {@code i} drops its own lowest-scoring {@code round(s · row size)} weights
 * (ties by index). For a Conv, feature j is the input channel of the weight ({@code ‖X_c‖₂} over samples and
 * positions), an approximation of the im2col features of the paper. Stateless.
 */
public final class Wanda {
    private Wanda() {
    }

    /**
     * @param tensor       a prunable weight (not modified)
     * @param norms        ‖X_j‖₂ per input feature along {@code featureAxis} (not modified)
     * @param featureAxis  the weight axis that indexes input features
     * @param sparsity     share of each row to prune, 0–1
     */
    public static BitMask select(WeightTensor tensor, double[] norms, int featureAxis, double sparsity,
                                 CancellationToken cancel) {
        long[] shape = tensor.shape();
        int outAxis = tensor.pruneAxis();
        if (outAxis < 0 || featureAxis == outAxis || featureAxis < 0 || featureAxis >= shape.length) {
            throw new IllegalArgumentException(tensor.name() + ": feature axis " + featureAxis + " with output axis "
                    + outAxis + " of " + Arrays.toString(shape));
        }
        if (norms.length != shape[featureAxis]) {
            throw new IllegalArgumentException(tensor.name() + ": " + norms.length + " feature norms for "
                    + shape[featureAxis] + " features");
        }
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new IllegalArgumentException("sparsity " + sparsity + " outside [0, 1]");
        }
        float[] w = tensor.data().readAllFloats();
        int n = w.length;
        long[] stride = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = acc;
            acc *= shape[i];
        }
        int rows = (int) shape[outAxis];
        int perRow = n / Math.max(1, rows);
        int[][] members = new int[rows][perRow];
        int[] fill = new int[rows];
        for (int e = 0; e < n; e++) {
            int r = (int) ((e / stride[outAxis]) % shape[outAxis]);
            members[r][fill[r]++] = e;
        }
        long[] words = new long[BitMask.wordCount(n)];
        int prune = (int) Math.round(sparsity * perRow);
        double[] score = new double[perRow];
        Integer[] order = new Integer[perRow];
        for (int r = 0; r < rows; r++) {
            cancel.throwIfCancelled();
            for (int q = 0; q < perRow; q++) {
                int e = members[r][q];
                int f = (int) ((e / stride[featureAxis]) % shape[featureAxis]);
                float v = w[e];
                score[q] = Float.isNaN(v) ? Double.POSITIVE_INFINITY : Math.abs(v) * norms[f];
                order[q] = q;
            }
            Arrays.sort(order, (a, b) -> score[a] != score[b] ? Double.compare(score[a], score[b]) : Integer.compare(a, b));
            for (int q = prune; q < perRow; q++) {
                int e = members[r][order[q]];
                words[e >>> 6] |= 1L << e;
            }
        }
        return BitMask.adopt(n, words);
    }
}
