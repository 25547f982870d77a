package org.sparsitybench.prune.structure;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;

/**
 * The channels a structured run keeps: the model's channel structure and, per group the run pruned, a kept flag
 * per channel. Exporters use it to zero the removed channels' biases and BatchNorm entries in the masked model,
 * and to compact.
 *
 * @param structure the model's channel structure
 * @param keep      group id → kept flag per group channel (groups absent keep everything); arrays not modified
 */
public record ChannelSelection(ChannelStructure structure, Map<Integer, boolean[]> keep) {
    public ChannelSelection {
        Objects.requireNonNull(structure, "structure");
        keep = Collections.unmodifiableMap(new LinkedHashMap<>(keep));
    }

    /** Channels removed from group {@code id} (0 when the run left it whole). */
    public int removed(int id) {
        boolean[] k = keep.get(id);
        int n = 0;
        if (k != null) {
            for (boolean b : k) {
                n += b ? 0 : 1;
            }
        }
        return n;
    }

    /**
     * The masked model's values with every removed channel's entries zeroed (weights, biases, BatchNorm scale and
     * shift, depthwise filters), on top of {@code base} (pruned values by tensor name, not modified).
     *
     * @return the tensors that change, as views over {@code base} or the model (nothing copied)
     */
    public Map<String, TensorData> zeroRemoved(Model model, Map<String, TensorData> base) {
        return ChannelCompactor.zeroRemovedChannels(model, structure, keep, base);
    }

    /**
     * The compacted model's tensors, sliced from {@code base} (values by tensor name, e.g. the masked model's;
     * not modified) or the model.
     *
     * @throws org.sparsitybench.model.UnsupportedModelException naming the node when a group that loses
     *         channels cannot be rewritten
     */
    public ChannelCompactor.Compaction compact(Model model, Map<String, TensorData> base) {
        return ChannelCompactor.compact(model, structure, keep, base);
    }
}
