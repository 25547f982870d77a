package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sparsitybench.prune.SelectionAsserts.assertSameCut;
import static org.sparsitybench.prune.SelectionAsserts.assertSameHistogram;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.DTypeCodec;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.mask.ThresholdMask;
import org.sparsitybench.prune.method.MagnitudeScore;
import org.sparsitybench.prune.select.ExactSelector;
import org.sparsitybench.prune.select.ExactSelector.Candidate;
import org.sparsitybench.prune.select.ScoreHistogram;
import org.sparsitybench.prune.select.Threshold;
import org.sparsitybench.task.CancellationToken;

/**
 * The raw-pattern path for |w| over BF16/FP16 buffers (one pass, no float decode, level 2 from the histogram)
 * against the generic decoding path over the same values: bit-identical histograms, cuts and masks.
 */
class HalfPrecisionFastPathTest {
    private static final CancellationToken NONE = CancellationToken.NONE;

    /** BF16 or FP16 bytes in several little-endian buffers split at odd element boundaries. */
    private static BufferTensorData buffers(DType type, short[] raw, SplittableRandom r) {
        List<ByteBuffer> windows = new ArrayList<>();
        int at = 0;
        while (at < raw.length || windows.isEmpty()) {
            int len = Math.min(raw.length - at, 1 + r.nextInt(Math.max(1, raw.length / 2)));
            ByteBuffer b = ByteBuffer.allocateDirect(2 * len).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < len; i++) {
                b.putShort(2 * i, raw[at + i]);
            }
            windows.add(b);
            at += len;
        }
        return new BufferTensorData(type, raw.length, windows);
    }

    /** The same values behind a plain interface, which the engine can only read as floats. */
    private static TensorData decodingOnly(TensorData data) {
        return new TensorData() {
            @Override
            public DType dtype() {
                return data.dtype();
            }

            @Override
            public long elementCount() {
                return data.elementCount();
            }

            @Override
            public void readFloats(long first, FloatBuffer dst) {
                data.readFloats(first, dst);
            }
        };
    }

    /**
     * Random patterns of one flavour: a few distinct values (ties), all equal, zeros of both signs, NaN and
     * infinities, subnormals, or weights ~N(0, 0.02).
     */
    private static short[] patterns(DType type, String kind, int n, SplittableRandom r) {
        boolean bf16 = type == DType.BFLOAT16;
        int inf = bf16 ? 0x7f80 : 0x7c00;
        int subnormalTop = bf16 ? 0x0080 : 0x0400;
        short[] few = new short[1 + r.nextInt(6)];
        for (int i = 0; i < few.length; i++) {
            few[i] = (short) r.nextInt(1 << 16);
        }
        short[] raw = new short[n];
        for (int i = 0; i < n; i++) {
            int sign = r.nextBoolean() ? 0x8000 : 0;
            int p = switch (kind) {
                case "ties" -> few[r.nextInt(few.length)];
                case "equal" -> few[0];
                case "zeros" -> r.nextInt(4) == 0 ? 0x3c00 : 0; // ±0 with some ones (FP16 1.0; BF16 ~0.0078)
                case "specials" -> switch (r.nextInt(6)) {
                    case 0 -> inf; // ±Inf
                    case 1 -> inf + 1 + r.nextInt(0x7fff - inf); // NaN of any payload and sign
                    case 2 -> 0;
                    default -> r.nextInt(inf);
                };
                case "subnormals" -> r.nextInt(8) == 0 ? r.nextInt(1 << 15) : r.nextInt(subnormalTop);
                default -> bf16 ? DTypeCodec.floatToBf16((float) (r.nextGaussian() * 0.02))
                        : DTypeCodec.floatToHalf((float) (r.nextGaussian() * 0.02));
            };
            raw[i] = (short) (sign | (p & 0x7fff) | (p & 0x8000));
        }
        return raw;
    }

    private static Candidate candidate(TensorData d) {
        return new Candidate(d, MagnitudeScore.INSTANCE, ScoreHistogram.build(d, MagnitudeScore.INSTANCE, NONE), null);
    }

    /** The fast and the generic pool select the same cuts and masks (same SHA-256) for each k, and the reference's. */
    private static void assertPathsAgree(List<TensorData> fast, List<Long> ks, String where) {
        List<Candidate> fastPool = new ArrayList<>();
        List<Candidate> slowPool = new ArrayList<>();
        List<float[]> floats = new ArrayList<>();
        for (TensorData d : fast) {
            Candidate f = candidate(d);
            Candidate s = candidate(decodingOnly(d));
            assertFalse(s.histogram().hasValueCounts(), where);
            assertSameHistogram(s.histogram(), f.histogram(), where);
            fastPool.add(f);
            slowPool.add(s);
            floats.add(d.readAllFloats());
        }
        for (long k : ks) {
            String at = where + ", k " + k;
            List<ExactSelector.Selection> want = ExactSelector.selectAndMaterialise(slowPool, k, NONE);
            List<ExactSelector.Selection> got = ExactSelector.selectAndMaterialise(fastPool, k, NONE);
            List<Threshold> lazyCuts = ExactSelector.select(fastPool, k, NONE);
            List<boolean[]> reference = Reference.global(floats, k);
            for (int t = 0; t < fast.size(); t++) {
                String tensor = at + ", tensor " + t;
                assertSameCut(want.get(t).threshold(), got.get(t).threshold(), tensor);
                assertSameCut(want.get(t).threshold(), lazyCuts.get(t), tensor + " (lazy)");
                assertEquals(want.get(t).mask().sha256(), got.get(t).mask().sha256(), tensor);
                assertEquals(Reference.mask(reference.get(t)), got.get(t).mask(), tensor);
                ThresholdMask lazy = new ThresholdMask(fast.get(t), MagnitudeScore.INSTANCE, lazyCuts.get(t));
                assertEquals(want.get(t).mask().sha256(), lazy.sha256(), tensor + " (materialised later)");
                assertStreamedMaskAgrees(fast.get(t), lazyCuts.get(t), want.get(t).mask().toBitMask(), k, tensor);
            }
        }
    }

    /**
     * Reading the stored bytes of a masked view chunk by chunk, in a shuffled order, masks them as {@code want}
     * does, and leaves the lazy mask holding {@code want}'s bits without a pass of its own (bits streamed from the
     * chunks). Only raw 16-bit data streams; other data goes the usual way and must agree all the same.
     */
    private static void assertStreamedMaskAgrees(TensorData data, Threshold cut, BitMask want, long seed,
                                                 String where) {
        ThresholdMask lazy = new ThresholdMask(data, MagnitudeScore.INSTANCE, cut);
        TensorData view = Masking.masked(data, lazy);
        int n = (int) data.elementCount();
        int size = data.dtype().byteSize();
        if (!data.readStored(0, 0, ByteBuffer.allocate(0))) {
            return; // values held as floats have no stored bytes to stream
        }
        SplittableRandom r = new SplittableRandom(seed * 7 + n);
        List<int[]> chunks = new ArrayList<>();
        for (int at = 0; at < n; ) {
            int len = Math.min(n - at, 64 * (1 + r.nextInt(Math.max(1, Math.min(n, 200_000) / 64))));
            chunks.add(new int[] {at, len});
            at += len;
        }
        java.util.Collections.shuffle(chunks, new java.util.Random(seed));
        ByteBuffer got = ByteBuffer.allocate(n * size).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] c : chunks) {
            // Direct and heap destinations alike.
            ByteBuffer dst = r.nextBoolean() ? ByteBuffer.allocate(c[1] * size) : ByteBuffer.allocateDirect(c[1] * size);
            assertTrue(view.readStored(c[0], c[1], dst), where);
            assertEquals(c[1] * size, dst.position(), where);
            got.put(c[0] * size, dst.flip(), 0, c[1] * size);
        }
        ByteBuffer expected = ByteBuffer.allocate(n * size).order(ByteOrder.LITTLE_ENDIAN);
        assertTrue(data.readStored(0, n, expected));
        for (int i = 0; i < n; i++) {
            if (!want.isKept(i)) {
                for (int b = 0; b < size; b++) {
                    expected.put(i * size + b, (byte) 0);
                }
            }
        }
        assertArrayEquals(expected.array(), got.array(), where + " (streamed bytes)");
        if (isRawHalf(data) && cut.kind() == Threshold.Kind.AT_BITS) {
            assertTrue(lazy.isMaterialised(), where + ": the stream left its bits with the mask");
        }
        assertEquals(want, lazy.toBitMask(), where + " (streamed bits)");
    }

    private static boolean isRawHalf(TensorData data) {
        return data instanceof BufferTensorData b && (b.dtype() == DType.BFLOAT16 || b.dtype() == DType.FLOAT16);
    }

    private static List<Long> ks(long total, SplittableRandom r) {
        return List.of(0L, 1L, total / 2, total - 1, total, (long) r.nextInt((int) total + 1));
    }

    @ParameterizedTest(name = "{0} {1}, {2} elements")
    @CsvSource(textBlock = """
            BFLOAT16, ties,       1000
            BFLOAT16, equal,      777
            BFLOAT16, zeros,      513
            BFLOAT16, specials,   4099
            BFLOAT16, subnormals, 3001
            BFLOAT16, normal,     1
            FLOAT16,  ties,       1000
            FLOAT16,  equal,      777
            FLOAT16,  zeros,      513
            FLOAT16,  specials,   4099
            FLOAT16,  subnormals, 3001
            FLOAT16,  normal,     2
            BFLOAT16, ties,       1100000
            BFLOAT16, normal,     1300001
            FLOAT16,  specials,   1048641
            FLOAT16,  normal,     1200007
            """)
    void rawPatternPathMatchesTheDecodingPath(DType type, String kind, int n) {
        SplittableRandom r = new SplittableRandom(n * 31L + kind.hashCode() + type.ordinal());
        BufferTensorData d = buffers(type, patterns(type, kind, n, r), r);
        assertTrue(candidate(d).histogram().hasValueCounts());
        assertPathsAgree(List.of(d), ks(n, r), type + " " + kind);
    }

    @Test
    void manySmallRandomTensorsAgreeWithTheDecodingPath() {
        SplittableRandom r = new SplittableRandom(5);
        String[] kinds = {"ties", "equal", "zeros", "specials", "subnormals", "normal"};
        for (int c = 0; c < 150; c++) {
            DType type = r.nextBoolean() ? DType.BFLOAT16 : DType.FLOAT16;
            int n = 1 + r.nextInt(c % 4 == 0 ? 10 : 400);
            BufferTensorData d = buffers(type, patterns(type, kinds[c % kinds.length], n, r), r);
            assertPathsAgree(List.of(d), List.of((long) r.nextInt(n + 1)), "case " + c + " " + type);
        }
    }

    @Test
    void globalSelectionOverMixedDtypesAgreesWithTheDecodingPath() {
        SplittableRandom r = new SplittableRandom(17);
        List<TensorData> pool = new ArrayList<>();
        pool.add(buffers(DType.BFLOAT16, patterns(DType.BFLOAT16, "normal", 1_100_000, r), r));
        pool.add(buffers(DType.FLOAT16, patterns(DType.FLOAT16, "normal", 70_000, r), r));
        float[] f32 = new float[50_000];
        for (int i = 0; i < f32.length; i++) {
            // float32 weights equal to BF16 and FP16 values, so the cut's ties span all three dtypes
            f32[i] = i % 3 == 0 ? DTypeCodec.bf16ToFloat(DTypeCodec.floatToBf16((float) (r.nextGaussian() * 0.02)))
                    : i % 3 == 1 ? DTypeCodec.halfToFloat(DTypeCodec.floatToHalf((float) (r.nextGaussian() * 0.02)))
                    : (float) (r.nextGaussian() * 0.02);
        }
        pool.add(TensorData.ofFloats(f32));
        pool.add(buffers(DType.BFLOAT16, patterns(DType.BFLOAT16, "specials", 3000, r), r));
        pool.add(buffers(DType.FLOAT16, patterns(DType.FLOAT16, "ties", 5000, r), r));
        long total = pool.stream().mapToLong(TensorData::elementCount).sum();
        assertPathsAgree(pool, ks(total, r), "mixed pool");
    }

    @Test
    void engineGivesTheSameGlobalMasksOnRawAndDecodedBf16() {
        SplittableRandom r = new SplittableRandom(23);
        List<WeightTensor> raw = new ArrayList<>();
        List<WeightTensor> decoded = new ArrayList<>();
        int[][] shapes = {{1024, 1100}, {300, 200}, {64, 64}};
        for (int i = 0; i < shapes.length; i++) {
            DType type = i == 1 ? DType.FLOAT16 : DType.BFLOAT16;
            int n = shapes[i][0] * shapes[i][1];
            BufferTensorData d = buffers(type, patterns(type, i == 2 ? "ties" : "normal", n, r), r);
            long[] shape = {shapes[i][0], shapes[i][1]};
            raw.add(new WeightTensor("w" + i, "MatMul", "w" + i, shape, type, TensorRole.WEIGHT, true, 0, "test", d));
            decoded.add(new WeightTensor("w" + i, "MatMul", "w" + i, shape, type, TensorRole.WEIGHT, true, 0, "test",
                    decodingOnly(d)));
        }
        PruningConfig config = PruningConfig.of(GlobalSettings.of(0.6, "magnitude", Allocation.GLOBAL));
        PruningResult want = new PruningEngine(Reference.model(decoded.toArray(WeightTensor[]::new)))
                .run(config, org.sparsitybench.task.ProgressListener.NONE, NONE);
        PruningResult got = new PruningEngine(Reference.model(raw.toArray(WeightTensor[]::new)))
                .run(config, org.sparsitybench.task.ProgressListener.NONE, NONE);
        assertEquals(want.pruned(), got.pruned());
        assertTrue(got.targetMet());
        for (Mask m : got.masks().values()) {
            // The cut read no weights after the histograms, and left the masks as rules.
            assertFalse(((ThresholdMask) m).isMaterialised(), m.toString());
        }
        for (String name : want.masks().keySet()) {
            assertEquals(want.masks().get(name).sha256(), got.masks().get(name).sha256(), name);
        }
        assertArrayEquals(want.layers().stream().mapToDouble(LayerResult::energyRetained).toArray(),
                got.layers().stream().mapToDouble(LayerResult::energyRetained).toArray());
    }
}
