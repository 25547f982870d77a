package org.sparsitybench.prune;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.select.ChunkScan;
import org.sparsitybench.prune.select.Parts;
import org.sparsitybench.prune.select.StreamedBits;
import org.sparsitybench.task.CancellationToken;

/**
 * Applies masks to weights, never in place: {@code w'_i = kept_i ? w_i : +0.0} (a pruned NaN becomes 0 too).
 * Stateless.
 */
public final class Masking {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Masking() {
    }

    /**
     * Prunes a copy: the masked weights as a new array.
     *
     * @param weights the tensor's values (not modified); at most {@link TensorData#MAX_ARRAY_ELEMENTS}
     * @param mask    which to keep (not modified), of the same size
     * @return a new array of {@code weights.elementCount()} floats
     */
    public static float[] apply(TensorData weights, Mask mask) {
        requireSameSize(weights, mask);
        float[] out = weights.readAllFloats();
        zeroPruned(mask.toBitMask(), 0, out, 0, out.length);
        return out;
    }

    /**
     * Prunes a window: reads elements {@code [first, first + dst.remaining())} of {@code weights} (not modified)
     * into {@code dst} (modified: its position advances to its limit) with the pruned ones zero.
     */
    public static void apply(TensorData weights, Mask mask, long first, FloatBuffer dst) {
        requireSameSize(weights, mask);
        int n = dst.remaining();
        if (first < 0 || first + n > weights.elementCount()) {
            throw new IndexOutOfBoundsException("elements [" + first + ", " + (first + n) + ") of "
                    + weights.elementCount());
        }
        BitMask bits = mask.toBitMask();
        if (dst.hasArray()) {
            // Straight into the caller's array and masked there: no chunk to allocate and copy per call (an
            // export of a billion weights made 4 GB of such chunks).
            int start = dst.position();
            weights.readFloats(first, dst);
            zeroPruned(bits, first, dst.array(), dst.arrayOffset() + start, n);
            return;
        }
        float[] chunk = new float[Math.min(n, Parts.CHUNK)];
        for (int done = 0; done < n; ) {
            int len = Math.min(chunk.length, n - done);
            weights.readFloats(first + done, FloatBuffer.wrap(chunk, 0, len));
            zeroPruned(bits, first + done, chunk, 0, len);
            dst.put(chunk, 0, len);
            done += len;
        }
    }

    /**
     * Prunes lazily: a view of {@code weights} whose reads go through {@link #apply(TensorData, Mask, long,
     * FloatBuffer)}, chunk by chunk. Nothing is copied, so a writer can stream a pruned model of any size with
     * only the masks (one bit per weight) in memory.
     *
     * @param weights the tensor's values (not modified), of any size
     * @param mask    which to keep (not modified), of the same size
     */
    public static TensorData masked(TensorData weights, Mask mask) {
        requireSameSize(weights, mask);
        return new Masked(weights, mask);
    }

    /**
     * {@link #masked}'s view. When the mask is a rule on these very values without bits yet
     * ({@link Mask#streamedBits}), reads of the stored bytes of a 16-bit tensor mask each chunk with bits computed
     * from the chunk itself, and the mask adopts them once every chunk has been read (in any order, by any
     * threads): no pass over the tensor before an export. Other reads materialise the mask first. Thread-safe.
     */
    private static final class Masked implements TensorData {
        private final TensorData weights;
        private final Mask mask;
        /** The bits being streamed, or null (not started, or over: see {@link #streamOff}). */
        private volatile StreamedBits stream;
        private boolean streamOff;

        Masked(TensorData weights, Mask mask) {
            this.weights = weights;
            this.mask = mask;
        }

        @Override
        public DType dtype() {
            return weights.dtype();
        }

        @Override
        public long elementCount() {
            return weights.elementCount();
        }

        @Override
        public void readFloats(long first, FloatBuffer dst) {
            apply(weights, mask, first, dst);
        }

        /** The pruned elements, when the mask keeps no zero: a count of its bits, not of the values. */
        @Override
        public long zerosIfKnown(long first, int count) {
            if (mask.keptZeros() != 0) {
                return -1;
            }
            StreamedBits s = stream;
            long kept = s == null ? -1 : s.keptIn(first, count);
            return count - (kept >= 0 ? kept : mask.toBitMask().keptIn(first, count));
        }

