package org.sparsitybench.prune.structure;

import java.util.HashMap;
import java.util.Map;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.task.CancellationToken;

/**
 * Structured Ln pruning over output channels: each channel group's channels are scored by the sum, over the
 * group's source layers, of the channel's L1 or L2 norm, and the lowest-scoring {@code round(s · channels)} are
 * removed (ties by channel index). Groups that cannot be compacted still get masks (zeroed, not removed)
 * unless they reach a graph output, which stays dense. Stateless.
 */
public final class StructuredSelection {
    private StructuredSelection() {
    }

    /**
     * @param norm     1 or 2
     * @param sparsity share of channels to remove per group, 0–1
     * @return group id → keep flags per channel, for every group with at least one source
     */
    public static Map<Integer, boolean[]> select(Model model, ChannelStructure structure, int norm, double sparsity,
                                                 Map<String, Double> perSource, CancellationToken cancel) {
        if (norm != 1 && norm != 2) {
            throw new IllegalArgumentException("norm " + norm + " must be 1 or 2");
        }
        Map<Integer, boolean[]> keep = new HashMap<>();
        for (ChannelGroup g : structure.groups()) {
            cancel.throwIfCancelled();
            double s = sparsity;
            for (String src : g.sources()) {
                if (perSource.containsKey(src)) {
                    s = perSource.get(src);
                }
            }
            boolean[] k = new boolean[g.channels()];
            java.util.Arrays.fill(k, true);
            if (g.pinned() || s <= 0) {
                keep.put(g.id(), k);
                continue;
            }
            double[] score = new double[g.channels()];
            for (String src : g.sources()) {
                WeightTensor t = model.tensor(src).orElseThrow();
                float[] w = t.data().readAllFloats();
                long[] shape = t.shape();
                int axis = t.pruneAxis();
                int inner = 1;
                for (int i = axis + 1; i < shape.length; i++) {
                    inner *= (int) shape[i];
                }
                int dim = (int) shape[axis];
                for (int e = 0; e < w.length; e++) {
                    int c = (e / inner) % dim;
                    score[c] += norm == 1 ? Math.abs(w[e]) : (double) w[e] * w[e];
                }
            }
            int remove = (int) Math.min(g.channels() - 1L, Math.round(s * g.channels()));
            Integer[] order = new Integer[g.channels()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> score[a] != score[b] ? Double.compare(score[a], score[b]) : Integer.compare(a, b));
            for (int i = 0; i < remove; i++) {
                k[order[i]] = false;
            }
            keep.put(g.id(), k);
        }
        return keep;
    }
}
