package org.sparsitybench.prune.select;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.List;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.DTypeCodec;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.ScoreFunction;
import org.sparsitybench.task.CancellationToken;

/**
 * The raw 16-bit patterns of a BF16 or FP16 tensor held in buffers, for |w| passes that need no float decode.
 * With the sign cleared, the 15-bit pattern {@code q} of a weight orders exactly as {@code |w|} does, and every NaN
 * pattern (all of them score {@link ScoreFunction#NAN_BITS}) is clamped to the smallest one, {@link #nanPattern()}:
 * <pre>
 *   q = min(raw &amp; 0x7fff, nanPattern),   scoreBits(q) = magnitudeBits(decode(q)), strictly increasing in q.
 * </pre>
 * So a pass compares or counts {@code short}s read in bulk from the mapped bytes. Immutable, thread-safe.
 */
final class HalfBits {
    /** Number of 15-bit patterns. */
    static final int PATTERNS = 1 << 15;

    private static final int[] BF16_SCORES = scores(DType.BFLOAT16);
    private static final int[] FP16_SCORES = scores(DType.FLOAT16);

    private final ShortBuffer[] windows;
    private final long[] firstElement;
    private final int[] scores;
    private final int nanPattern;
    private final long size;

    private HalfBits(ShortBuffer[] windows, long[] firstElement, int[] scores, int nanPattern, long size) {
        this.windows = windows;
        this.firstElement = firstElement;
        this.scores = scores;
        this.nanPattern = nanPattern;
        this.size = size;
    }

    /** The raw view of {@code data} (not modified), or null when it is not BF16/FP16 bytes in buffers. */
    static HalfBits of(TensorData data) {
        if (!(data instanceof BufferTensorData b)
                || (b.dtype() != DType.BFLOAT16 && b.dtype() != DType.FLOAT16)) {
            return null;
        }
        List<ByteBuffer> bytes = b.windows();
        ShortBuffer[] windows = new ShortBuffer[bytes.size()];
        long[] first = new long[bytes.size() + 1];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = bytes.get(i).slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            first[i + 1] = first[i] + windows[i].remaining();
        }
        if (first[windows.length] != b.elementCount()) {
            return null; // not the layout this view understands; the generic path will read it
        }
        boolean bf16 = b.dtype() == DType.BFLOAT16;
        return new HalfBits(windows, first, bf16 ? BF16_SCORES : FP16_SCORES, bf16 ? 0x7f81 : 0x7c01,
                b.elementCount());
    }

    private static int[] scores(DType type) {
        int[] s = new int[PATTERNS];
        for (int q = 0; q < PATTERNS; q++) {
            float v = type == DType.BFLOAT16 ? DTypeCodec.bf16ToFloat(q) : DTypeCodec.halfToFloat(q);
            s[q] = ScoreFunction.magnitudeBits(v);
        }
        return s;
    }

    /** The smallest NaN pattern; every pattern at or above it is NaN. */
    int nanPattern() {
        return nanPattern;
    }

    /** Canonical score bits of the 15-bit pattern {@code q} (any pattern, NaN ones included). */
    int scoreBits(int q) {
        return scores[q];
    }

    /**
     * The clamped pattern whose score bits are {@code bits}, or -1 when no weight of this type scores exactly
     * {@code bits}.
     */
    int patternOf(int bits) {
        int lo = 0;
        int hi = nanPattern;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int s = scores[mid];
            if (s < bits) {
                lo = mid + 1;
            } else if (s > bits) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** Receives one chunk of raw elements {@code [first, first + len)}; the array is reused. */
    @FunctionalInterface
    interface RawConsumer {
        void accept(long first, short[] raw, int len);
    }

    /**
     * Reads elements {@code [from, to)} in chunks of {@link Parts#CHUNK} (starting at {@code from + i * CHUNK})
     * by bulk copies from the buffers, checking for cancellation once per chunk.
     */
    void scan(long from, long to, CancellationToken cancel, RawConsumer consumer) {
        if (from < 0 || from > to || to > size) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + size);
        }
        int chunk = (int) Math.min(Parts.CHUNK, to - from);
        if (chunk == 0) {
            return;
        }
        short[] raw = new short[chunk];
        int w = window(from);
        for (long at = from; at < to; at += chunk) {
            cancel.throwIfCancelled();
            int len = (int) Math.min(chunk, to - at);
            int filled = 0;
            while (filled < len) {
                while (at + filled >= firstElement[w + 1]) {
                    w++;
                }
                int offset = (int) (at + filled - firstElement[w]);
                int n = (int) Math.min(len - filled, firstElement[w + 1] - (at + filled));
                windows[w].get(offset, raw, filled, n);
                filled += n;
            }
            consumer.accept(at, raw, len);
        }
    }

    private int window(long element) {
        int lo = 0;
        int hi = windows.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (firstElement[mid] <= element) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
