package org.sparsitybench.prune.structure;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Output channels that must be kept or removed together: the channels of one prunable layer, or of several
 * layers joined by {@code Add}/{@code Mul} (a residual block's convolutions and its shortcut).
 *
 * @param id          stable index in {@link ChannelStructure#groups()}
 * @param channels    number of channels
 * @param sources     prunable weights whose output channels are these channels
 * @param slices      every tensor slice that follows the group, sources included
 * @param attributes  node attributes that depend on the kept count (depthwise {@code group}), as
 *                    node name → attribute name → value per kept channel (multiply by the kept count)
 * @param refusal     why this group cannot be compacted (names the node), if it cannot
 * @param pinned      whether the channels reach a graph output, so they can be zeroed but never removed
 */
public record ChannelGroup(int id, int channels, List<String> sources, List<ChannelSlice> slices,
                           Map<String, Map<String, Long>> attributes, Optional<String> refusal, boolean pinned) {
    public ChannelGroup {
        sources = List.copyOf(sources);
        slices = List.copyOf(slices);
        attributes = Map.copyOf(attributes);
    }

    /** Whether the group's channels can be physically removed. */
    public boolean compactable() {
        return refusal.isEmpty() && !pinned;
    }
}