        /** The stored bytes with the pruned elements' bytes zero (+0.0): no decoding, no encoding. */
        @Override
        public boolean readStored(long first, int count, ByteBuffer dst) {
            int start = dst.position();
            StreamedBits s = weights.dtype().byteSize() == 2 && (first & 63) == 0 ? stream() : null;
            if (s != null && dst.remaining() >= 2L * count) {
                // Straight from the source into longs, masked there and copied out: one copy less.
                long[] x = scratch((count >>> 2) + 1);
                if (weights.readStoredLongs(first, count, x) && s.acceptAndMask(first, x, count)) {
                    putHalves(x, count, dst.slice(start, 2 * count).order(ByteOrder.LITTLE_ENDIAN));
                    dst.position(start + 2 * count);
                    adoptIfComplete(s);
                    return true;
                }
            }
            if (!weights.readStored(first, count, dst)) {
                return false;
            }
            if (s != null && zeroPrunedStreamed(s, first, dst, start, count)) {
                adoptIfComplete(s);
                return true;
            }
            zeroPruned(mask.toBitMask(), first, dst, start, count, weights.dtype().byteSize());
            return true;
        }

        /** Hands the streamed bits to the mask once every chunk is in. */
        private void adoptIfComplete(StreamedBits s) {
            if (s.complete()) {
                mask.adopt(s);
                synchronized (this) {
                    stream = null;
                    streamOff = true;
                }
            }
        }

        /** The bits to stream into, made on the first read; null when the mask cannot stream or has finished. */
        private synchronized StreamedBits stream() {
            if (stream == null && !streamOff) {
                stream = mask.streamedBits(weights);
                streamOff = stream == null;
            }
            return stream;
        }
    }

    /** Sums of squares of a masked tensor's finite weights: kept and all. */
    public record Energy(double kept, double total) {
        /** {@code kept / total}: the share of Σ w² a mask keeps; 1 for a tensor without energy. */
        public double retained() {
            return total > 0 ? kept / total : 1.0;
        }
    }

    /**
     * Σ w² over the kept and over all finite weights, in one chunked pass (parallel by {@link Parts}; the sums
     * are merged in part order, so they do not depend on the machine).
     */
    public static Energy energy(TensorData weights, Mask mask, CancellationToken cancel) {
        requireSameSize(weights, mask);
        BitMask bits = mask.toBitMask();
        long[] bounds = Parts.boundaries(weights.elementCount());
        double[][] sums = new double[bounds.length - 1][2];
        Parts.run(bounds.length - 1, p -> ChunkScan.scan(weights, null, bounds[p], bounds[p + 1], cancel,
                (first, w, unused, len) -> {
                    double kept = 0;
                    double all = 0;
                    for (int i = 0; i < len; i++) {
                        double sq = (double) w[i] * w[i];
                        sq = sq < Double.POSITIVE_INFINITY ? sq : 0.0;
                        all += sq;
                        long index = first + i;
                        if ((bits.word((int) (index >>> 6)) & (1L << index)) != 0) {
                            kept += sq;
                        }
                    }
                    sums[p][0] += kept;
                    sums[p][1] += all;
                }));
        double kept = 0;
        double all = 0;
        for (double[] s : sums) {
            kept += s[0];
            all += s[1];
        }
        return new Energy(kept, all);
    }

