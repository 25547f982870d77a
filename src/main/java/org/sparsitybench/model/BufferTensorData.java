package org.sparsitybench.model;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Objects;

/**
 * Tensor bytes in one or more buffers (mapped file windows, protobuf byte strings), each holding a whole
 * number of elements, in order. The buffers are read with absolute gets and never modified.
 */
public final class BufferTensorData implements TensorData {
    private final DType dtype;
    private final long count;
    private final ByteBuffer[] windows;
    private final long[] firstElement;

    /**
     * @param dtype   element type (fixed size, numeric)
     * @param count   number of elements; the windows' remaining bytes must add up to count × size
     * @param windows buffers from position to limit, in order (not modified)
     */
    public BufferTensorData(DType dtype, long count, List<ByteBuffer> windows) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        if (!dtype.isNumericReal()) {
            throw new IllegalArgumentException("dtype " + dtype + " has no float view");
        }
        this.count = count;
        this.windows = new ByteBuffer[windows.size()];
        this.firstElement = new long[windows.size() + 1];
        long elements = 0;
        int size = dtype.byteSize();
        for (int i = 0; i < this.windows.length; i++) {
            ByteBuffer w = windows.get(i).slice();
            if (w.remaining() % size != 0) {
                throw new IllegalArgumentException("window " + i + " holds " + w.remaining()
                        + " bytes, not a multiple of " + size);
            }
            this.windows[i] = w;
            firstElement[i] = elements;
            elements += w.remaining() / size;
        }
        firstElement[this.windows.length] = elements;
        if (elements != count) {
            throw new IllegalArgumentException("windows hold " + elements + " elements, expected " + count);
        }
    }

    /** One buffer holding the whole tensor. */
    public static BufferTensorData of(DType dtype, long count, ByteBuffer bytes) {
        return new BufferTensorData(dtype, count, List.of(bytes));
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long elementCount() {
        return count;
    }

    /** The windows, as read-only duplicates, for writers that copy bytes unchanged. */
    public List<ByteBuffer> windows() {
        ByteBuffer[] out = new ByteBuffer[windows.length];
        for (int i = 0; i < windows.length; i++) {
            out[i] = windows[i].asReadOnlyBuffer();
        }
        return List.of(out);
    }

    @Override
    public void readFloats(long first, FloatBuffer dst) {
        long n = dst.remaining();
        if (first < 0 || n < 0 || first + n > count) {
            throw new IndexOutOfBoundsException("elements [" + first + ", " + (first + n) + ") of " + count);
        }
        int size = dtype.byteSize();
        long at = first;
        long end = first + n;
        int w = window(at);
        while (at < end) {
            long inWindow = Math.min(end, firstElement[w + 1]) - at;
            int offset = (int) ((at - firstElement[w]) * size);
            DTypeCodec.decode(dtype, windows[w], offset, (int) inWindow, dst);
            at += inWindow;
            w++;
        }
    }

    /** Copies the stored bytes of the float types (no decoding): {@link TensorData#readStored}. */
    @Override
    public boolean readStored(long first, int count, ByteBuffer dst) {
        if (!TensorData.storable(dtype)) {
            return false;
        }
        if (first < 0 || count < 0 || first + count > this.count) {
            throw new IndexOutOfBoundsException("elements [" + first + ", " + (first + count) + ") of " + this.count);
        }
        int size = dtype.byteSize();
        if (dst.remaining() < (long) count * size) {
            throw new IndexOutOfBoundsException(count + " elements of " + size + " bytes into " + dst.remaining()
                    + " bytes");
        }
        long at = first;
        long end = first + count;
        int w = window(at);
        int pos = dst.position();
        while (at < end) {
            int inWindow = (int) (Math.min(end, firstElement[w + 1]) - at);
            int offset = (int) ((at - firstElement[w]) * size);
            dst.put(pos, windows[w], offset, inWindow * size);
            pos += inWindow * size;
            at += inWindow;
            w++;
        }
        dst.position(pos);
        return true;
    }

    /** The bytes of a range within one window, as longs by one bulk copy; false when the range spans windows. */
    @Override
    public boolean readStoredLongs(long first, int count, long[] dst) {
        if (!TensorData.storable(dtype)) {
            return false;
        }
        if (first < 0 || count < 0 || first + count > this.count) {
            throw new IndexOutOfBoundsException("elements [" + first + ", " + (first + count) + ") of " + this.count);
        }
        if (count == 0) {
            return true;
        }
        int w = window(first);
        if (first + count > firstElement[w + 1]) {
            return false;
        }
        int size = dtype.byteSize();
        int bytes = count * size;
        int whole = bytes >>> 3;
        ByteBuffer src = windows[w].slice((int) ((first - firstElement[w]) * size), bytes)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        src.asLongBuffer().get(0, dst, 0, whole);
        if ((bytes & 7) != 0) {
            long tail = 0;
            for (int b = whole << 3; b < bytes; b++) {
                tail |= (src.get(b) & 0xffL) << ((b & 7) << 3);
            }
            dst[whole] = tail;
        }
        return true;
    }

    private int window(long element) {
        return windowOf(firstElement, windows.length, element);
    }

    /**
     * The window holding {@code element}: the last {@code i < windowCount} with {@code firstElement[i] <= element}
     * (binary search; {@code firstElement} ascending).
     */
    public static int windowOf(long[] firstElement, int windowCount, long element) {
        int lo = 0;
        int hi = windowCount - 1;
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
