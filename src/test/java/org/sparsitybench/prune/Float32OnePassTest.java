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
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
import org.sparsitybench.prune.select.OnePassSelect;
import org.sparsitybench.prune.select.ScoreHistogram;
import org.sparsitybench.prune.select.Threshold;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * The one-pass selection over float32 buffers ({@link OnePassSelect}: histogram, cut's bin and masks from one read,
 * with a sampled window) against the two-pass path over the same values read as plain floats: bit-identical
 * histograms, cuts and masks, whether the window held the cut or the selection fell back to the second pass.
 */
class Float32OnePassTest {
    private static final CancellationToken NONE = CancellationToken.NONE;

    /** Float32 bytes in little-endian buffers: windows start at even elements, or anywhere when {@code odd}. */
    private static BufferTensorData buffers(int[] raw, SplittableRandom r, boolean odd) {
        List<ByteBuffer> windows = new ArrayList<>();
        int at = 0;
        while (at < raw.length || windows.isEmpty()) {
            int len = Math.min(raw.length - at, 1 + r.nextInt(Math.max(1, raw.length / 2)));
            if (!odd && at + len < raw.length) {
                len += len % 2; // an even length, so the next window starts at an even element
            }
            len = Math.min(len, raw.length - at);
            ByteBuffer b = ByteBuffer.allocateDirect(4 * len).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < len; i++) {
                b.putInt(4 * i, raw[at + i]);
            }
            windows.add(b);
            at += len;
        }
        return new BufferTensorData(DType.FLOAT, raw.length, windows);
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
     * Random float32 patterns of one flavour: a few distinct values (ties), all equal, zeros of both signs, NaN
     * of any payload and ±Inf, subnormals, rows of very different scales (a sample far off), or weights ~N(0, 0.02).
     */
    private static int[] patterns(String kind, int n, SplittableRandom r) {
        int[] few = new int[1 + r.nextInt(6)];
        for (int i = 0; i < few.length; i++) {
            few[i] = Float.floatToRawIntBits((float) r.nextGaussian());
        }
        int[] raw = new int[n];
        for (int i = 0; i < n; i++) {
            int sign = r.nextBoolean() ? 0x80000000 : 0;
            int p = switch (kind) {
                case "ties" -> few[r.nextInt(few.length)];
                case "equal" -> few[0];
                case "zeros" -> r.nextInt(4) == 0 ? 0x3f800000 : 0;
                case "specials" -> switch (r.nextInt(6)) {
                    case 0 -> 0x7f800000; // ±Inf
                    case 1 -> 0x7f800001 + r.nextInt(0x7fffffff - 0x7f800000); // NaN, any payload
                    case 2 -> 0;
                    default -> r.nextInt(0x7f800000);
                };
                case "subnormals" -> r.nextInt(8) == 0 ? r.nextInt(0x7f800000) : r.nextInt(0x00800000);
                case "rows" -> Float.floatToRawIntBits((float) (r.nextGaussian() * Math.scalb(1.0, (i >> 12) % 40 - 20)));
                default -> Float.floatToRawIntBits((float) (r.nextGaussian() * 0.02));
            };
            raw[i] = sign | (p & 0x7fffffff);
        }
        return raw;
    }

