package org.sparsitybench.prune.method;


import java.util.ArrayList;
import java.util.List;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.task.CancellationToken;

/**
 * N:M semi-structured sparsity: along a weight's input dimension, every group of M consecutive weights keeps
 * its N largest |w| (ties by index), the pattern sparse tensor cores accelerate (2:4). Groups run along the
 * input axis with every other index fixed; a last group shorter than M keeps at most N. Stateless.
 */
public final class NmPattern {
    private static final java.util.Set<String> RECURRENT = java.util.Set.of("LSTM", "GRU", "RNN");
    /** The pattern when none is given: 2 of every 4 kept, as sparse tensor cores need. */
    public static final String DEFAULT = "2:4";

    private NmPattern() {
    }

    /**
     * N and M of a pattern {@code "N:M"} ({@link #DEFAULT} when null).
     *
     * @throws IllegalArgumentException unless it is two integers with 0 ≤ N ≤ M, M ≥ 1
     */
    public static int[] parse(String pattern) {
        String text = pattern == null ? DEFAULT : pattern;
        String[] p = text.split(":");
        try {
            int n = Integer.parseInt(p[0].trim());
            int m = Integer.parseInt(p[1].trim());
            if (p.length == 2 && n >= 0 && m >= 1 && n <= m) {
                return new int[] {n, m};
            }
        } catch (RuntimeException e) {
            // reported below, with the text
        }
        throw new IllegalArgumentException("'" + text + "' is not N:M with 0 <= N <= M, M > 0");
    }

    /**
     * The input axis of a prunable weight: the axis whose elements one output channel sums over (axis 1 of
     * Conv [O, I, kh, kw] and of Gemm/Linear [out, in]; axis 0 of a [in, out] MatMul operand; the last axis of
     * an LSTM/GRU/RNN {@code W} [directions, gates·hidden, input] or {@code R} [directions, gates·hidden, hidden]).
     */
    public static int inputAxis(WeightTensor t) {
        if (t.rank() < 2) {
            return 0;
        }
        if (t.rank() == 3 && RECURRENT.contains(t.op())) {
            return 2;
        }
        return t.pruneAxis() == 0 ? 1 : 0;
    }

    /**
     * Selects the N:M mask of {@code tensor} (not modified).
     *
     * @throws IllegalArgumentException unless 0 ≤ n ≤ m, m ≥ 1
     */
    public static BitMask select(WeightTensor tensor, int n, int m, CancellationToken cancel) {
        float[] w = tensor.data().readAllFloats();
        double[] score = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            score[i] = mag(w[i]);
        }
        return select(tensor, n, m, score, cancel);
    }

    /**
     * Selects the N:M mask of {@code tensor} by {@code score} instead of |w|: each group keeps its N highest
     * scores (ties by index; NaN counts as highest). Wanda's N:M variant passes |W_ij|·‖X_j‖₂.
     *
     * @param score one score per element of {@code tensor}, in its order (not modified)
     * @throws IllegalArgumentException unless 0 ≤ n ≤ m, m ≥ 1, and there is one score per element
     */
    public static BitMask select(WeightTensor tensor, int n, int m, double[] score, CancellationToken cancel) {
        if (m < 1 || n < 0 || n > m) {
            throw new IllegalArgumentException("N:M pattern " + n + ":" + m + " needs 0 <= N <= M, M >= 1");
        }
        if (score.length != tensor.elementCount()) {
            throw new IllegalArgumentException(tensor.name() + ": " + score.length + " scores for "
                    + tensor.elementCount() + " weights");
        }
        long[] shape = tensor.shape();
        int axis = inputAxis(tensor);
        long[] words = new long[BitMask.wordCount(score.length)];
        int dim = (int) shape[axis];
        int inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= (int) shape[i];
        }
        int outer = score.length / Math.max(1, dim * inner);
        int[] idx = new int[m];
        for (int o = 0; o < outer; o++) {
            cancel.throwIfCancelled();
            for (int j = 0; j < inner; j++) {
                for (int g = 0; g < dim; g += m) {
                    int len = Math.min(m, dim - g);
                    for (int q = 0; q < len; q++) {
                        idx[q] = (o * dim + g + q) * inner + j;
                    }
                    // keep the n highest scores of the group: rank by (score desc, index asc); NaN counts as highest
                    for (int q = 0; q < len; q++) {
                        double a = top(score[idx[q]]);
                        int better = 0;
                        for (int r = 0; r < len; r++) {
                            double b = top(score[idx[r]]);
                            if (b > a || (b == a && r < q)) {
                                better++;
                            }
                        }
                        if (better < n) {
                            words[idx[q] >>> 6] |= 1L << idx[q];
                        }
                    }
                }
            }
        }
        return BitMask.adopt(score.length, words);
    }

    private static double top(double v) {
        return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
    }

    /**
     * Why {@code tensor} cannot take the N:M pattern in full, or null when every group along its input axis has M
     * weights: a last group shorter than M keeps at most N of its weights (a dimension of 1 to N keeps everything),
     * so the layer ends below {@code (M−N)/M}. Example: conv1.weight [6, 1, 5, 5] has 1 input channel, so 2:4
     * leaves it dense; conv2.weight [16, 6, 5, 5] has 6, one group of 4 and one of 2, so 2 of 6 go (33.3 %).
     */
    public static String shortfall(WeightTensor tensor, int n, int m) {
        int axis = inputAxis(tensor);
        long dim = tensor.rank() == 0 ? 1 : tensor.dim(axis);
        if (m <= 1 || dim % m == 0) {
            return null;
        }
        long full = dim / m;
        long rest = dim % m;
        long prunedPerLine = full * (m - n) + Math.max(0, rest - n);
        double level = (double) prunedPerLine / dim;
        String groups = full == 0 ? "a single group of " + rest
                : full + (full == 1 ? " group" : " groups") + " of " + m + " and one of " + rest;
        return String.format(java.util.Locale.ROOT, "%s %s: N:M %d:%d groups run along its input dimension (axis %d, "
                        + "%d wide), which is not a multiple of %d: %s%s, so it is pruned to %.1f %% instead of %.1f %%",
                tensor.name(), tensor.shapeString(), n, m, axis, dim, m, groups,
                rest <= n ? " (a group of at most " + n + " keeps all its weights)" : "", 100 * level,
                100.0 * (m - n) / m);
    }

    private static float mag(float v) {
        return Float.isNaN(v) ? Float.POSITIVE_INFINITY : Math.abs(v);
    }

    /**
     * Groups of {@code mask} over {@code tensor} that keep more than N weights, as "output index, group start"
     * descriptions; empty when the pattern holds everywhere.
     */
    public static List<String> violations(WeightTensor tensor, Mask mask, int n, int m) {
        long[] shape = tensor.shape();
        int axis = inputAxis(tensor);
        int dim = (int) shape[axis];
        int inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= (int) shape[i];
        }
        int outer = (int) (tensor.elementCount() / Math.max(1, (long) dim * inner));
        BitMask bits = mask.toBitMask();
        List<String> out = new ArrayList<>();
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                for (int g = 0; g < dim; g += m) {
                    int kept = 0;
                    for (int q = 0; q < Math.min(m, dim - g); q++) {
                        if (bits.isKept((long) (o * dim + g + q) * inner + j)) {
                            kept++;
                        }
                    }
                    if (kept > n) {
                        out.add("outer " + o + ", inner " + j + ", group at input " + g + " keeps " + kept);
                    }
                }
            }
        }
        return out;
    }

}