    /**
     * Weights the mask keeps that are not already zero: what the written tensor holds as non-zeros (a weight that
     * arrives as 0 stays 0 whether the mask keeps it or not). One chunked pass, parallel by {@link Parts}.
     */
    public static long keptNonZeros(TensorData weights, Mask mask, CancellationToken cancel) {
        requireSameSize(weights, mask);
        BitMask bits = mask.toBitMask();
        long[] bounds = Parts.boundaries(weights.elementCount());
        long[] counts = new long[bounds.length - 1];
        Parts.run(bounds.length - 1, p -> ChunkScan.scan(weights, null, bounds[p], bounds[p + 1], cancel,
                (first, w, unused, len) -> {
                    // A word at a time, branch-free: the kept count of the word less the zeros it keeps (a branch
                    // per element mispredicted on every other weight of a random mask).
                    long n = 0;
                    int i = 0;
                    while (i < len) {
                        long index = first + i;
                        int bit = (int) (index & 63);
                        int c = Math.min(64 - bit, len - i);
                        long word = bits.word((int) (index >>> 6)) >>> bit;
                        if (c < 64) {
                            word &= (1L << c) - 1;
                        }
                        int keptZeros = 0;
                        for (int j = 0; j < c; j++) {
                            int zero = ((Float.floatToRawIntBits(w[i + j]) & 0x7fffffff) - 1) >>> 31; // +0 or -0
                            keptZeros += zero & (int) (word >>> j);
                        }
                        n += Long.bitCount(word) - keptZeros;
                        i += c;
                    }
                    counts[p] += n;
                }));
        long kept = 0;
        for (long c : counts) {
            kept += c;
        }
        return kept;
    }

    /** Zeroes {@code values[from, from + len)}, elements {@code first...} of the tensor, where the mask prunes. */
    private static void zeroPruned(BitMask bits, long first, float[] values, int from, int len) {
        // A word at a time, without a branch per element: a kept bit becomes an all-ones int mask over the
        // float's bits, a pruned one all zeros (+0.0f). Random masks made the per-element branch the export's
        // hottest loop.
        int i = 0;
        while (i < len) {
            long index = first + i;
            int bit = (int) (index & 63);
            int n = Math.min(64 - bit, len - i);
            long word = bits.word((int) (index >>> 6)) >>> bit;
            for (int j = 0; j < n; j++) {
                int keep = -(int) ((word >>> j) & 1L);
                int v = from + i + j;
                values[v] = Float.intBitsToFloat(Float.floatToRawIntBits(values[v]) & keep);
            }
            i += n;
        }
    }

    /**
     * Zeroes the bytes of the pruned elements among {@code count} stored elements of {@code size} bytes at
     * {@code dst[start...]} (modified), elements {@code first...} of the tensor.
     */
    private static void zeroPruned(BitMask bits, long first, ByteBuffer dst, int start, int count, int size) {
        if ((first & 63) == 0 && count >= 64) {
            // Whole mask words from a word boundary (every chunk an export streams): as longs in an array.
            int whole = count & ~63;
            zeroPrunedWords(bits, (int) (first >>> 6), dst.slice(start, whole * size), whole, size);
            first += whole;
            start += whole * size;
            count -= whole;
        }
        if (!dst.hasArray()) {
            for (int i = 0; i < count; i++) {
                long index = first + i;
                if ((bits.word((int) (index >>> 6)) & (1L << index)) == 0) {
                    for (int b = 0; b < size; b++) {
                        dst.put(start + i * size + b, (byte) 0);
                    }
                }
            }
            return;
        }
        byte[] a = dst.array();
        // As for floats: a word at a time, branch-free, and 8 bytes at a time: 4 (16-bit) or 2 (32-bit) mask bits
        // pick an all-ones or all-zeros lane mask for a little-endian long from a table.
        int p = dst.arrayOffset() + start;
        int per = 8 / size;
        long[] lanes = size == 2 ? KEEP_4X16 : KEEP_2X32;
        int pick = (1 << per) - 1;
        int i = 0;
        while (i < count) {
            long index = first + i;
            int bit = (int) (index & 63);
            int n = Math.min(64 - bit, count - i);
            long word = bits.word((int) (index >>> 6)) >>> bit;
            int j = 0;
            for (; j + per <= n; j += per, p += 8) {
                LONGS.set(a, p, (long) LONGS.get(a, p) & lanes[(int) (word >>> j) & pick]);
            }
            for (; j < n; j++, p += size) {
                if (((word >>> j) & 1L) == 0) {
                    for (int k = 0; k < size; k++) {
                        a[p + k] = 0;
                    }
                }
            }
            i += n;
        }
    }

    /** Scratch longs of {@link #zeroPrunedWords}, one array per thread (a chunk's worth, reused). */
    private static final ThreadLocal<long[]> SCRATCH = ThreadLocal.withInitial(() -> new long[0]);