    /**
     * The one-pass selection and the two-pass one over plain float reads agree for each k (histograms, cuts, mask
     * SHA-256), and with the brute-force reference when {@code reference}. Returns how many k took one pass.
     */
    private static int assertPathsAgree(List<TensorData> pool, List<Long> ks, boolean reference, String where) {
        List<Candidate> slowPool = new ArrayList<>();
        List<float[]> floats = new ArrayList<>();
        for (TensorData d : pool) {
            TensorData plain = decodingOnly(d);
            slowPool.add(new Candidate(plain, MagnitudeScore.INSTANCE,
                    ScoreHistogram.build(plain, MagnitudeScore.INSTANCE, NONE), null));
            if (reference) {
                floats.add(d.readAllFloats());
            }
        }
        List<ScoreFunction> scores = Collections.nCopies(pool.size(), MagnitudeScore.INSTANCE);
        List<ScoreHistogram> unknown = Arrays.asList(new ScoreHistogram[pool.size()]);
        int onePass = 0;
        for (long k : ks) {
            String at = where + ", k " + k;
            List<ExactSelector.Selection> want = ExactSelector.selectMaterialisingWhereRead(slowPool, k, NONE);
            OnePassSelect.Result got = OnePassSelect.select(pool, scores, unknown, k, NONE);
            onePass += got.onePass() ? 1 : 0;
            List<boolean[]> ref = reference ? Reference.global(floats, k) : null;
            for (int t = 0; t < pool.size(); t++) {
                String tensor = at + ", tensor " + t;
                assertSameHistogram(slowPool.get(t).histogram(), got.histograms().get(t), tensor);
                Threshold cut = got.selections().get(t).threshold();
                assertSameCut(want.get(t).threshold(), cut, tensor);
                BitMask mask = got.selections().get(t).mask();
                if (mask == null) { // BF16/FP16: the cut read nothing and left the mask as a rule
                    assertTrue(got.histograms().get(t).hasValueCounts(), tensor);
                    mask = new ThresholdMask(pool.get(t), MagnitudeScore.INSTANCE, cut).toBitMask();
                }
                assertEquals(want.get(t).mask().sha256(), mask.sha256(), tensor);
                assertEquals(k, got.selections().stream().mapToLong(s -> s.threshold().prunedCount()).sum(), at);
                if (ref != null) {
                    assertEquals(Reference.mask(ref.get(t)), mask, tensor + " (reference)");
                }
            }
        }
        return onePass;
    }

    private static List<Long> ks(long total, SplittableRandom r) {
        return List.of(0L, 1L, total / 10, total / 2, total - 1, total, 1 + r.nextLong(total - 1));
    }

    @ParameterizedTest(name = "{0}, {1} elements, odd windows {2}")
    @CsvSource(textBlock = """
            normal,     1048576, false
            normal,     1048613, false
            ties,       1048641, false
            equal,      1048577, false
            zeros,      1048703, false
            specials,   1100001, false
            subnormals, 1048639, false
            rows,       1048576, false
            normal,     1048613, true
            equal,      4194307, false
            """)
    void onePassMatchesTheTwoPassPath(String kind, int n, boolean odd) {
        SplittableRandom r = new SplittableRandom(n * 31L + kind.hashCode());
        BufferTensorData d = buffers(patterns(kind, n, r), r, odd);
        int onePass = assertPathsAgree(List.of(d), ks(n, r), kind.equals("normal") && !odd, kind);
        if (kind.equals("normal") && !odd) {
            assertTrue(onePass >= 4, "the sampled window should hold most cuts of N(0, 0.02) weights: " + onePass);
        }
        if (odd || n > 4 * (1 << 20)) {
            // Odd windows are not read as longs; over a million equal weights per part overflow the window.
            assertEquals(0, onePass, "no one pass here");
        }
    }

