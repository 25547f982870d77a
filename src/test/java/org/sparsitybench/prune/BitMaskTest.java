package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.mask.ConstantMask;

class BitMaskTest {
    @Test
    void canonicalLayoutIsLittleEndianPackedBits() throws IOException {
        // kept: 1 0 1 1 0 0 0 0 | 1  -> 0b00001101, 0b00000001 (numpy packbits bitorder='little')
        BitMask m = BitMask.ofKept(new boolean[] {true, false, true, true, false, false, false, false, true});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        assertArrayEquals(new byte[] {0x0d, 0x01}, out.toByteArray());
    }

    @Test
    void sha256IsTheDigestOfTheCanonicalBytes() throws Exception {
        boolean[] kept = new boolean[130];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = i % 3 != 0;
        }
        byte[] bytes = new byte[17];
        for (int i = 0; i < kept.length; i++) {
            if (kept[i]) {
                bytes[i / 8] |= (byte) (1 << (i % 8));
            }
        }
        String want = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertEquals(want, BitMask.ofKept(kept).sha256());
    }

    @Test
    void canonicalBytesSpanSeveralRunsAndEndMidWord() throws Exception {
        // More than two runs of 8,192 words, ending 35 bits into a word (and 3 into a byte).
        boolean[] kept = new boolean[64 * 8192 * 2 + 64 * 5 + 35];
        java.util.Random r = new java.util.Random(7);
        byte[] want = new byte[(kept.length + 7) / 8];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = r.nextBoolean();
            if (kept[i]) {
                want[i / 8] |= (byte) (1 << (i % 8));
            }
        }
        BitMask m = BitMask.ofKept(kept);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        assertArrayEquals(want, out.toByteArray());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(want)), m.sha256());
    }

    @ParameterizedTest(name = "size {0}")
    @CsvSource(textBlock = """
            0
            1
            63
            64
            65
            1000
            """)
    void allKeptAndAllPrunedCountTheirSize(long size) {
        assertEquals(0, BitMask.allKept(size).prunedCount());
        assertEquals(size, BitMask.allPruned(size).prunedCount());
        assertEquals(BitMask.allKept(size).sha256(), ConstantMask.allKept(size).sha256());
    }

    @Test
    void bitsPastTheSizeAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BitMask.adopt(3, new long[] {0b1000}));
        assertTrue(e.getMessage().contains("3"), e.getMessage());
    }

    @Test
    void pruningCopiesAndLeavesTheWeightsAlone() {
        float[] w = {1, -2, Float.NaN, 4, 5};
        TensorData data = TensorData.ofFloats(w);
        BitMask m = BitMask.ofKept(new boolean[] {true, false, false, true, false});
        float[] out = Masking.apply(data, m);
        assertArrayEquals(new float[] {1, 0, 0, 4, 0}, out);
        assertArrayEquals(new float[] {1, -2, Float.NaN, 4, 5}, w);
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(out[1]), "pruned weights are +0");
    }

    @Test
    void chunkedPruningWritesTheRequestedWindow() {
        float[] w = Reference.normal(200_000, 1, 1);
        boolean[] kept = new boolean[w.length];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = Math.abs(w[i]) > 0.5;
        }
        BitMask m = BitMask.ofKept(kept);
        float[] all = Masking.apply(TensorData.ofFloats(w), m);
        FloatBuffer window = FloatBuffer.allocate(150_000);
        Masking.apply(TensorData.ofFloats(w), m, 33_333, window);
        assertEquals(150_000, window.position());
        for (int i = 0; i < 150_000; i++) {
            assertEquals(all[33_333 + i], window.get(i));
        }
    }

    @Test
    void energyCountsFiniteWeightsOnly() {
        float[] w = {3, 4, Float.POSITIVE_INFINITY, Float.NaN};
        BitMask m = BitMask.ofKept(new boolean[] {false, true, true, true});
        Masking.Energy e = Masking.energy(TensorData.ofFloats(w), m, org.sparsitybench.task.CancellationToken.NONE);
        assertEquals(16.0, e.kept());
        assertEquals(25.0, e.total());
        assertEquals(0.64, e.retained(), 1e-15);
    }

    @Test
    void keptInCountsTheKeptBitsOfAnyRange() {
        boolean[] kept = new boolean[333];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = (i * 7919) % 5 < 3;
        }
        BitMask m = BitMask.ofKept(kept);
        for (int first = 0; first <= kept.length; first += 13) {
            for (int count = 0; first + count <= kept.length; count += 29) {
                long want = 0;
                for (int i = first; i < first + count; i++) {
                    want += kept[i] ? 1 : 0;
                }
                assertEquals(want, m.keptIn(first, count), first + " + " + count);
            }
        }
        assertEquals(m.keptCount(), m.keptIn(0, kept.length));
        assertThrows(IndexOutOfBoundsException.class, () -> m.keptIn(300, 34));
    }
}
