package org.sparsitybench.prune.select;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * So a pass counts or compares patterns copied in bulk from the mapped bytes, four at a time where it can
 * ({@link #above}). Immutable, thread-safe.
 */
final class HalfBits {
    /** Number of 15-bit patterns. */
    static final int PATTERNS = 1 << 15;

    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long LANES = 0x0001000100010001L;
    private static final long LOW15 = 0x7fff * LANES;
    private static final long TOPS = 0x8000 * LANES;
    /** Multiplier that moves the bits at 0, 16, 32, 48 to 45, 46, 47, 48 (all other products land elsewhere). */
    private static final long GATHER = 1L | 1L << 15 | 1L << 30 | 1L << 45;

    private static final int[] BF16_SCORES = scores(DType.BFLOAT16);
    private static final int[] FP16_SCORES = scores(DType.FLOAT16);

    /** Elements {@link #countPatterns} counts between two cancellation checks (8 MB of BF16, a few ms). */
    static final int COUNT_SPAN = 1 << 22;
    /** Longs {@link #countPatterns} copies out of the mapping at a time: 32 KB, in the L1 cache while counted. */
    private static final int COPY_BLOCK = 1 << 12;
    /** Spans shorter than this are counted element by element (no block copies). */
    private static final int SMALL_SPAN = 1 << 12;

    private final ByteBuffer[] windows;
    private final ByteBuffer[] leWindows;
    private final long[] firstElement;
    private final int[] scores;
    private final int nanPattern;
    private final long size;

    private HalfBits(ByteBuffer[] windows, long[] firstElement, int[] scores, int nanPattern, long size) {
        this.windows = windows;
        this.leWindows = new ByteBuffer[windows.length];
        for (int i = 0; i < windows.length; i++) {
            leWindows[i] = windows[i].duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
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
        ByteBuffer[] windows = new ByteBuffer[bytes.size()];
        long[] first = new long[bytes.size() + 1];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = bytes.get(i).slice();
            first[i + 1] = first[i] + windows[i].remaining() / 2;
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

    /** The smallest clamped pattern scoring above {@code bits} ({@code bits} below the NaN score). */
    int firstPatternAbove(int bits) {
        int lo = 0;
        int hi = nanPattern;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (scores[mid] > bits) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * Receives one chunk of raw elements {@code [first, first + len)} as little-endian longs, four elements each
     * (element {@code i} in bits {@code 16 (i % 4)} of long {@code i / 4}; read them with {@link #above}); the array
     * is reused.
     */
    @FunctionalInterface
    interface ByteConsumer {
        void accept(long first, long[] raw, int len);
    }

    /** The 15-bit pattern of element {@code i} of a chunk (sign cleared, NaN not clamped). */
    static int pattern(long[] raw, int i) {
        return (int) (raw[i >>> 2] >>> ((i & 3) << 4)) & 0x7fff;
    }

    /**
     * Bit {@code j} set when the pattern of element {@code i + j} of a chunk is above {@code hi}, for
     * {@code j < n <= 64}. With {@code v + (0x7fff - hi)} in each 16-bit lane of a long, a lane's top bit is set
     * exactly when {@code v > hi} and no lane carries into the next ({@code -1 <= hi <= 0x7fff}).
     */
    static long above(long[] raw, int i, int n, int hi) {
        long out = 0;
        if (n == 64 && (i & 3) == 0) {
            // Plain array loads: fast from the first compilation on (a VarHandle per long was slow until C2).
            long add = (0x7fffL - hi) * LANES;
            int at = i >>> 2;
            for (int j = 0; j < 16; j++) {
                long x = raw[at + j] & LOW15;
                long tops = ((x + add) & TOPS) >>> 15;
                out |= ((tops * GATHER) >>> 45 & 0xf) << (4 * j);
            }
            return out;
        }
        for (int j = 0; j < n; j++) {
            out |= (long) ((hi - pattern(raw, i + j)) >>> 31) << j;
        }
        return out;
    }

    /**
     * Reads elements {@code [from, to)} in chunks of {@link Parts#CHUNK} (starting at {@code from + i * CHUNK})
     * by bulk copies from the buffers, as bytes, checking for cancellation once per chunk.
     */
    void scanBytes(long from, long to, CancellationToken cancel, ByteConsumer consumer) {
        int chunk = chunk(from, to);
        if (chunk > 0) {
            byte[] raw = new byte[2 * chunk];
            long[] longs = new long[(chunk + 3) / 4];
            java.nio.LongBuffer asLongs = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
            WindowedChunks.scan(firstElement, from, to, chunk, cancel, (w, offset, at, n) -> windows[w].get(2 * offset, raw, 2 * at, 2 * n),
                    (first, len) -> {
                        int whole = len / 4;
                        asLongs.get(0, longs, 0, whole); // a bulk copy from the cache
                        if (whole < longs.length) {
                            long tail = 0; // the last 1-3 elements of the range, the rest of the long zero
                            for (int e = 4 * whole; e < Math.min(len, 4 * whole + 4); e++) {
                                tail |= (long) ((short) SHORTS.get(raw, 2 * e) & 0xffff) << ((e & 3) << 4);
                            }
                            longs[whole] = tail;
                        }
                        consumer.accept(first, longs, len);
                    });
        }
    }

    /**
     * Adds to {@code counts[q]} ({@link #PATTERNS} entries) the number of elements in {@code [from, to)} whose
     * 15-bit pattern is {@code q} (sign cleared, NaN patterns not clamped), checking for cancellation every
     * {@link #COUNT_SPAN} elements.
     *
     * <p>The loop takes two longs (eight elements) at a time and interleaves their increments: neighbouring weights
     * often share a pattern, and interleaving two streams keeps one increment from waiting on the store of the one
     * before. It counts into {@code counts} itself: a table per span, added into the caller's, put 124 MB of garbage
     * and eight collections into the histogram pass of a billion-weight model (the builders hand their tables
     * round). The mapped bytes come over in blocks that stay in the L1 cache, by bulk copies, and are counted from
     * an array: plain indexing is fast from the first compilation on, where getLong on a mapped buffer stayed slow
     * until the optimising compiler got to this loop (on a busy machine, after most of the pass). Reading them with
     * getLong measured 186 ms on the 1B-parameter BF16 file (two threads, compiled) against 245 ms for a
     * copy-then-count-shorts loop.
     */
    void countPatterns(long from, long to, int[] counts, CancellationToken cancel) {
        if (counts.length != PATTERNS) {
            throw new IllegalArgumentException(counts.length + " counters for " + PATTERNS + " patterns");
        }
        chunk(from, to); // range check
        int[] c = counts;
        long[] block = new long[COPY_BLOCK];
        long at = from;
        int w = from < to ? window(from) : 0;
        while (at < to) {
            cancel.throwIfCancelled();
            while (at >= firstElement[w + 1]) {
                w++;
            }
            int offset = (int) (at - firstElement[w]);
            int n = (int) Math.min(Math.min(to - at, firstElement[w + 1] - at), COUNT_SPAN);
            ByteBuffer b = leWindows[w];
            int start = 2 * offset;
            if (n < SMALL_SPAN) {
                for (int i = start; i < start + 2 * n; i += 2) {
                    c[b.getShort(i) & 0x7fff]++;
                }
                at += n;
                continue;
            }
            java.nio.LongBuffer longs = b.slice(start, 2 * n).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
            int total = longs.remaining();
            for (int l = 0; l < total; l += COPY_BLOCK) {
                int m = Math.min(COPY_BLOCK, total - l);
                longs.get(l, block, 0, m);
                int k = 0;
                for (; k + 1 < m; k += 2) {
                    long x = block[k];
                    long y = block[k + 1];
                    c[(int) x & 0x7fff]++;
                    c[(int) y & 0x7fff]++;
                    c[(int) (x >>> 16) & 0x7fff]++;
                    c[(int) (y >>> 16) & 0x7fff]++;
                    c[(int) (x >>> 32) & 0x7fff]++;
                    c[(int) (y >>> 32) & 0x7fff]++;
                    c[(int) (x >>> 48) & 0x7fff]++;
                    c[(int) (y >>> 48) & 0x7fff]++;
                }
                if (k < m) {
                    long x = block[k];
                    c[(int) x & 0x7fff]++;
                    c[(int) (x >>> 16) & 0x7fff]++;
                    c[(int) (x >>> 32) & 0x7fff]++;
                    c[(int) (x >>> 48) & 0x7fff]++;
                }
            }
            for (int i = start + 8 * total; i < start + 2 * n; i += 2) { // the last 1-3 elements
                c[b.getShort(i) & 0x7fff]++;
            }
            at += n;
        }
    }

    /** A new table of the counts {@link #countPatterns(long, long, int[], CancellationToken)} adds. */
    int[] countPatterns(long from, long to, CancellationToken cancel) {
        int[] c = new int[PATTERNS];
        countPatterns(from, to, c, cancel);
        return c;
    }

    private int chunk(long from, long to) {
        if (from < 0 || from > to || to > size) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + size);
        }
        return (int) Math.min(Parts.CHUNK, to - from);
    }

    private int window(long element) {
        return org.sparsitybench.model.BufferTensorData.windowOf(firstElement, windows.length, element);
    }
}
