package org.sparsitybench.prune.structure;

/**
 * How one tensor follows a channel group: along {@code axis}, group channel {@code g} in
 * {@code [from, from + count)} owns the indices {@code offset + (g − from)·block … offset + (g − from)·block + block − 1}.
 * A slice covers only part of its group when the group's channels come from several branches (a Concat feeding
 * an Add): a branch's tensors follow the branch's channels only.
 *
 * @param tensor   tensor name
 * @param axis     axis of the tensor that is sliced
 * @param offset   first index, along the axis, of group channel {@code from}
 * @param block    indices per channel (1; depthwise multiplier; H·W after a Flatten)
 * @param zeroed   whether the masked (not compacted) model zeroes these entries so that a pruned channel
 *                 contributes exactly nothing: the producing rows, biases, BatchNorm scale and shift,
 *                 per-channel additive constants. Consumer input columns need no zeroing: they multiply zeros.
 * @param from     first group channel the slice covers
 * @param count    number of group channels it covers
 */
public record ChannelSlice(String tensor, int axis, int offset, int block, boolean zeroed, int from, int count) {
    /** A slice of a single layer's channels {@code [0, count)}. */
    static ChannelSlice of(String tensor, int axis, int offset, int block, boolean zeroed, int count) {
        return new ChannelSlice(tensor, axis, offset, block, zeroed, 0, count);
    }

    public ChannelSlice {
        if (block < 1 || offset < 0 || from < 0 || count < 0) {
            throw new IllegalArgumentException("slice of " + tensor + ": offset " + offset + ", block " + block
                    + ", channels " + from + " + " + count);
        }
    }

    /** Whether group channel {@code g} has indices in this tensor. */
    public boolean covers(int g) {
        return g >= from && g < from + count;
    }

    /** The first index along {@link #axis} that group channel {@code g} owns ({@code g} covered). */
    public int first(int g) {
        return offset + (g - from) * block;
    }

    /** The same slice moved into a group whose channel {@code shift} is this slice's channel 0. */
    ChannelSlice shifted(int shift) {
        return new ChannelSlice(tensor, axis, offset, block, zeroed, from + shift, count);
    }
}
