package org.sparsitybench.prune.stats;

import java.nio.FloatBuffer;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.Mask;

/**
 * Non-zero weights a mask leaves per output channel of a tensor, along its prune axis: what the written tensor
 * holds there (a weight that is already 0 in the file counts as pruned whether the mask keeps it or not).
 * Stateless.
 */
public final class ChannelCounts {
    private static final int CHUNK = 1 << 16;

    private ChannelCounts() {
    }

    /**
     * @param tensor a tensor with an output-channel axis (not modified; its values are read once, in chunks)
     * @param mask   its mask (not modified); null keeps every weight
     * @return kept non-zero weights per channel, index = channel
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
        float[] chunk = new float[(int) Math.min(CHUNK, Math.max(1, n))];
        for (long at = 0; at < n; at += chunk.length) {
            int len = (int) Math.min(chunk.length, n - at);
            tensor.data().readFloats(at, FloatBuffer.wrap(chunk, 0, len));
            for (int i = 0; i < len; i++) {
                long e = at + i;
                if (chunk[i] != 0f && (bits == null || (bits.word((int) (e >>> 6)) & (1L << e)) != 0)) {
                    out[(int) ((e / inner) % channels)]++;
                }
            }
        }
        return out;
    }
}
