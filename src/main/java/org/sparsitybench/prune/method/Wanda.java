package org.sparsitybench.prune.method;

import java.util.Arrays;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.task.CancellationToken;

/**
 * Wanda (Sun et al. 2023, "A Simple and Effective Pruning Approach for Large Language Models"): weight
 * {@code W[i,j]} scores {@code |W[i,j]| · ‖X_j‖₂}, where {@code X_j} is input feature j over the calibration
 * samples (the calibration passes the centred norm {@code ‖X_j − μ_j‖₂}, the pipeline moving the mean into the
 * bias; this class scores whatever norms it is given), and each output row {@code i} drops its own lowest-scoring weights (ties by index; scores compare as
 * {@link Double#compare} does, so a NaN weight, or an infinite one times a zero norm, is pruned last). For a
 * Conv, feature j is the input channel of the weight ({@code ‖X_c‖₂} over samples and positions), an
 * approximation of the im2col features of the paper (on fixtures/torch fashion-cnn the two choose masks within
 * 0.5 pt of each other at 70 %). {@link #selectLayer} compares the scores within the whole layer instead, and
 * {@link #scores} gives them to the N:M selection. Stateless.
 */
public final class Wanda {
    private Wanda() {
    }

    /**
     * Each row prunes {@code round(s · row size)} weights.
     *
     * @param tensor       a prunable weight (not modified)
     * @param norms        ‖X_j‖₂ per input feature along {@code featureAxis} (not modified)
     * @param featureAxis  the weight axis that indexes input features
     * @param sparsity     share of each row to prune, 0–1
     */
    public static BitMask select(WeightTensor tensor, double[] norms, int featureAxis, double sparsity,
                                 CancellationToken cancel) {
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new IllegalArgumentException("sparsity " + sparsity + " outside [0, 1]");
        }
        int rows = rows(tensor);
        int perRow = rows == 0 ? 0 : (int) (tensor.elementCount() / rows);
        int[] prune = new int[rows];
        Arrays.fill(prune, (int) Math.round(sparsity * perRow));
        return select(tensor, norms, featureAxis, prune, cancel);
    }

    /**
     * Prunes exactly {@code k} weights, spread over the rows as evenly as the zeros already in the file allow:
     * with {@code z_r} the zeros of row r, each row prunes {@code min(z_r, q)} when {@code k ≤ Σ z_r} (zeros only)
     * and {@code max(z_r, q)} (at most the row) otherwise, {@code q} the common share that sums to {@code k}, the
     * first rows whose share can grow one more. Without zeros that is {@code floor(k / rows)} each and the first
     * {@code k mod rows} rows one more. A row that prunes a non-zero has pruned all its zeros first, so no zero is
     * kept while a non-zero goes to make up the count.
     *
     * @throws IllegalArgumentException if {@code k} is outside {@code [0, size]}
     */
    public static BitMask selectCount(WeightTensor tensor, double[] norms, int featureAxis, long k,
                                      CancellationToken cancel) {
        if (k < 0 || k > tensor.elementCount()) {
            throw new IllegalArgumentException(tensor.name() + ": k = " + k + " outside [0, " + tensor.elementCount() + "]");
        }
        int rows = rows(tensor);
        int[] zeros = new int[rows];
        if (rows > 0 && tensor.stats().zeros() > 0) {
            float[] w = tensor.data().readAllFloats();
            long inner = stride(tensor.shape(), tensor.pruneAxis());
            for (int e = 0; e < w.length; e++) {
                if (w[e] == 0f) {
                    zeros[(int) ((e / inner) % rows)]++;
                }
            }
        }
        int perRow = rows == 0 ? 0 : (int) (tensor.elementCount() / rows);
        return select(tensor, norms, featureAxis, quotas(zeros, perRow, k), cancel);
    }

    /** Per-row counts summing to {@code k}, as {@link #selectCount} describes. */
    static int[] quotas(int[] zeros, int perRow, long k) {
        int rows = zeros.length;
        long allZeros = 0;
        for (int z : zeros) {
            allZeros += z;
        }
        boolean onlyZeros = k <= allZeros;
        int lo = 0;
        int hi = perRow;
        while (lo < hi) { // the largest q whose counts sum to at most k
            int mid = (lo + hi + 1) >>> 1;
            if (share(zeros, perRow, mid, onlyZeros) <= k) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int[] prune = new int[rows];
        long left = k;
        for (int r = 0; r < rows; r++) {
            prune[r] = quota(zeros[r], perRow, lo, onlyZeros);
            left -= prune[r];
        }
        for (int r = 0; r < rows && left > 0; r++) {
            if (quota(zeros[r], perRow, lo + 1, onlyZeros) > prune[r]) {
                prune[r]++;
                left--;
            }
        }
        return prune;
    }

    private static int quota(int zeros, int perRow, int q, boolean onlyZeros) {
        return onlyZeros ? Math.min(zeros, q) : Math.min(perRow, Math.max(zeros, q));
    }

    private static long share(int[] zeros, int perRow, int q, boolean onlyZeros) {
        long s = 0;
        for (int z : zeros) {
            s += quota(z, perRow, q, onlyZeros);
        }
        return s;
    }

    /** Elements between consecutive indices along {@code axis} (row-major). */
    private static long stride(long[] shape, int axis) {
        long s = 1;
        for (int i = shape.length - 1; i > axis; i--) {
            s *= shape[i];
        }
        return s;
    }

    /**
     * Prunes the {@code k} lowest scores of the whole layer (ties by index).
     *
     * @throws IllegalArgumentException if {@code k} is outside {@code [0, size]}
     */
    public static BitMask selectLayer(WeightTensor tensor, double[] norms, int featureAxis, long k,
                                      CancellationToken cancel) {
        if (k < 0 || k > tensor.elementCount()) {
            throw new IllegalArgumentException(tensor.name() + ": k = " + k + " outside [0, " + tensor.elementCount() + "]");
        }
        double[] score = scores(tensor, norms, featureAxis);
        cancel.throwIfCancelled();
        int n = score.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // A stable sort of indices in order breaks ties by index.
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        long[] words = new long[BitMask.wordCount(n)];
        for (int q = (int) k; q < n; q++) {
            int e = order[q];
            words[e >>> 6] |= 1L << e;
        }
        return BitMask.adopt(n, words);
    }

    /**
     * {@code |W_e|·‖X_f(e)‖₂} for every element {@code e} of the tensor, {@code f(e)} its index along
     * {@code featureAxis}.
     *
     * @param tensor      a prunable weight (not modified)
     * @param norms       ‖X_j‖₂ per input feature (not modified)
     * @throws IllegalArgumentException when the norms do not match the feature axis
     */
    public static double[] scores(WeightTensor tensor, double[] norms, int featureAxis) {
        long[] shape = tensor.shape();
        if (featureAxis < 0 || featureAxis >= shape.length || norms.length != shape[featureAxis]) {
            throw new IllegalArgumentException(tensor.name() + ": " + norms.length + " feature norms for axis "
                    + featureAxis + " of " + Arrays.toString(shape));
        }
        long inner = 1;
        for (int i = featureAxis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        float[] w = tensor.data().readAllFloats();
        double[] score = new double[w.length];
        for (int e = 0; e < w.length; e++) {
            score[e] = Math.abs(w[e]) * norms[(int) ((e / inner) % shape[featureAxis])];
        }
        return score;
    }

    private static int rows(WeightTensor tensor) {
        int outAxis = tensor.pruneAxis();
        if (outAxis < 0) {
            throw new IllegalArgumentException(tensor.name() + " " + tensor.shapeString() + " has no output axis");
        }
        return (int) tensor.dim(outAxis);
    }

    /** Row {@code r} (along the output axis) prunes its {@code prune[r]} lowest scores. */
    private static BitMask select(WeightTensor tensor, double[] norms, int featureAxis, int[] prune,
                                  CancellationToken cancel) {
        long[] shape = tensor.shape();
        int outAxis = tensor.pruneAxis();
        if (featureAxis == outAxis || featureAxis < 0 || featureAxis >= shape.length) {
            throw new IllegalArgumentException(tensor.name() + ": feature axis " + featureAxis + " with output axis "
                    + outAxis + " of " + Arrays.toString(shape));
        }
        if (norms.length != shape[featureAxis]) {
            throw new IllegalArgumentException(tensor.name() + ": " + norms.length + " feature norms for "
                    + shape[featureAxis] + " features");
        }
        float[] w = tensor.data().readAllFloats();
        int n = w.length;
        long[] stride = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = acc;
            acc *= shape[i];
        }
        int rows = prune.length;
        int perRow = rows == 0 ? 0 : n / rows;
        int[][] members = new int[rows][perRow];
        int[] fill = new int[rows];
        for (int e = 0; e < n; e++) {
            int r = (int) ((e / stride[outAxis]) % shape[outAxis]);
            members[r][fill[r]++] = e;
        }
        long[] words = new long[BitMask.wordCount(n)];
        double[] score = new double[perRow];
        Integer[] order = new Integer[perRow];
        for (int r = 0; r < rows; r++) {
            cancel.throwIfCancelled();
            for (int q = 0; q < perRow; q++) {
                int e = members[r][q];
                int f = (int) ((e / stride[featureAxis]) % shape[featureAxis]);
                // A zero already in the file goes first, also before a weight whose input never fires.
                score[q] = w[e] == 0f ? -1 : Math.abs(w[e]) * norms[f];
                order[q] = q;
            }
            // Members are in index order, so a stable sort by score breaks ties by index.
            Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
            for (int q = prune[r]; q < perRow; q++) {
                int e = members[r][order[q]];
                words[e >>> 6] |= 1L << e;
            }
        }
        return BitMask.adopt(n, words);
    }
}
