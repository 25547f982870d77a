package org.sparsitybench.prune.structure;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.method.StructuredMethod;
import org.sparsitybench.task.CancellationToken;

/**
 * Structured Ln selection over a channel group: group channel {@code g} scores the sum, over the sources that
 * cover it, of that source channel's L1 or L2 norm, and the lowest-scoring channels go (ties by channel index).
 * Stateless.
 */
public final class StructuredSelection {
    private StructuredSelection() {
    }

    /**
     * Keep flags of the group's channels with the {@code remove} lowest summed norms removed, except that every
     * source keeps at least one of its channels (a Concat branch left without channels would be a layer with no
     * outputs): a channel that is some source's last is skipped and the next lowest goes instead, so fewer than
     * {@code remove} go only when every source is down to one channel.
     *
     * @param model  the model holding the sources (not modified)
     * @param norm   1 or 2
     * @param remove channels to remove, {@code 0 … channels}
     */
    public static boolean[] keep(Model model, ChannelGroup group, int norm, int remove, CancellationToken cancel) {
        if (remove < 0 || remove > group.channels()) {
            throw new IllegalArgumentException("cannot remove " + remove + " of the " + group.channels()
                    + " channels of " + group.sources());
        }
        double[] score = scores(model, group, norm, cancel);
        Integer[] order = new Integer[score.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b])); // stable: ties by index
        int[] left = new int[group.sources().size()];
        int[][] spans = new int[left.length][];
        for (int i = 0; i < left.length; i++) {
            ChannelSlice own = ownSlice(group, group.sources().get(i));
            spans[i] = new int[] {own.from(), own.from() + own.count()};
            left[i] = own.count();
        }
        boolean[] keep = new boolean[score.length];
        Arrays.fill(keep, true);
        int removed = 0;
        for (int q = 0; q < order.length && removed < remove; q++) {
            int g = order[q];
            boolean last = false;
            for (int i = 0; i < left.length; i++) {
                last |= g >= spans[i][0] && g < spans[i][1] && left[i] == 1;
            }
            if (last) {
                continue;
            }
            for (int i = 0; i < left.length; i++) {
                if (g >= spans[i][0] && g < spans[i][1]) {
                    left[i]--;
                }
            }
            keep[g] = false;
            removed++;
        }
        return keep;
    }

    private static ChannelSlice ownSlice(ChannelGroup group, String src) {
        return group.slices().stream()
                .filter(s -> s.tensor().equals(src) && s.zeroed() && s.block() == 1)
                .findFirst().orElseThrow(() -> new IllegalStateException("source " + src + " has no slice"));
    }

    /** Summed Ln norm of every group channel over the sources covering it. */
    public static double[] scores(Model model, ChannelGroup group, int norm, CancellationToken cancel) {
        double[] score = new double[group.channels()];
        for (String src : group.sources()) {
            cancel.throwIfCancelled();
            WeightTensor t = model.tensor(src).orElseThrow();
            ChannelSlice own = ownSlice(group, src);
            double[] n = StructuredMethod.channelNorms(t, own.axis(), norm, cancel);
            for (int c = 0; c < own.count(); c++) {
                score[own.from() + c] += n[own.offset() + c];
            }
        }
        return score;
    }

    /**
     * Masks of the group's prunable tensors (its sources, a following depthwise Conv): the entries of removed
     * channels pruned. Tensors the group does not zero are absent.
     *
     * @param keep kept flag per group channel (not modified)
     */
    public static Map<String, BitMask> masks(Model model, ChannelGroup group, boolean[] keep) {
        Map<String, BitMask> out = new LinkedHashMap<>();
        for (ChannelSlice s : group.slices()) {
            WeightTensor t = model.tensor(s.tensor()).orElseThrow();
            if (!s.zeroed() || !t.prunable()) {
                continue;
            }
            boolean[] removed = new boolean[(int) t.dim(s.axis())];
            for (int g = s.from(); g < s.from() + s.count(); g++) {
                if (!keep[g]) {
                    Arrays.fill(removed, s.first(g), s.first(g) + s.block(), true);
                }
            }
            BitMask m = StructuredMethod.mask(t.shape(), s.axis(), removed);
            out.merge(t.name(), m, StructuredSelection::and);
        }
        return out;
    }

    /** Kept where both keep. */
    public static BitMask and(BitMask a, BitMask b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("masks of " + a.size() + " and " + b.size() + " elements");
        }
        long[] w = new long[a.wordCount()];
        for (int i = 0; i < w.length; i++) {
            w[i] = a.word(i) & b.word(i);
        }
        return BitMask.adopt(a.size(), w);
    }
}
