package org.sparsitybench.prune.structure;

/**
 * How one tensor follows a channel group: along {@code axis}, group channel {@code c} owns the indices
 * {@code offset + c·block … offset + c·block + block − 1}.
 *
 * @param tensor   tensor name
 * @param axis     axis of the tensor that is sliced
 * @param offset   first index of channel 0 along the axis
 * @param block    indices per channel (1; depthwise multiplier; H·W after a Flatten)
 * @param zeroed   whether the masked (not compacted) model zeroes these entries so that a pruned channel
 *                 contributes exactly nothing: the producing rows, biases, BatchNorm scale and shift,
 *                 per-channel additive constants. Consumer input columns need no zeroing: they multiply zeros.
 */
public record ChannelSlice(String tensor, int axis, int offset, int block, boolean zeroed) {
    /** The indices along {@link #axis} that channel {@code c} owns. */
    public int first(int c) {
        return offset + c * block;
    }
}
