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
     * The channels to remove so that those kept are the multiple of {@code multiple} nearest to
     * {@code channels - remove}, among the multiples in {@code [multiple, channels]} and {@code channels} itself
     * (keeping all); ties keep more. A group of fewer than {@code multiple} channels, and {@code multiple <= 1},
     * are left as asked.
     *
     * @param channels the group's channels
     * @param remove   channels the allocation asked to remove, {@code 0 … channels}
     */
    public static int remove(int channels, int remove, int multiple) {
        if (remove < 0 || remove > channels) {
            throw new IllegalArgumentException("remove " + remove + " of " + channels + " channels");
        }
        if (multiple <= 1 || channels < multiple || remove == 0) {
            return remove;
        }
        int kept = channels - remove;
        int best = channels;
        for (int m = multiple; m <= channels; m += multiple) {
            if (Math.abs(m - kept) < Math.abs(best - kept)) {
                best = m;
            }
        }
        return channels - best;
    }
}
