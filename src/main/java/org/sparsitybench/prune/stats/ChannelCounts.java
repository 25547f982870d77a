package org.sparsitybench.prune.stats;

import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.Mask;

/** Kept (non-pruned) weights per output channel of a tensor, along its prune axis. Stateless. */
public final class ChannelCounts {
    private ChannelCounts() {
    }

    /**
     * @param tensor a tensor with an output-channel axis (not modified)
     * @param mask   its mask (not modified); null counts every weight
     * @return kept weights per channel, index = channel
     */
    public static long[] kept(WeightTensor tensor, Mask mask) {
        int axis = tensor.pruneAxis();
        if (axis < 0) {
            throw new IllegalArgumentException(tensor.name() + " has no output-channel axis");
        }
        long[] shape = tensor.shape();
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int channels = (int) shape[axis];
        long[] out = new long[channels];
        BitMask bits = mask == null ? null : mask.toBitMask();
        long n = tensor.elementCount();
        for (long e = 0; e < n; e++) {
            if (bits == null || (bits.word((int) (e >>> 6)) & (1L << e)) != 0) {
                out[(int) ((e / inner) % channels)]++;
            }
        }
        return out;
    }
}
