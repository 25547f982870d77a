package org.sparsitybench.prune;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A materialised {@link Mask}: one bit per element in {@code long} words, 1 = kept; element {@code i} is bit
 * {@code i % 64} of word {@code i / 64}, and bits past {@link #size()} are zero. Immutable.
 */
public final class BitMask implements Mask {
    /** Largest mask: words in one array. */
    public static final long MAX_SIZE = (Integer.MAX_VALUE - 8L) * 64;

    private final long size;
    private final long[] words;
    private final long pruned;

    private BitMask(long size, long[] words) {
        this.size = size;
        this.words = words;
        long kept = 0;
        for (long w : words) {
            kept += Long.bitCount(w);
        }
        this.pruned = size - kept;
    }

    /** Number of words a mask of {@code size} elements needs. */
    public static int wordCount(long size) {
        if (size < 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("mask size " + size + " outside [0, " + MAX_SIZE + "]");
        }
        return (int) ((size + 63) >>> 6);
    }

    /**
     * A mask over the caller's words, which it hands over: not copied, and not to be modified afterwards.
     *
     * @throws IllegalArgumentException if the length does not fit {@code size} or bits past it are set
     */
    public static BitMask adopt(long size, long[] words) {
        if (words.length != wordCount(size)) {
            throw new IllegalArgumentException(words.length + " words for a mask of " + size + " needs "
                    + wordCount(size));
        }
        int tail = (int) (size & 63);
        if (tail != 0 && (words[words.length - 1] >>> tail) != 0) {
            throw new IllegalArgumentException("bits set past element " + size);
        }
        return new BitMask(size, words);
    }

    /** Every element kept. */
    public static BitMask allKept(long size) {
        long[] w = new long[wordCount(size)];
        Arrays.fill(w, -1L);
        int tail = (int) (size & 63);
        if (tail != 0) {
            w[w.length - 1] = (1L << tail) - 1;
        }
        return new BitMask(size, w);
    }

    /** Every element pruned. */
    public static BitMask allPruned(long size) {
        return new BitMask(size, new long[wordCount(size)]);
    }

    /** A mask keeping exactly the elements {@code kept[i] == true} (not modified). */
    public static BitMask ofKept(boolean[] kept) {
        long[] w = new long[wordCount(kept.length)];
        for (int i = 0; i < kept.length; i++) {
            if (kept[i]) {
                w[i >>> 6] |= 1L << i;
            }
        }
        return new BitMask(kept.length, w);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean isKept(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("element " + index + " of " + size);
        }
        return (words[(int) (index >>> 6)] & (1L << index)) != 0;
    }

    @Override
    public long prunedCount() {
        return pruned;
    }

    @Override
    public BitMask toBitMask() {
        return this;
    }

    /** Number of words. */
    public int wordCount() {
        return words.length;
    }

    /** Word {@code i}: elements {@code [64 i, 64 i + 64)}, bit set = kept. */
    public long word(int i) {
        return words[i];
    }

    /** Elements kept among {@code [first, first + count)}: a count of bits, a word at a time. */
    public long keptIn(long first, long count) {
        if (first < 0 || count < 0 || first + count > size) {
            throw new IndexOutOfBoundsException("elements [" + first + ", " + (first + count) + ") of " + size);
        }
        return keptIn(words, first, count);
    }

    /**
     * Set bits among elements {@code [first, first + count)} of {@code words} (not modified; element {@code i} is
     * bit {@code i % 64} of word {@code i / 64}); the range must lie within the words.
     */
    public static long keptIn(long[] words, long first, long count) {
        if (count == 0) {
            return 0;
        }
        long end = first + count;
        int w0 = (int) (first >>> 6);
        int w1 = (int) ((end - 1) >>> 6);
        long lowMask = -1L << first; // bits at and above first's, within its word
        long highMask = -1L >>> (63 - (int) ((end - 1) & 63)); // bits up to end - 1's
        if (w0 == w1) {
            return Long.bitCount(words[w0] & lowMask & highMask);
        }
        long kept = Long.bitCount(words[w0] & lowMask) + Long.bitCount(words[w1] & highMask);
        for (int w = w0 + 1; w < w1; w++) {
            kept += Long.bitCount(words[w]);
        }
        return kept;
    }

    /** The words (a copy). */
    public long[] words() {
        return words.clone();
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        long bytes = (size + 7) >>> 3;
        // Whole runs of words at a time, by bulk copies into little-endian bytes: a put per word kept SHA-256 of a
        // billion bits (sha256) waiting on this loop until the optimising compiler got to it.
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        java.nio.LongBuffer longs = buf.asLongBuffer();
        int perRun = longs.capacity();
        long left = bytes;
        for (int at = 0; at < words.length; at += perRun) {
            int n = Math.min(perRun, words.length - at);
            longs.put(0, words, at, n);
            // The words hold up to 7 bytes more than the layout; the last run drops them.
            int len = (int) Math.min(left, 8L * n);
            out.write(buf.array(), 0, len);
            left -= len;
        }
    }

    @Override
    public String sha256() {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
        try {
            writeTo(new OutputStream() {
                @Override
                public void write(int b) {
                    digest.update((byte) b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    digest.update(b, off, len);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BitMask m && m.size == size && Arrays.equals(m.words, words);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(size) * 31 + Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return "BitMask[" + size + " elements, " + pruned + " pruned]";
    }
}
