package org.sparsitybench.prune.select;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.DTypeCodec;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.ScoreFunction;
import org.sparsitybench.prune.SelectionAsserts;
import org.sparsitybench.prune.method.MagnitudeScore;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.CancelledException;

/**
 * The counting kernel of the raw BF16/FP16 path ({@link HalfBits#countPatterns}) against a plain count, over
 * windows that start at odd byte addresses and ranges that cross windows and spans; and
 * {@link ScoreHistogram#buildAll} against {@link ScoreHistogram#build}, tensor by tensor.
 */
class PatternCountTest {
    private static final CancellationToken NONE = CancellationToken.NONE;

    /**
     * The patterns in windows of random lengths; some windows are slices of a larger direct buffer starting at an
     * odd byte address, some are heap buffers, all little-endian.
     */
    private static BufferTensorData windows(DType type, short[] raw, SplittableRandom r) {
        List<ByteBuffer> out = new ArrayList<>();
        int at = 0;
        while (at < raw.length || out.isEmpty()) {
            int len = Math.min(raw.length - at, 1 + r.nextInt(Math.max(1, raw.length / 3)));
            int skew = r.nextInt(3); // 1: the window's first byte sits at an odd address
            ByteBuffer whole = skew == 2 ? ByteBuffer.allocate(2 * len + 1)
                    : ByteBuffer.allocateDirect(2 * len + 1);
            ByteBuffer b = whole.position(skew == 1 ? 1 : 0).limit((skew == 1 ? 1 : 0) + 2 * len).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < len; i++) {
                b.putShort(2 * i, raw[at + i]);
            }
            out.add(b);
            at += len;
        }
        return new BufferTensorData(type, raw.length, out);
    }

    private static short[] gaussian(DType type, int n, SplittableRandom r) {
        short[] raw = new short[n];
        for (int i = 0; i < n; i++) {
            float w = (float) (r.nextGaussian() * 0.02);
            // every tenth element any pattern at all: NaN payloads, infinities, subnormals, both signs
            raw[i] = (short) (i % 10 == 9 ? r.nextInt(1 << 16)
                    : type == DType.BFLOAT16 ? DTypeCodec.floatToBf16(w) : DTypeCodec.floatToHalf(w));
        }
        return raw;
    }

    private static int[] plainCount(short[] raw, int from, int to) {
        int[] c = new int[HalfBits.PATTERNS];
        for (int i = from; i < to; i++) {
            c[raw[i] & 0x7fff]++;
        }
        return c;
    }

    @Test
    void countsEveryRangeLikeAPlainLoop() {
        SplittableRandom r = new SplittableRandom(41);
        // Longer than one counting span, so that ranges cross the span boundary as well as windows.
        int n = HalfBits.COUNT_SPAN + 5_000;
        short[] raw = gaussian(DType.BFLOAT16, n, r);
        HalfBits bits = HalfBits.of(windows(DType.BFLOAT16, raw, r));
        assertNotNull(bits);
        int[][] ranges = {{0, n}, {3, n - 1}, {1, 2}, {5, 5}, {n - 17, n}, {HalfBits.COUNT_SPAN - 9, n - 3},
            {7, 7 + 4095}, {11, 11 + 8193}};
        for (int[] range : ranges) {
            int[] got = new int[HalfBits.PATTERNS];
            bits.countPatterns(range[0], range[1], got, NONE);
            assertArrayEquals(plainCount(raw, range[0], range[1]), got, range[0] + ".." + range[1]);
        }
        for (int c = 0; c < 40; c++) {
            int from = r.nextInt(n);
            int to = from + r.nextInt(Math.min(n - from, 70_000) + 1);
            int[] got = new int[HalfBits.PATTERNS];
            got[0x1234] = 5; // counts are added to what the array holds
            bits.countPatterns(from, to, got, NONE);
            int[] want = plainCount(raw, from, to);
            want[0x1234] += 5;
            assertArrayEquals(want, got, from + ".." + to);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> bits.countPatterns(2, n + 1, new int[HalfBits.PATTERNS],
                NONE));
    }

    @Test
    void buildAllGivesEachTensorTheHistogramBuildGives() {
        SplittableRandom r = new SplittableRandom(43);
        List<TensorData> data = new ArrayList<>();
        data.add(windows(DType.BFLOAT16, gaussian(DType.BFLOAT16, 1_300_001, r), r));
        data.add(windows(DType.FLOAT16, gaussian(DType.FLOAT16, 5_003, r), r));
        float[] f32 = new float[70_000];
        for (int i = 0; i < f32.length; i++) {
            f32[i] = (float) (r.nextGaussian() * 0.02);
        }
        data.add(TensorData.ofFloats(f32)); // not raw patterns: built on its own
        data.add(windows(DType.BFLOAT16, gaussian(DType.BFLOAT16, 1, r), r));
        data.add(windows(DType.BFLOAT16, new short[0], r)); // an empty tensor
        data.add(windows(DType.FLOAT16, gaussian(DType.FLOAT16, 1_048_641, r), r));
        TensorData[] d = data.toArray(TensorData[]::new);
        ScoreFunction[] s = new ScoreFunction[d.length];
        java.util.Arrays.fill(s, MagnitudeScore.INSTANCE);
        AtomicIntegerArray done = new AtomicIntegerArray(d.length);
        ScoreHistogram[] all = ScoreHistogram.buildAll(d, s, done::incrementAndGet, NONE);
        for (int i = 0; i < d.length; i++) {
            assertEquals(1, done.get(i), "tensor " + i + " reported once");
            ScoreHistogram one = ScoreHistogram.build(d[i], s[i], NONE);
            SelectionAsserts.assertSameHistogram(one, all[i], "tensor " + i);
            assertEquals(one.hasValueCounts(), all[i].hasValueCounts(), "tensor " + i);
        }
        assertEquals(0, ScoreHistogram.buildAll(new TensorData[0], new ScoreFunction[0], null, NONE).length);
    }

    @Test
    void buildAllStopsWhenCancelled() {
        SplittableRandom r = new SplittableRandom(47);
        TensorData[] d = {windows(DType.BFLOAT16, gaussian(DType.BFLOAT16, 2_000_000, r), r)};
        ScoreFunction[] s = {MagnitudeScore.INSTANCE};
        CancellationToken.Source source = CancellationToken.newSource();
        source.cancel();
        ScoreHistogram[][] out = {null};
        assertThrows(CancelledException.class, () -> out[0] = ScoreHistogram.buildAll(d, s, null, source));
        assertNull(out[0]);
    }
}
