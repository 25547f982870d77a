package org.sparsitybench.prune.method;

import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.LayerInput;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningMethod;
import org.sparsitybench.task.CancellationToken;

/**
 * Structured Ln pruning over output channels ({@code "l1-structured"}, {@code "l2-structured"}): whole rows of a
 * Gemm/MatMul weight, whole filters of a Conv, scored by their L1 norm {@code Σ|w|} or L2 norm {@code √Σw²}; the
 * lowest-scoring go, ties by channel index, a NaN norm last.
 *
 * <p>Alone, {@link #select} removes {@code round(k · rows / size)} rows of one layer: the achieved count is
 * whole rows, not {@code k}. In the engine, layers whose channels the graph couples (an Add of a residual block,
 * Concat branches meeting an Add) are pruned as one channel group scored by the summed norms, and the group's
 * bias, BatchNorm and depthwise entries go with each channel (see
 * {@link org.sparsitybench.prune.structure.StructuredSelection}).
 */
public final class StructuredMethod implements PruningMethod {
    public static final StructuredMethod L1 = new StructuredMethod(1);
    public static final StructuredMethod L2 = new StructuredMethod(2);

    private final int norm;

    private StructuredMethod(int norm) {
        this.norm = norm;
    }

    /** 1 or 2. */
    public int norm() {
        return norm;
    }

    @Override
    public String id() {
        return "l" + norm + "-structured";
    }

    @Override
    public boolean structured() {
        return true;
    }

    @Override
    public Mask select(LayerInput layer, long k, CancellationToken cancel) {
        WeightTensor t = layer.tensor();
        if (k < 0 || k > layer.size()) {
            throw new IllegalArgumentException(t.name() + ": k = " + k + " outside [0, " + layer.size() + "]");
        }
        int axis = t.pruneAxis();
        if (axis < 0) {
            throw new IllegalArgumentException(t.name() + " " + t.shapeString() + " has no output-channel axis for "
                    + id() + " pruning");
        }
        int rows = (int) t.dim(axis);
        int remove = layer.size() == 0 ? 0 : (int) Math.rint((double) k * rows / layer.size());
        boolean[] removed = lowest(channelNorms(t, axis, norm, cancel), remove);
        return mask(t.shape(), axis, removed);
    }

    /**
     * The Ln norm of each index along {@code axis}: L1 {@code Σ|w|}, L2 {@code √Σw²}, over everything else.
     *
     * @param t the weight (not modified)
     */
    public static double[] channelNorms(WeightTensor t, int axis, int norm, CancellationToken cancel) {
        if (norm != 1 && norm != 2) {
            throw new IllegalArgumentException("norm " + norm + " must be 1 or 2");
        }
        long[] shape = t.shape();
        int dim = (int) shape[axis];
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        double[] acc = new double[dim];
        float[] w = t.data().readAllFloats();
        cancel.throwIfCancelled();
        for (int e = 0; e < w.length; e++) {
            int c = (int) ((e / inner) % dim);
            acc[c] += norm == 1 ? Math.abs(w[e]) : (double) w[e] * w[e];
        }
        if (norm == 2) {
            for (int c = 0; c < dim; c++) {
                acc[c] = Math.sqrt(acc[c]);
            }
        }
        return acc;
    }

    /** Flags the {@code count} lowest scores (ties by index, NaN highest) as removed. Scores not modified. */
    public static boolean[] lowest(double[] score, int count) {
        Integer[] order = new Integer[score.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b])); // stable: ties by index
        boolean[] removed = new boolean[score.length];
        for (int i = 0; i < Math.min(count, order.length); i++) {
            removed[order[i]] = true;
        }
        return removed;
    }

    /** The mask pruning every element whose index along {@code axis} is flagged in {@code removed}. */
    public static BitMask mask(long[] shape, int axis, boolean[] removed) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        int dim = (int) shape[axis];
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        long[] words = new long[BitMask.wordCount(n)];
        for (long e = 0; e < n; e++) {
            if (!removed[(int) ((e / inner) % dim)]) {
                words[(int) (e >>> 6)] |= 1L << e;
            }
        }
        return BitMask.adopt(n, words);
    }

    @Override
    public String toString() {
        return id();
    }
}