    /**
     * {@link #zeroPruned(BitMask, long, ByteBuffer, int, int, int)} for {@code count} (a multiple of 64) elements
     * of {@code size} bytes, all of {@code bytes} (modified; heap or direct), that start at mask word {@code word}.
     * The bytes go through a {@code long[]} by bulk copies and are masked there by plain array indexing: a loop that
     * is fast as soon as it is compiled at all, where per-long VarHandle access stays slow until the optimising
     * compiler has got to it, which on a busy machine came late in a command of a few seconds.
     */
    private static void zeroPrunedWords(BitMask bits, int word, ByteBuffer bytes, int count, int size) {
        int longs = count * size / 8;
        long[] x = scratch(longs);
        java.nio.LongBuffer view = bytes.order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        view.get(0, x, 0, longs);
        int words = count >>> 6;
        if (size == 2) {
            for (int k = 0, q = 0; k < words; k++) {
                long w = bits.word(word + k);
                for (int j = 0; j < 64; j += 4, q++) {
                    x[q] &= KEEP_4X16[(int) (w >>> j) & 15];
                }
            }
        } else {
            for (int k = 0, q = 0; k < words; k++) {
                long w = bits.word(word + k);
                for (int j = 0; j < 64; j += 2, q++) {
                    x[q] &= KEEP_2X32[(int) (w >>> j) & 3];
                }
            }
        }
        view.put(0, x, 0, longs);
    }

    /**
     * Zeroes the pruned ones among {@code count} 16-bit elements at {@code dst[start...]} (modified; heap or direct),
     * elements {@code first...} of the tensor, with bits {@code stream} computes from these very bytes as it goes;
     * as {@link #zeroPrunedWords}, through a {@code long[]}.
     *
     * @return false, changing nothing, when the stream does not take the chunk (not on a 64-element boundary)
     */
    private static boolean zeroPrunedStreamed(StreamedBits stream, long first, ByteBuffer dst, int start, int count) {
        ByteBuffer bytes = dst.slice(start, 2 * count).order(ByteOrder.LITTLE_ENDIAN);
        int longs = count >>> 2;
        long[] x = scratch(longs + 1);
        java.nio.LongBuffer view = bytes.asLongBuffer();
        view.get(0, x, 0, longs);
        long tail = 0; // the last 1-3 elements, the rest of the long zero
        for (int e = 4 * longs; e < count; e++) {
            tail |= ((long) bytes.getShort(2 * e) & 0xffff) << ((e & 3) << 4);
        }
        x[longs] = tail;
        if (!stream.acceptAndMask(first, x, count)) {
            return false;
        }
        putHalves(x, count, bytes);
        return true;
    }

    /** Copies {@code count} 16-bit elements packed four to a long in {@code x} into {@code bytes} (little-endian). */
    private static void putHalves(long[] x, int count, ByteBuffer bytes) {
        int longs = count >>> 2;
        bytes.asLongBuffer().put(0, x, 0, longs);
        for (int e = 4 * longs; e < count; e++) {
            bytes.putShort(2 * e, (short) (x[longs] >>> ((e & 3) << 4)));
        }
    }

    /** This thread's scratch longs, at least {@code n}. */
    private static long[] scratch(int n) {
        long[] x = SCRATCH.get();
        if (x.length < n) {
            x = new long[n];
            SCRATCH.set(x);
        }
        return x;
    }

    /** Lane masks of a long holding 4 little-endian 16-bit elements: bit k of the index keeps element k. */
    private static final long[] KEEP_4X16 = laneMasks(4, 16);
    /** Lane masks of a long holding 2 little-endian 32-bit elements. */
    private static final long[] KEEP_2X32 = laneMasks(2, 32);

    private static long[] laneMasks(int lanes, int width) {
        long[] out = new long[1 << lanes];
        long lane = width == 64 ? -1L : (1L << width) - 1;
        for (int m = 0; m < out.length; m++) {
            for (int k = 0; k < lanes; k++) {
                if ((m >>> k & 1) != 0) {
                    out[m] |= lane << (k * width);
                }
            }
        }
        return out;
    }

    private static void requireSameSize(TensorData weights, Mask mask) {
        if (weights.elementCount() != mask.size()) {
            throw new IllegalArgumentException("mask of " + mask.size() + " elements for a tensor of "
                    + weights.elementCount());
        }
    }
}
