package org.sparsitybench.prune.structure;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Output channels that must be kept or removed together: the channels of one prunable layer, or of several
 * layers joined by {@code Add}/{@code Mul} (a residual block's convolutions and its shortcut). When branches
 * joined by a channel {@code Concat} meet another layer at an {@code Add}, the group's channels are the
 * joined tensor's: each branch owns a run of them, starting at its {@link #sourceOffsets() offset}.
 *
 * @param id            stable index in {@link ChannelStructure#groups()}
 * @param channels      number of channels
 * @param sources       prunable weights whose output channels are these channels
 * @param sourceOffsets group channel of each source's channel 0 (a source covers {@code offset … offset +
 *                      its channels − 1})
 * @param slices        every tensor slice that follows the group, sources included
 * @param attributes    node attributes that depend on the kept count (depthwise {@code group}), as
 *                      node name → attribute name → value per kept input channel of that node (the compactor
 *                      multiplies by the input channels that survive there, over every group reaching it)
 * @param refusal       why this group cannot be compacted (names the node), if it cannot
 * @param pinned        whether the channels reach a graph output, so they can be zeroed but never removed
 */
public record ChannelGroup(int id, int channels, List<String> sources, Map<String, Integer> sourceOffsets,
                           List<ChannelSlice> slices, Map<String, Map<String, Long>> attributes,
                           Optional<String> refusal, boolean pinned) {
    public ChannelGroup {
        sources = List.copyOf(sources);
        sourceOffsets = Map.copyOf(sourceOffsets);
        slices = List.copyOf(slices);
        attributes = Map.copyOf(attributes);
    }

    /** Whether the group's channels can be physically removed. */
    public boolean compactable() {
        return refusal.isEmpty() && !pinned;
    }

    /** Group channel of {@code source}'s channel 0. */
    public int offsetOf(String source) {
        Integer o = sourceOffsets.get(source);
        if (o == null) {
            throw new IllegalArgumentException(source + " is not a source of channel group " + id + " " + sources);
        }
        return o;
    }
}
