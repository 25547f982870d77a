package org.sparsitybench.prune.select;

import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.ScoreFunction;
import org.sparsitybench.task.CancellationToken;

/**
 * A |w| threshold cut's mask bits, computed from the raw BF16/FP16 patterns a writer streams out anyway: the export
 * masks each chunk with bits it has just computed from the chunk itself, so a billion-weight export needs no
 * materialising pass of its own before the write (that pass was a fifth of the command's time); materialising
 * ({@link ExactSelector#materialise}) applies the same rule to each part in parallel. The rule: kept when the
 * pattern is above the cut's; of the cut's ties, the first {@code tiesPruned(p)} of each part {@code p} in element
 * order are pruned. So that chunks can come in any order
 * and from several threads, a part that prunes some of its ties but not all has the index of its last pruned tie
 * found once, by a scan of the part up to it; every other chunk is decided by its own values alone.
 *
 * <p>Chunks start on a multiple of 64 elements; each element must come exactly once. Once all have come,
 * {@link #result()} is the mask, checked against the cut's pruned count. Thread-safe.
 */
public final class StreamedBits {
    private final Threshold th;
    private final HalfBits data;
    private final int tq;
    private final int above;
    private final long[] words;
    /**
     * One bit per word of {@link #words}: computed. Set after the word is written and read before it is read
     * (atomics: a reader that sees the bit sees the word, without a lock per read).
     */
    private final java.util.concurrent.atomic.AtomicLongArray done;
    /** Per part: the index of its last pruned tie, once found (parts whose ties are split), else -1. */
    private final long[] lastPrunedTie;
    private long accepted;
    private boolean repeated;

    private StreamedBits(Threshold th, HalfBits data, int tq, int above) {
        this.th = th;
        this.data = data;
        this.tq = tq;
        this.above = above;
        int wordCount = BitMask.wordCount(th.size());
        this.words = new long[wordCount];
        this.done = new java.util.concurrent.atomic.AtomicLongArray((wordCount + 63) >>> 6);
        this.lastPrunedTie = new long[th.partCount()];
        java.util.Arrays.fill(lastPrunedTie, -1);
    }

    /**
     * Bits for the cut {@code th} of {@code data} (not modified; BF16 or FP16 in buffers) under {@code score}, or
     * null when this cannot stream them: not a |w| score, not raw half-precision data, or a cut that keeps or
     * prunes everything (whose bits cost nothing).
     */
    public static StreamedBits of(TensorData data, ScoreFunction score, Threshold th) {
        if (!score.isMagnitude() || th.kind() != Threshold.Kind.AT_BITS || data.elementCount() != th.size()) {
            return null;
        }
        HalfBits raw = HalfBits.of(data);
        if (raw == null) {
            return null;
        }
        int tq = raw.patternOf(th.bits());
        if (tq < 0) {
            if (th.tieCount() != 0) {
                return null; // the data does not hold the cut's value: materialising reports that
            }
            // A cut at a value this dtype cannot hold (a global cut set by float32 tensors): no ties here.
            int keepAbove = raw.firstPatternAbove(th.bits()) - 1;
            return new StreamedBits(th, raw, keepAbove + 1, keepAbove);
        }
        // NaN patterns are all ties of a NaN cut, so nothing is above that (as ExactSelector.materialiseRaw).
        return new StreamedBits(th, raw, tq, tq == raw.nanPattern() ? 0x7fff : tq);
    }

