package org.sparsitybench.eval;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.TensorStats;

/**
 * Counts gathered while an export streams its tensors, so the report needs no second pass over the data: each
 * new value the writer reads (as floats or as stored bytes) is counted in the chunk the writer is about to
 * write, which is still in cache: its zeros and, for a tensor with an output-channel axis, the non-zeros of each
 * channel. A tensor counts only when the writer read each of its elements exactly once, in any order and on any
 * threads; a tensor read twice is left uncounted, and the report then scans it. Thread-safe.
 *
 * <p>Data that knows its zeros without their values ({@link TensorData#zerosIfKnown}: a |w| mask that keeps no zero)
 * is not counted chunk by chunk: the tally only checks that the writer read it whole, each element once, and asks
 * the data for its zeros (and each channel's) afterwards, from the mask's bits. Counting each chunk through the
 * data's answers was cheap to run but made the optimising compiler compile a deep chain of calls, twice, while the
 * export of a billion weights was running.
 */
final class ExportTally {
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /**
     * How a tensor's elements fall into output channels: element {@code e} is in channel
     * {@code (e / inner) % channels} (row-major, the channel axis followed by {@code inner} elements).
     */
    record Channels(long inner, int channels) {
        Channels {
            if (inner < 1 || channels < 1) {
                throw new IllegalArgumentException("channels " + channels + " of " + inner + " elements each");
            }
        }
    }

    /**
     * Views of {@code values} (not modified) that count what the writer reads; the same names, in the same order.
     */
    Map<String, TensorData> observe(Map<String, TensorData> values) {
        return observe(values, Map.of());
    }

