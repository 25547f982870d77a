package org.sparsitybench.prune;

/**
 * Rounds a structured cut so the channels a Conv keeps are a multiple of {@code N}: runtimes tile convolutions
 * over 8 or 16 output channels, so 16→11 channels ran slower than 16 (fashion-resnet-mini at 30 %: a compacted
 * model slower than the dense one). Stateless.
 */
public final class ChannelRounding {
    /** What {@code prune --round-channels} uses when not told. */
    public static final int DEFAULT = 8;

    private ChannelRounding() {
    }

    /**
     * Rounds every group's cut so it keeps a multiple of {@code multiple} channels (or all of them) while the weights
     * removed stay as near the groups' total as the multiples allow. Each group keeps one of the two multiples around
     * what it was asked to keep: first the one above (removing at most its {@code remove}); then, widest group first
     * (most channels, then most weights per channel, then the first), a group takes the one below whenever that
     * brings the total removed weights nearer {@code Σ remove_g · w_g}; alone, a group keeps its nearest multiple
     * (ties keep more). Rounding each group to its nearest multiple
     * instead cut every 16-channel layer of fashion-resnet-mini at 30 % to 8 (34 % removed in all, 70 % accuracy
     * after --recalibrate-bn --reconstruct); this keeps the 16-channel layers and halves the 32-channel ones
     * (29.8 % removed, 88 %), and the wide layers are where a runtime's time goes. Groups of fewer than
     * {@code multiple} channels, and {@code multiple <= 1}, keep their counts.
     *
     * @param channels         each group's channels (not modified)
     * @param remove           channels each group was asked to remove, {@code 0 … channels} (not modified)
     * @param weightsPerChannel weights one channel of the group holds (its sources' share; not modified)
     * @return channels to remove per group
     */
    public static int[] removeKeepingTotal(int[] channels, int[] remove, double[] weightsPerChannel, int multiple) {
        int n = channels.length;
        if (remove.length != n || weightsPerChannel.length != n) {
            throw new IllegalArgumentException(n + " groups, " + remove.length + " counts, " + weightsPerChannel.length
                    + " weights per channel");
        }
        int[] out = remove.clone();
        double target = 0;
        double removed = 0;
        java.util.List<Integer> order = new java.util.ArrayList<>();
        for (int g = 0; g < n; g++) {
            if (remove[g] < 0 || remove[g] > channels[g]) {
                throw new IllegalArgumentException("remove " + remove[g] + " of " + channels[g] + " channels");
            }
            if (multiple > 1 && channels[g] >= multiple && remove[g] > 0) {
                int kept = channels[g] - remove[g];
                int up = kept % multiple == 0 ? kept : Math.min(channels[g], (kept / multiple + 1) * multiple);
                out[g] = channels[g] - Math.max(up, multiple);
                order.add(g);
            }
            target += remove[g] * weightsPerChannel[g];
            removed += out[g] * weightsPerChannel[g];
        }
        order.sort((a, b) -> channels[a] != channels[b] ? Integer.compare(channels[b], channels[a])
                : Double.compare(weightsPerChannel[b], weightsPerChannel[a]));
        for (int g : order) {
            int down = stepDown(channels[g], out[g], multiple);
            double after = removed + (down - out[g]) * weightsPerChannel[g];
            if (down > out[g] && Math.abs(after - target) < Math.abs(removed - target)) {
                removed = after;
                out[g] = down;
            }
        }
        return out;
    }

    /** Channels removed when a group that removes {@code removed} keeps one multiple fewer (at least one multiple). */
    private static int stepDown(int channels, int removed, int multiple) {
        int kept = channels - removed;
        int lower = kept % multiple == 0 ? kept - multiple : kept / multiple * multiple;
        return lower < multiple ? removed : channels - lower;
    }
}
