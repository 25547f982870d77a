package org.sparsitybench.prune.select;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.List;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.task.CancellationToken;

/**
 * The raw bit patterns of a float32 tensor held in buffers, two to a {@code long} (element {@code 2 j} in the low
 * half, {@code 2 j + 1} in the high half, as little-endian bytes read them), so a |w| pass can compare two
 * patterns at once ({@link OnePassSelect}). Only for buffers whose windows all start at an even element, so that
 * the longs of a chunk starting at an even element never straddle two windows. Immutable, thread-safe.
 */
final class FloatBits {
    private final ByteBuffer[] windows;
    private final LongBuffer[] longWindows;
    private final long[] firstElement;
    private final long size;

    private FloatBits(ByteBuffer[] windows, long[] firstElement, long size) {
        this.windows = windows;
        this.longWindows = new LongBuffer[windows.length];
        for (int i = 0; i < windows.length; i++) {
            longWindows[i] = windows[i].duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        }
        this.firstElement = firstElement;
        this.size = size;
    }

    /** The raw view of {@code data} (not modified), or null when it is not float32 bytes in such buffers. */
    static FloatBits of(TensorData data) {
        if (!(data instanceof BufferTensorData b) || b.dtype() != DType.FLOAT) {
            return null;
        }
        List<ByteBuffer> bytes = b.windows();
        ByteBuffer[] windows = new ByteBuffer[bytes.size()];
        long[] first = new long[bytes.size() + 1];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = bytes.get(i).slice().order(ByteOrder.LITTLE_ENDIAN);
            if (first[i] % 2 != 0 || windows[i].remaining() % 4 != 0) {
                return null;
            }
            first[i + 1] = first[i] + windows[i].remaining() / 4;
        }
        if (first[windows.length] != b.elementCount()) {
            return null;
        }
        return new FloatBits(windows, first, b.elementCount());
    }

    /** Receives one chunk of elements {@code [first, first + len)}, two per long; the array is reused. */
    @FunctionalInterface
    interface LongConsumer {
        void accept(long first, long[] raw, int len);
    }

    /**
     * Reads elements {@code [from, to)} ({@code from} even) in chunks of {@link Parts#CHUNK} by bulk copies,
     * checking for cancellation once per chunk. An odd last element sits in the low half of the last long, with a
     * zero high half.
     */
    void scanLongs(long from, long to, CancellationToken cancel, LongConsumer consumer) {
        if (from < 0 || from > to || to > size || from % 2 != 0) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + size);
        }
        int chunk = (int) Math.min(Parts.CHUNK, to - from);
        if (chunk == 0) {
            return;
        }
        long[] raw = new long[(chunk + 1) / 2];
        WindowedChunks.scan(firstElement, from, to, chunk, cancel, (w, offset, at, n) -> { // offset and at even
            longWindows[w].get(offset / 2, raw, at / 2, n / 2);
            if (n % 2 != 0) { // the tensor's last element
                raw[(at + n) / 2] = windows[w].getInt(4 * (offset + n - 1)) & 0xffffffffL;
            }
        }, (first, len) -> consumer.accept(first, raw, len));
    }
}