    /**
     * Computes the bits of elements {@code [first, first + len)} from their raw little-endian 16-bit values, four
     * per long ({@code raw[0...]}; element {@code first + i} in bits {@code 16 (i % 4)} of long {@code i / 4}), and
     * zeroes the pruned ones there (modified; the lanes of a last long past {@code len} are left as they are).
     *
     * @return false, changing nothing, when the chunk does not start on a multiple of 64, ends inside a word short
     *         of the tensor's end, or runs past the tensor
     */
    public boolean acceptAndMask(long first, long[] raw, int len) {
        if ((first & 63) != 0 || len < 0 || first + len > th.size() || (len & 63) != 0 && first + len != th.size()) {
            return false;
        }
        int word = (int) (first >>> 6);
        int part = -1;
        long partEnd = 0;
        int hi = 0;
        long last = -1; // the part's last pruned tie when its ties are split
        for (int i = 0; i < len; i += 64, word++) {
            long start = first + i;
            if (start >= partEnd) {
                part = th.partOf(start);
                partEnd = part + 1 < th.partCount() ? th.partStart(part + 1) : th.size();
                long budget = th.tiesPruned(part);
                boolean split = budget > 0 && budget < th.ties(part);
                hi = budget == 0 ? tq - 1 : above;
                last = split ? lastPrunedTie(part) : -1;
            }
            int n = Math.min(64, len - i);
            if (last < start) {
                // No tie of this word to prune: above the cut is kept (and its ties too, once past the part's last
                // pruned one). So are the part's next words in this chunk: the whole words go in one run.
                int keepAbove = last >= 0 ? tq - 1 : hi;
                int run = (int) Math.min((partEnd - start + 63) >>> 6, (len - i) >>> 6);
                if (run > 0) {
                    keepAndMaskRun(raw, i >>> 2, run, keepAbove, words, word);
                    i += 64 * (run - 1);
                    word += run - 1;
                } else {
                    words[word] = maskLanes(raw, i, n, HalfBits.above(raw, i, n, keepAbove));
                }
                continue;
            }
            long atOrAbove = HalfBits.above(raw, i, n, tq - 1);
            long tie = atOrAbove & ~HalfBits.above(raw, i, n, above);
            long upTo = last - start >= 63 ? -1L : (2L << (last - start)) - 1; // elements start..last of the word
            words[word] = maskLanes(raw, i, n, atOrAbove & ~(tie & upTo));
        }
        boolean again = false;
        for (int w = (int) (first >>> 6); w < word; ) {
            // The words' done bits, a long of them at a time.
            int slot = w >>> 6;
            int end = Math.min(word, (slot + 1) << 6);
            long bits = (end - w == 64 ? -1L : (1L << (end - w)) - 1) << w;
            again |= (done.getAndAccumulate(slot, bits, (a, b) -> a | b) & bits) != 0;
            w = end;
        }
        synchronized (this) {
            repeated |= again;
            accepted += len;
        }
        return true;
    }

    /** Zeroes the lanes of elements {@code i...i + n} of {@code raw} whose bit in {@code keep} is clear. */
    private static long maskLanes(long[] raw, int i, int n, long keep) {
        for (int q = 0; 4 * q < n; q++) {
            raw[(i >>> 2) + q] &= LANES[(int) (keep >>> (4 * q)) & 15];
        }
        return keep;
    }

    /** The index of part {@code p}'s last pruned tie (its ties split), found by one scan of the part up to it. */
    private long lastPrunedTie(int p) {
        synchronized (lastPrunedTie) {
            if (lastPrunedTie[p] >= 0) {
                return lastPrunedTie[p];
            }
            long wanted = th.tiesPruned(p);
            long[] seen = {0};
            long[] found = {-1};
            try {
                data.scanBytes(th.partStart(p), p + 1 < th.partCount() ? th.partStart(p + 1) : th.size(),
                        CancellationToken.NONE, (chunkFirst, bytes, len) -> {
                            for (int i = 0; i < len; i += 64) {
                                int n = Math.min(64, len - i);
                                long tie = HalfBits.above(bytes, i, n, tq - 1) & ~HalfBits.above(bytes, i, n, above);
                                int count = Long.bitCount(tie);
                                if (seen[0] + count >= wanted) {
                                    for (long r = wanted - seen[0]; r > 1; r--) {
                                        tie &= tie - 1;
                                    }
                                    found[0] = chunkFirst + i + Long.numberOfTrailingZeros(tie);
                                    throw new Found();
                                }
                                seen[0] += count;
                            }
                        });
            } catch (Found f) {
                // found[0] holds it
            }
            if (found[0] < 0) {
                throw new IllegalStateException("part " + p + " holds " + seen[0] + " ties of " + th
                        + ", expected at least " + wanted + " (data changed?)");
            }
            lastPrunedTie[p] = found[0];
            return found[0];
        }
    }

