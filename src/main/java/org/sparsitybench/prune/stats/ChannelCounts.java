package org.sparsitybench.prune.stats;

import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.Mask;

/** Kept (non-pruned) weights per output channel of a tensor, along its prune axis. Stateless. */
public final class ChannelCounts {
    private ChannelCounts() {
    }

    /**
     * Kept weights per channel: channel {@code c} holds elements {@code (o * channels + c) * inner + j} for every
     * outer index {@code o} and {@code j < inner}, so each (o, c) is one contiguous run of bits, counted a word at
     * a time ({@code Long.bitCount}) rather than an element at a time.
     *
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
        long n = tensor.elementCount();
        if (n == 0 || inner == 0 || channels == 0) {
            return out;
        }
        long outer = n / (inner * channels);
        if (mask == null) {
            java.util.Arrays.fill(out, outer * inner);
            return out;
        }
        BitMask bits = mask.toBitMask();
        for (long o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++) {
                long from = (o * channels + c) * inner;
                out[c] += keptIn(bits, from, from + inner);
            }
        }
        return out;
    }

    /** Kept elements in {@code [from, to)} of {@code bits}. */
    static long keptIn(BitMask bits, long from, long to) {
        if (from >= to) {
            return 0;
        }
        int first = (int) (from >>> 6);
        int last = (int) ((to - 1) >>> 6);
        long headMask = -1L << from; // shifts are mod 64: bits from (from % 64) up
        long tailMask = -1L >>> (63 - ((to - 1) & 63));
        if (first == last) {
            return Long.bitCount(bits.word(first) & headMask & tailMask);
        }
        long count = Long.bitCount(bits.word(first) & headMask) + Long.bitCount(bits.word(last) & tailMask);
        for (int w = first + 1; w < last; w++) {
            count += Long.bitCount(bits.word(w));
        }
        return count;
    }
}
