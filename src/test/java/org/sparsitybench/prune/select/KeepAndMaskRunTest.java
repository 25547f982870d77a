package org.sparsitybench.prune.select;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamedBits#keepAndMaskRun}, the export's masking kernel, against the rule element by element: a 16-bit
 * lane is kept when its pattern (sign cleared) is above {@code hi}, zeroed otherwise, and bit {@code e % 64} of word
 * {@code e / 64} says which. Runs shorter and longer than one block, at offsets, at every kind of cut.
 */
class KeepAndMaskRunTest {
    @Test
    void runsMaskAndGatherBitsExactlyAsTheRuleSaysElementByElement() {
        Random rnd = new Random(7);
        int[] cuts = {-1, 0, 1, 0x3c00, 0x7f7f, 0x7f80, 0x7ffe, 0x7fff};
        int[] counts = {1, 15, 16, 17, 40};
        for (int hi : cuts) {
            for (int count : counts) {
                int at = 3 + rnd.nextInt(5);
                int outAt = rnd.nextInt(4);
                long[] raw = new long[at + 16 * count + 2];
                for (int i = 0; i < raw.length; i++) {
                    raw[i] = rnd.nextInt(4) == 0 ? repeated(hi, rnd) : rnd.nextLong();
                }
                long[] expectedRaw = raw.clone();
                long[] expectedWords = new long[outAt + count + 1];
                for (int e = 0; e < 64 * count; e++) {
                    int q = at + e / 4;
                    int shift = 16 * (e % 4);
                    int pattern = (int) (raw[q] >>> shift) & 0x7fff;
                    if (pattern > hi) {
                        expectedWords[outAt + e / 64] |= 1L << (e % 64);
                    } else {
                        expectedRaw[q] &= ~(0xffffL << shift);
                    }
                }
                long[] words = new long[expectedWords.length];
                StreamedBits.keepAndMaskRun(raw, at, count, hi, words, outAt);
                assertArrayEquals(expectedRaw, raw, "values, cut " + hi + ", " + count + " words");
                assertArrayEquals(expectedWords, words, "bits, cut " + hi + ", " + count + " words");
            }
        }
    }

    /** A long whose lanes sit at the cut, just below and just above it, with either sign. */
    private static long repeated(int hi, Random rnd) {
        long x = 0;
        for (int k = 0; k < 4; k++) {
            int p = Math.max(0, Math.min(0x7fff, hi + rnd.nextInt(3) - 1)) | (rnd.nextBoolean() ? 0x8000 : 0);
            x |= (long) p << (16 * k);
        }
        return x;
    }
}
