package org.sparsitybench.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.builder;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.f32;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.shape;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.u16;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.safetensors.SafeTensorsReader;
import org.sparsitybench.formats.safetensors.SafeTensorsWriter;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.Masking;
import org.sparsitybench.prune.stats.ChannelCounts;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Masked weights written as their stored bytes (no decode and encode per element) give the same file as the
 * float path did, and the export's tally counts them as it did the floats.
 */
class StoredBytesExportTest {
    @TempDir
    Path dir;

    /** F32, F16 and BF16 weights with zeros of both signs, subnormals, extremes and random values. */
    private Path model() throws Exception {
        SplittableRandom rnd = new SplittableRandom(19);
        float[] f = new float[37 * 29];
        int[] h = new int[13 * 70];
        int[] b = new int[70 * 13];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) rnd.nextGaussian();
        }
        f[0] = -0f;
        f[1] = 0f;
        f[2] = Float.MIN_VALUE;
        f[3] = -Float.MAX_VALUE;
        for (int i = 0; i < h.length; i++) {
            h[i] = rnd.nextInt(0x7c00) | (rnd.nextBoolean() ? 0x8000 : 0); // finite halves of either sign
            b[i] = rnd.nextInt(0x7f80) | (rnd.nextBoolean() ? 0x8000 : 0); // finite bfloat16s
        }
        h[0] = 0x8000;
        b[0] = 0x0001;
        b[1] = 0x8000;
        return builder().tensor("f32.weight", "F32", shape(37, 29), f32(f))
                .tensor("f16.weight", "F16", shape(13, 70), u16(h))
                .tensor("bf16.weight", "BF16", shape(70, 13), u16(b))
                .write(dir.resolve("in.safetensors"));
    }

    private static BitMask randomMask(long size, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        boolean[] kept = new boolean[(int) size];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = rnd.nextDouble() < 0.4;
        }
        return BitMask.ofKept(kept);
    }

    /**
     * A pass-through view counting its float reads; with {@code stored} false it cannot hand out stored bytes, so a
     * writer takes the float path as before.
     */
    private record Counted(TensorData data, AtomicLong reads, boolean stored) implements TensorData {
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
            reads.incrementAndGet();
            data.readFloats(first, dst);
        }

        @Override
        public boolean readStored(long first, int count, java.nio.ByteBuffer dst) {
            return stored && data.readStored(first, count, dst);
        }
    }

    @Test
    void maskedWeightsWrittenAsStoredBytesMatchTheFloatPathByteForByte() throws Exception {
        // Small windows: the stored bytes of a chunk come from several mapped windows.
        Model m = new SafeTensorsReader(256).read(model());
        Map<String, TensorUpdate> viaBytes = new LinkedHashMap<>();
        Map<String, TensorUpdate> viaFloats = new LinkedHashMap<>();
        AtomicLong bytePathFloatReads = new AtomicLong();
        AtomicLong floatReads = new AtomicLong();
        long seed = 1;
        for (WeightTensor t : m.tensors()) {
            TensorData masked = Masking.masked(t.data(), randomMask(t.elementCount(), seed++));
            viaBytes.put(t.name(), new TensorUpdate(t.shape(), new Counted(masked, bytePathFloatReads, true)));
            viaFloats.put(t.name(), new TensorUpdate(t.shape(), new Counted(masked, floatReads, false)));
        }
        Path a = dir.resolve("bytes.safetensors");
        Path b = dir.resolve("floats.safetensors");
        new SafeTensorsWriter().write(m, viaBytes, Map.of("k", "v"), a, ProgressListener.NONE, CancellationToken.NONE);
        new SafeTensorsWriter().write(m, viaFloats, Map.of("k", "v"), b, ProgressListener.NONE, CancellationToken.NONE);
        assertEquals(0, bytePathFloatReads.get(), "the masked views were written as bytes");
        assertTrue(floatReads.get() > 0);
        assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(a));
    }

    @Test
    void theTallyCountsStoredBytesAsItCountedFloats() throws Exception {
        Model m = new SafeTensorsReader(256).read(model());
        long seed = 7;
        for (WeightTensor t : m.tensors()) {
            BitMask mask = randomMask(t.elementCount(), seed++);
            TensorData masked = Masking.masked(t.data(), mask);
            long[] shape = t.shape();
            ExportTally.Channels channels = new ExportTally.Channels(shape[1], (int) shape[0]);
            ExportTally tally = new ExportTally();
            TensorData view = tally.observe(Map.of(t.name(), masked), Map.of(t.name(), channels)).get(t.name());
            Path out = dir.resolve(t.name() + ".safetensors");
            new SafeTensorsWriter().write(m, Map.of(t.name(), new TensorUpdate(shape, view)), Map.of(), out,
                    ProgressListener.NONE, CancellationToken.NONE);
            assertTrue(tally.counted(t.name()), t.name());
            assertEquals(org.sparsitybench.model.TensorStats.of(masked).zeros(), tally.zeros(t.name(), masked), t.name());
            assertArrayEquals(ChannelCounts.kept(t, mask), tally.nonZerosPerChannel(t.name()), t.name());
        }
    }

    @Test
    void theTallyCountsEachChannelOfFloatsReadInChunksThatCrossChannels() {
        float[] v = {0, 1, 2, -0f, 0, 3, 4, 5, 0, 0, 6, 0};
        ExportTally tally = new ExportTally();
        TensorData view = tally.observe(Map.of("w", TensorData.ofFloats(v.clone())),
                Map.of("w", new ExportTally.Channels(2, 3))).get("w");
        float[] chunk = new float[5];
        for (int at = 0; at < v.length; at += 5) {
            view.readFloats(at, FloatBuffer.wrap(chunk, 0, Math.min(5, v.length - at)));
        }
        // Element e is in channel (e / 2) % 3: channel 0 holds e = 0,1,6,7; 1 holds 2,3,8,9; 2 holds 4,5,10,11.
        assertArrayEquals(new long[] {3, 1, 2}, tally.nonZerosPerChannel("w"));
        assertEquals(6, tally.zeros("w", TensorData.ofFloats(v)));
        assertFalse(new ExportTally().counted("w"));
    }
}