    /**
     * As {@link #observe(Map)}, also counting the non-zeros per channel of the tensors in {@code channels} (not
     * modified).
     */
    Map<String, TensorData> observe(Map<String, TensorData> values, Map<String, Channels> channels) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        values.forEach((name, data) -> {
            Counter c = new Counter(data, channels.get(name));
            counters.put(name, c);
            out.put(name, new Observed(data, c));
        });
        return out;
    }

    /**
     * The zeros (either sign) of tensor {@code name} as written: from the stream when it was read whole and in
     * order, else from a scan of {@code data} (not modified).
     */
    long zeros(String name, TensorData data) {
        Counter c = counters.get(name);
        long z = c == null ? -1 : c.complete();
        return z >= 0 ? z : TensorStats.of(data).zeros();
    }

    /** Rows shorter than this are counted chunk by chunk even when the data knows its zeros (a call per row). */
    static final long KNOWN_ROW_MIN = 256;

    /**
     * The non-zeros of each channel of tensor {@code name} as written, index = channel; null unless the tensor was
     * observed with its channels and read whole and in order.
     */
    long[] nonZerosPerChannel(String name) {
        Counter c = counters.get(name);
        return c == null ? null : c.perChannel();
    }

    /** Whether tensor {@code name} was counted from the stream (for tests). */
    boolean counted(String name) {
        Counter c = counters.get(name);
        return c != null && c.complete() >= 0;
    }

    /** Zeros among the chunk's elements {@code [from, to)} (indices into the chunk as read). */
    @FunctionalInterface
    private interface Zeros {
        int count(int from, int to);
    }

    /**
     * Counts of one tensor. Chunks may come in any order and from several threads (an export fills its buffers
     * on more than one core); the counts are complete once the chunks cover the tensor exactly, and are given up
     * when one overlaps another (a tensor read twice).
     */
    private static final class Counter {
        private final TensorData data;
        private final long size;
        private final Channels channels;
        private final long[] nonZeros;
        /** The ranges counted so far, merged: start to end. */
        private final java.util.TreeMap<Long, Long> covered = new java.util.TreeMap<>();
        private boolean overlapped;
        private long zeros;
        /** Chunks whose zeros the data tells ({@link #cover} only), and chunks counted from their values. */
        private boolean byData;
        private boolean byValues;

        Counter(TensorData data, Channels channels) {
            this.data = data;
            this.size = data.elementCount();
            this.channels = channels;
            this.nonZeros = channels == null ? null : new long[channels.channels()];
        }

        /** Whether the data can tell this tensor's zeros, and its channels', without their values, at any time. */
        boolean knowsZeros() {
            return channels == null || channels.inner() >= KNOWN_ROW_MIN;
        }

        /** Records elements {@code [first, first + len)} as read, their zeros to be asked of the data at the end. */
        void addKnown(long first, int len) {
            cover(first, first + len, true);
        }

        /** Counts {@code len} elements starting at element {@code first}, which the chunk holds from index 0. */
        void add(long first, int len, Zeros z) {
            if (!cover(first, first + len, false)) {
                return;
            }
            if (channels == null) {
                int zs = z.count(0, len);
                synchronized (this) {
                    zeros += zs;
                }
                return;
            }
            // Segments that stay in one channel: a division per segment, not per element; merged under the lock.
            long inner = channels.inner();
            int segments = (int) Math.min(len, len / inner + 2);
            int[] channel = new int[segments];
            int[] segmentZeros = new int[segments];
            int[] segmentLength = new int[segments];
            int k = 0;
            for (int i = 0; i < len; k++) {
                long row = (first + i) / inner;
                int end = (int) Math.min(len, (row + 1) * inner - first);
                channel[k] = (int) (row % channels.channels());
                segmentZeros[k] = z.count(i, end);
                segmentLength[k] = end - i;
                i = end;
            }
            synchronized (this) {
                for (int j = 0; j < k; j++) {
                    zeros += segmentZeros[j];
                    nonZeros[channel[j]] += segmentLength[j] - segmentZeros[j];
                }
            }
        }

        /**
         * Adds {@code [from, to)} to the covered ranges, noting whether its zeros are the data's to tell
         * ({@code known}) or counted from its values; false (and the counts given up) when it overlaps them.
         */
        private synchronized boolean cover(long from, long to, boolean known) {
            if (overlapped) {
                return false;
            }
            if (known) {
                byData = true;
            } else {
                byValues = true;
            }
            if (from >= to) {
                return true;
            }
            java.util.Map.Entry<Long, Long> before = covered.floorEntry(from);
            java.util.Map.Entry<Long, Long> after = covered.ceilingEntry(from);
            if (before != null && before.getValue() > from || after != null && after.getKey() < to) {
                overlapped = true;
                return false;
            }
            long start = from;
            long end = to;
            if (before != null && before.getValue() == from) {
                start = before.getKey();
                covered.remove(start);
            }
            if (after != null && after.getKey() == to) {
                end = covered.remove(to);
            }
            covered.put(start, end);
            return true;
        }

        private synchronized boolean whole() {
            return !overlapped && !(byData && byValues) && (size == 0 || covered.size() == 1
                    && covered.firstKey() == 0 && covered.firstEntry().getValue() == size);
        }

        /** The zeros, or -1 unless the tensor was read whole, each element once (and the data tells them). */
        synchronized long complete() {
            if (!whole()) {
                return -1;
            }
            return byData ? zerosOf(0, size) : zeros;
        }

        synchronized long[] perChannel() {
            if (nonZeros == null || !whole()) {
                return null;
            }
            if (!byData) {
                return nonZeros.clone();
            }
            long inner = channels.inner();
            long[] out = new long[channels.channels()];
            for (long row = 0; row * inner < size; row++) {
                long from = row * inner;
                long len = Math.min(inner, size - from);
                long z = zerosOf(from, len);
                if (z < 0) {
                    return null;
                }
                out[(int) (row % channels.channels())] += len - z;
            }
            return out;
        }

        /** The data's zeros among {@code [from, from + len)}, asked in int-sized pieces; -1 when it cannot tell. */
        private long zerosOf(long from, long len) {
            long z = 0;
            for (long at = from; at < from + len; ) {
                int n = (int) Math.min(1 << 30, from + len - at);
                long part = data.zerosIfKnown(at, n);
                if (part < 0) {
                    return -1;
                }
                z += part;
                at += n;
            }
            return z;
        }
    }

    /** A view that counts each chunk it hands out. */
    private record Observed(TensorData data, Counter counter) implements TensorData {
        @Override
        public DType dtype() {
            return data.dtype();
        }

        @Override
        public long elementCount() {
            return data.elementCount();
        }

        /** Whether the data knows its zeros without their values being counted (a mask that keeps no zero). */
        private boolean known(long first, int count) {
            return count > 0 && data.zerosIfKnown(first, Math.min(count, 64)) >= 0;
        }

        @Override
        public long zerosIfKnown(long first, int count) {
            return data.zerosIfKnown(first, count);
        }

        @Override
        public void readFloats(long first, FloatBuffer dst) {
            int start = dst.position();
            data.readFloats(first, dst);
            int len = dst.position() - start;
            if (counter.knowsZeros() && known(first, len)) {
                counter.addKnown(first, len);
                return;
            }
            float[] a;
            int offset;
            if (dst.hasArray()) {
                a = dst.array();
                offset = dst.arrayOffset() + start;
            } else {
                a = new float[len];
                dst.get(start, a);
                offset = 0;
            }
            counter.add(first, len, known(first, len) ? (from, to) -> (int) data.zerosIfKnown(first + from, to - from)
                    : (from, to) -> floatZeros(a, offset + from, offset + to));
        }

        @Override
        public boolean readStored(long first, int count, ByteBuffer dst) {
            int start = dst.position();
            if (!data.readStored(first, count, dst)) {
                return false;
            }
            int size = data.dtype().byteSize();
            if (known(first, count)) {
                if (counter.knowsZeros()) {
                    counter.addKnown(first, count);
                } else {
                    counter.add(first, count, (from, to) -> (int) data.zerosIfKnown(first + from, to - from));
                }
                return true;
            }
            byte[] a;
            int offset;
            if (dst.hasArray()) {
                a = dst.array();
                offset = dst.arrayOffset() + start;
            } else {
                a = new byte[count * size];
                dst.get(start, a);
                offset = 0;
            }
            if (size == 2) {
                counter.add(first, count, (from, to) -> halfZeros(a, offset + 2 * from, offset + 2 * to));
            } else {
                counter.add(first, count, (from, to) -> floatBitsZeros(a, offset + 4 * from, offset + 4 * to));
            }
            return true;
        }
    }

    // Branch-free: a branch per element mispredicts on pruned weights, whose zeros fall at random.

    private static int floatZeros(float[] a, int from, int to) {
        int z = 0;
        for (int i = from; i < to; i++) {
            z += ((Float.floatToRawIntBits(a[i]) & 0x7fffffff) - 1) >>> 31; // 1 for +0 and -0
        }
        return z;
    }

    /** Zeros among little-endian float32 bytes {@code a[from, to)}. */
    private static int floatBitsZeros(byte[] a, int from, int to) {
        // Two at a time (SWAR): without its sign, a lane plus 0x7fffffff reaches the lane's top bit unless it is 0.
        int z = 0;
        int p = from;
        for (; p + 8 <= to; p += 8) {
            long x = (long) LONGS.get(a, p) & 0x7fffffff7fffffffL;
            z += 2 - Long.bitCount((x + 0x7fffffff7fffffffL) & 0x8000000080000000L);
        }
        for (; p < to; p += 4) {
            z += (((int) INTS.get(a, p) & 0x7fffffff) - 1) >>> 31;
        }
        return z;
    }

    /** Zeros among little-endian 16-bit floats (float16, bfloat16: the sign is the top bit of both). */
    private static int halfZeros(byte[] a, int from, int to) {
        int z = 0;
        int p = from;
        for (; p + 8 <= to; p += 8) { // four at a time, as above
            long x = (long) LONGS.get(a, p) & 0x7fff7fff7fff7fffL;
            z += 4 - Long.bitCount((x + 0x7fff7fff7fff7fffL) & 0x8000800080008000L);
        }
        for (; p < to; p += 2) {
            z += (((short) SHORTS.get(a, p) & 0x7fff) - 1) >>> 31;
        }
        return z;
    }
}