    @Test
    void globalPoolMixingFloat32WithBf16AndFp16Agrees() {
        SplittableRandom r = new SplittableRandom(41);
        List<TensorData> pool = new ArrayList<>();
        pool.add(buffers(patterns("normal", 1_100_000, r), r, false));
        short[] bf16 = new short[1_050_000];
        for (int i = 0; i < bf16.length; i++) {
            bf16[i] = (short) DTypeCodec.floatToBf16((float) (r.nextGaussian() * 0.02));
        }
        ByteBuffer b = ByteBuffer.allocateDirect(2 * bf16.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(bf16);
        pool.add(new BufferTensorData(DType.BFLOAT16, bf16.length, List.of(b)));
        short[] fp16 = new short[70_001];
        for (int i = 0; i < fp16.length; i++) {
            fp16[i] = (short) DTypeCodec.floatToHalf((float) (r.nextGaussian() * 0.02));
        }
        ByteBuffer h = ByteBuffer.allocateDirect(2 * fp16.length).order(ByteOrder.LITTLE_ENDIAN);
        h.asShortBuffer().put(fp16);
        pool.add(new BufferTensorData(DType.FLOAT16, fp16.length, List.of(h)));
        // float32 weights equal to BF16 values, so the cut's ties span dtypes
        int[] f32 = patterns("normal", 1_048_640, r);
        for (int i = 0; i < f32.length; i += 3) {
            f32[i] = Float.floatToRawIntBits(DTypeCodec.bf16ToFloat(bf16[i % bf16.length]));
        }
        pool.add(buffers(f32, r, false));
        float[] small = new float[5_000];
        for (int i = 0; i < small.length; i++) {
            small[i] = (float) (r.nextGaussian() * 0.02);
        }
        pool.add(TensorData.ofFloats(small));
        pool.add(buffers(patterns("specials", 1_048_600, r), r, false));
        long total = pool.stream().mapToLong(TensorData::elementCount).sum();
        int onePass = assertPathsAgree(pool, ks(total, r), false, "mixed pool");
        assertTrue(onePass > 0, "some cut of the mixed pool should take one pass");
    }

    @Test
    void engineGivesTheSameGlobalMasksAsThePlainReads() {
        SplittableRandom r = new SplittableRandom(29);
        List<WeightTensor> fast = new ArrayList<>();
        List<WeightTensor> plain = new ArrayList<>();
        int[][] shapes = {{1024, 1100}, {1024, 1024}, {300, 200}};
        for (int i = 0; i < shapes.length; i++) {
            int n = shapes[i][0] * shapes[i][1];
            BufferTensorData d = buffers(patterns(i == 2 ? "ties" : "normal", n, r), r, false);
            long[] shape = {shapes[i][0], shapes[i][1]};
            fast.add(new WeightTensor("w" + i, "MatMul", "w" + i, shape, DType.FLOAT, TensorRole.WEIGHT, true, 0,
                    "test", d));
            plain.add(new WeightTensor("w" + i, "MatMul", "w" + i, shape, DType.FLOAT, TensorRole.WEIGHT, true, 0,
                    "test", decodingOnly(d)));
        }
        PruningConfig config = PruningConfig.of(GlobalSettings.of(0.55, "magnitude", Allocation.GLOBAL));
        PruningResult want = new PruningEngine(Reference.model(plain.toArray(WeightTensor[]::new)))
                .run(config, ProgressListener.NONE, NONE);
        PruningEngine engine = new PruningEngine(Reference.model(fast.toArray(WeightTensor[]::new)));
        PruningResult got = engine.run(config, ProgressListener.NONE, NONE);
        assertEquals(want.pruned(), got.pruned());
        assertTrue(got.targetMet());
        for (String name : want.masks().keySet()) {
            Mask m = got.masks().get(name);
            assertTrue(((ThresholdMask) m).isMaterialised(), name + ": the one pass materialised it");
            assertEquals(want.masks().get(name).sha256(), m.sha256(), name);
        }
        assertArrayEquals(want.layers().stream().mapToDouble(LayerResult::energyRetained).toArray(),
                got.layers().stream().mapToDouble(LayerResult::energyRetained).toArray());
        // A second run reuses the cached histograms (two-pass path over the cut's bin): the same masks.
        PruningResult again = engine.run(config.withTarget(0.55), ProgressListener.NONE, NONE);
        for (String name : want.masks().keySet()) {
            assertEquals(want.masks().get(name).sha256(), again.masks().get(name).sha256(), name + " (cached)");
        }
        assertFalse(engine.cache().memoryBytes() == 0, "histograms cached");
    }
}