    /** The kept elements among {@code [first, first + count)}, or -1 unless all their words were computed. */
    public long keptIn(long first, int count) {
        if (first < 0 || count <= 0 || first + count > th.size()) {
            return -1;
        }
        for (long w = first >>> 6; w <= (first + count - 1) >>> 6; w++) {
            if ((done.get((int) (w >>> 6)) & (1L << w)) == 0) {
                return -1;
            }
        }
        return BitMask.keptIn(words, first, count);
    }

    /** Whether every element has come, each once. */
    public synchronized boolean complete() {
        return accepted == th.size() && !repeated;
    }

    /**
     * The mask, once {@link #complete()}.
     *
     * @throws IllegalStateException if not complete, or if the bits prune another count than the cut (the data
     *                               changed since the cut was chosen)
     */
    public synchronized BitMask result() {
        if (!complete()) {
            throw new IllegalStateException(repeated ? "elements streamed twice" : "bits of " + accepted
                    + " elements of " + th.size() + " only");
        }
        BitMask out = BitMask.adopt(th.size(), words);
        if (out.prunedCount() != th.prunedCount()) {
            throw new IllegalStateException("streamed " + out.prunedCount() + " pruned elements, the cut " + th
                    + " says " + th.prunedCount() + " (data or score function changed?)");
        }
        return out;
    }

    /** Lane masks of a long of four 16-bit elements: bit k of the index keeps element k. */
    private static final long[] LANES = new long[16];

    static {
        for (int m = 0; m < 16; m++) {
            for (int k = 0; k < 4; k++) {
                if ((m >>> k & 1) != 0) {
                    LANES[m] |= 0xffffL << (16 * k);
                }
            }
        }
    }

    private static final long LOW15 = 0x7fff7fff7fff7fffL;
    private static final long TOPS = 0x8000800080008000L;
    /** Moves the bits at 0, 16, 32, 48 to 45, 46, 47, 48 ({@link HalfBits#above}'s gather). */
    private static final long GATHER = 1L | 1L << 15 | 1L << 30 | 1L << 45;

    /** Each thread's scratch for {@link #keepAndMaskRun}: the 4-bit keep pattern of each long, at the long's index. */
    private static final ThreadLocal<long[]> NIBBLES = ThreadLocal.withInitial(() -> new long[0]);

    /**
     * The keep bits of the {@code 64 count} elements in {@code raw[at, at + 16 count)} whose pattern is above
     * {@code hi}, into {@code out[outAt, outAt + count)}, zeroing the others in place. A lane's top bit after adding
     * {@code 0x7fff - hi} says whether it is kept; {@code (tops << 1) - (tops >>> 15)} spreads it over the lane, and
     * a multiply gathers a long's four into a nibble. Two loops: the first, element-wise over the longs, writes
     * each nibble at its long's own index, which the compiler turns into vector instructions; the second only ors
     * the nibbles into words. A billion elements through a 128 KB chunk, one thread, here: 0.32-0.44 ns an
     * element, against 0.79 for one loop computing each word's bits as it masked. (Written into a small block at
     * other indices, the nibbles kept the first loop scalar, and it was no faster than the one loop.)
     */
    static void keepAndMaskRun(long[] raw, int at, int count, int hi, long[] out, int outAt) {
        long add = (0x7fffL - hi) * 0x0001000100010001L;
        int end = at + 16 * count;
        long[] nibbles = NIBBLES.get();
        if (nibbles.length < end) {
            nibbles = new long[Math.max(end, raw.length)];
            NIBBLES.set(nibbles);
        }
        for (int k = at; k < end; k++) {
            long x = raw[k];
            long tops = ((x & LOW15) + add) & TOPS;
            raw[k] = x & ((tops << 1) - (tops >>> 15));
            nibbles[k] = ((tops >>> 15) * GATHER) >>> 45;
        }
        for (int w = 0, k = at; w < count; w++, k += 16) {
            long o = 0;
            for (int j = 0; j < 16; j++) {
                o |= (nibbles[k + j] & 0xf) << (4 * j);
            }
            out[outAt + w] = o;
        }
    }

    /** Ends the scan for a part's last pruned tie. */
    private static final class Found extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Found() {
            super(null, null, false, false);
        }
    }
}
