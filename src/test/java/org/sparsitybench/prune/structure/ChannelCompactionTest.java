package org.sparsitybench.prune.structure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrFloat;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrInt;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrInts;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;
import org.sparsitybench.formats.onnx.OnnxReader;
import org.sparsitybench.formats.onnx.OnnxWriter;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Ort;

/**
 * Structured compaction on the graph shapes the engine promises to rewrite: the compacted model must compute
 * what the masked model computes (removed channels zeroed with their biases and BatchNorm entries), in ONNX
 * Runtime, on random inputs.
 */
class ChannelCompactionTest {
    @TempDir
    Path dir;

    private final Random random = new Random(42);

    private float[] randn(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian() * 0.5f;
        }
        return v;
    }

    private float[] positive(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.5f + random.nextFloat();
        }
        return v;
    }

    private OnnxModelBuilder conv(OnnxModelBuilder b, String in, String out, String w, int o, int i, int k, int group) {
        b.initializer(w, randn(o * i * k * k), o, i, k, k).initializer(w + "_b", randn(o), o);
        b.node("Conv", new String[] {in, w, w + "_b"}, new String[] {out}, attrInts("kernel_shape", k, k),
                attrInts("pads", k / 2, k / 2, k / 2, k / 2), attrInt("group", group));
        return b;
    }

    private OnnxModelBuilder bn(OnnxModelBuilder b, String in, String out, String p, int c) {
        b.initializer(p + "_s", positive(c), c).initializer(p + "_b", randn(c), c)
                .initializer(p + "_m", randn(c), c).initializer(p + "_v", positive(c), c);
        b.node("BatchNormalization", new String[] {in, p + "_s", p + "_b", p + "_m", p + "_v"}, new String[] {out},
                attrFloat("epsilon", 1e-5f));
        return b;
    }

    private OnnxModelBuilder gemm(OnnxModelBuilder b, String in, String out, String w, int o, int i) {
        b.initializer(w, randn(o * i), o, i).initializer(w + "_b", randn(o), o);
        b.node("Gemm", new String[] {in, w, w + "_b"}, new String[] {out}, attrInt("transB", 1));
        return b;
    }

    private boolean[] keepEvery(int n, int... drop) {
        boolean[] k = new boolean[n];
        java.util.Arrays.fill(k, true);
        for (int d : drop) {
            k[d] = false;
        }
        return k;
    }

    /** Masks and compacts, writes both, and checks ONNX Runtime agrees; returns the compacted model. */
    private Model compactAndCompare(Path file, Map<String, boolean[]> keepBySource, long... inputShape) throws Exception {
        Model m = new OnnxReader().read(file);
        ChannelStructure s = ChannelStructure.analyze(m);
        Map<Integer, boolean[]> keep = new HashMap<>();
        keepBySource.forEach((src, k) -> keep.put(s.groupOf(src).orElseThrow(() -> new AssertionError("no group for " + src)).id(), k));

        Map<String, TensorUpdate> masked = new HashMap<>();
        ChannelCompactor.zeroRemovedChannels(m, s, keep, Map.of()).forEach((name, v) ->
                masked.put(name, new TensorUpdate(m.tensor(name).orElseThrow().shape(), v)));
        Path maskedFile = dir.resolve("masked.onnx");
        new OnnxWriter().write(m, masked, Map.of(), maskedFile);

        ChannelCompactor.Compaction c = ChannelCompactor.compact(m, s, keep, Map.of());
        Map<String, TensorUpdate> sliced = new HashMap<>();
        c.tensors().forEach((name, t) -> sliced.put(name, new TensorUpdate(t.shape(), TensorData.ofFloats(t.values()))));
        Path compactFile = dir.resolve("compact.onnx");
        new OnnxWriter().write(m, sliced, c.attributes(), Map.of(), compactFile);

        int n = 1;
        for (long d : inputShape) {
            n *= (int) d;
        }
        for (int trial = 0; trial < 3; trial++) {
            float[] x = randn(n);
            float[] a = Ort.run(maskedFile, "X", x, inputShape);
            float[] b = Ort.run(compactFile, "X", x, inputShape);
            float scale = 0f;
            for (float v : a) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertArrayEquals(a, b, 1e-4f * Math.max(1f, scale), "compacted model computes what the masked one does");
        }
        Model compacted = new OnnxReader().read(compactFile);
        assertTrue(compacted.totalParams() < m.totalParams(), "compaction removed parameters");
        return compacted;
    }

    @Test
    void gemmChainLosesRowsAndTheNextLayersInputs() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("chain", 13).input("X", 1, -1, 8).output("Y", 1, -1, 4);
        gemm(b, "X", "h1", "W1", 16, 8);
        b.node("Relu", new String[] {"h1"}, new String[] {"r1"});
        gemm(b, "r1", "h2", "W2", 6, 16);
        b.node("Relu", new String[] {"h2"}, new String[] {"r2"});
        gemm(b, "r2", "Y", "W3", 4, 6);
        Path f = dir.resolve("chain.onnx");
        b.save(f);
        Model c = compactAndCompare(f, Map.of("W1", keepEvery(16, 0, 3, 5, 15), "W2", keepEvery(6, 2)), 3, 8);
        assertArrayEquals(new long[] {12, 8}, c.tensor("W1").orElseThrow().shape());
        assertArrayEquals(new long[] {12}, c.tensor("W1_b").orElseThrow().shape());
        assertArrayEquals(new long[] {5, 12}, c.tensor("W2").orElseThrow().shape());
        assertArrayEquals(new long[] {4, 5}, c.tensor("W3").orElseThrow().shape());
        ChannelStructure s = ChannelStructure.analyze(new OnnxReader().read(f));
        assertTrue(s.groupOf("W3").orElseThrow().pinned(), "the last layer's outputs are the model's outputs");
    }

    @Test
    void convBatchNormReluConvChainSlicesTheBatchNormToo() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("cbr", 13).input("X", 1, -1, 3, 8, 8).output("Y", 1, -1, 5, 8, 8);
        conv(b, "X", "c1", "K1", 8, 3, 3, 1);
        bn(b, "c1", "n1", "BN1", 8);
        b.node("Relu", new String[] {"n1"}, new String[] {"r1"});
        conv(b, "r1", "Y", "K2", 5, 8, 3, 1);
        Path f = dir.resolve("cbr.onnx");
        b.save(f);
        Model c = compactAndCompare(f, Map.of("K1", keepEvery(8, 1, 6)), 2, 3, 8, 8);
        assertArrayEquals(new long[] {6, 3, 3, 3}, c.tensor("K1").orElseThrow().shape());
        for (String p : List.of("BN1_s", "BN1_b", "BN1_m", "BN1_v")) {
            assertArrayEquals(new long[] {6}, c.tensor(p).orElseThrow().shape(), p);
        }
        assertArrayEquals(new long[] {5, 6, 3, 3}, c.tensor("K2").orElseThrow().shape());
    }

    @Test
    void convFlattenGemmDropsEachChannelsSpatialBlock() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("cfg", 13).input("X", 1, -1, 1, 4, 4).output("Y", 1, -1, 3);
        conv(b, "X", "c1", "K1", 5, 1, 3, 1);
        b.node("Relu", new String[] {"c1"}, new String[] {"r1"});
        b.node("Flatten", new String[] {"r1"}, new String[] {"f"}, attrInt("axis", 1));
        gemm(b, "f", "Y", "W", 3, 5 * 16);
        Path f = dir.resolve("cfg.onnx");
        b.save(f);
        Model c = compactAndCompare(f, Map.of("K1", keepEvery(5, 0, 2)), 2, 1, 4, 4);
        assertArrayEquals(new long[] {3, 3 * 16}, c.tensor("W").orElseThrow().shape());
    }

    @Test
    void residualBlockChannelsArePrunedJointlyAcrossTheAdd() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("res", 13).input("X", 1, -1, 2, 6, 6).output("Y", 1, -1, 3);
        conv(b, "X", "s", "Stem", 6, 2, 3, 1);
        b.node("Relu", new String[] {"s"}, new String[] {"sr"});
        conv(b, "sr", "a", "A", 4, 6, 3, 1);
        bn(b, "a", "an", "BNA", 4);
        b.node("Relu", new String[] {"an"}, new String[] {"ar"});
        conv(b, "ar", "bb", "B", 6, 4, 3, 1);
        bn(b, "bb", "bn", "BNB", 6);
        b.node("Add", new String[] {"bn", "sr"}, new String[] {"sum"});
        b.node("Relu", new String[] {"sum"}, new String[] {"out"});
        b.node("GlobalAveragePool", new String[] {"out"}, new String[] {"g"});
        b.node("Flatten", new String[] {"g"}, new String[] {"f"}, attrInt("axis", 1));
        gemm(b, "f", "Y", "W", 3, 6);
        Path f = dir.resolve("res.onnx");
        b.save(f);
        Model m = new OnnxReader().read(f);
        ChannelStructure s = ChannelStructure.analyze(m);
        ChannelGroup joined = s.groupOf("Stem").orElseThrow();
        assertEquals(joined, s.groupOf("B").orElseThrow(), "the shortcut couples the stem with the block's last conv");
        assertEquals(List.of("Stem", "B"), joined.sources());
        assertTrue(joined.compactable(), joined.refusal().orElse("pinned"));
        assertFalse(s.groupOf("A").orElseThrow().sources().contains("Stem"));

        Model c = compactAndCompare(f, Map.of("Stem", keepEvery(6, 1, 4), "A", keepEvery(4, 0)), 2, 2, 6, 6);
        assertArrayEquals(new long[] {4, 2, 3, 3}, c.tensor("Stem").orElseThrow().shape());
        assertArrayEquals(new long[] {3, 4, 3, 3}, c.tensor("A").orElseThrow().shape());
        assertArrayEquals(new long[] {4, 3, 3, 3}, c.tensor("B").orElseThrow().shape());
        assertArrayEquals(new long[] {3, 4}, c.tensor("W").orElseThrow().shape());
    }

    @Test
    void depthwiseSeparableBlockShrinksTheDepthwiseGroup() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("dws", 13).input("X", 1, -1, 3, 6, 6).output("Y", 1, -1, 4, 6, 6);
        conv(b, "X", "c1", "K1", 8, 3, 3, 1);
        b.node("Relu", new String[] {"c1"}, new String[] {"r1"});
        conv(b, "r1", "d", "DW", 8, 1, 3, 8);
        bn(b, "d", "dn", "BND", 8);
        b.node("Relu", new String[] {"dn"}, new String[] {"dr"});
        conv(b, "dr", "Y", "PW", 4, 8, 1, 1);
        Path f = dir.resolve("dws.onnx");
        b.save(f);
        Model c = compactAndCompare(f, Map.of("K1", keepEvery(8, 0, 1, 7)), 2, 3, 6, 6);
        assertArrayEquals(new long[] {5, 1, 3, 3}, c.tensor("DW").orElseThrow().shape());
        assertArrayEquals(new long[] {4, 5, 1, 1}, c.tensor("PW").orElseThrow().shape());
        long group = c.graph().nodes().stream().filter(n -> n.name().equals("Conv_2")).findFirst().orElseThrow()
                .intAttribute("group", -1);
        assertEquals(5, group);
    }

    @Test
    void removedChannelsReadAsZeroThroughAViewInAnyWindow() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("dwv", 13).input("X", 1, -1, 3, 6, 6).output("Y", 1, -1, 4, 6, 6);
        conv(b, "X", "c1", "K1", 8, 3, 3, 1);
        b.node("Relu", new String[] {"c1"}, new String[] {"r1"});
        conv(b, "r1", "d", "DW", 8, 1, 3, 8);
        bn(b, "d", "dn", "BND", 8);
        b.node("Relu", new String[] {"dn"}, new String[] {"dr"});
        conv(b, "dr", "Y", "PW", 4, 8, 1, 1);
        Path f = dir.resolve("dwv.onnx");
        b.save(f);
        Model m = new OnnxReader().read(f);
        ChannelStructure s = ChannelStructure.analyze(m);
        boolean[] keep = keepEvery(8, 0, 1, 7);
        Map<String, TensorData> zeroed = ChannelCompactor.zeroRemovedChannels(m, s,
                Map.of(s.groupOf("K1").orElseThrow().id(), keep), Map.of());
        assertTrue(zeroed.keySet().containsAll(List.of("K1", "K1_b", "DW", "DW_b", "BND_s", "BND_b")), zeroed.keySet().toString());
        assertFalse(zeroed.containsKey("PW"), "a consumer's input columns multiply zeros and stay as they are");
        for (Map.Entry<String, TensorData> e : zeroed.entrySet()) {
            WeightTensor t = m.tensor(e.getKey()).orElseThrow();
            float[] original = t.data().readAllFloats();
            float[] all = e.getValue().readAllFloats();
            long per = t.elementCount() / t.dim(0);
            for (int i = 0; i < all.length; i++) {
                float expected = keep[(int) (i / per)] ? original[i] : 0f;
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(all[i]), e.getKey() + "[" + i + "]");
            }
            // Writers read in windows: every window, at every offset, reads what the whole read does.
            for (int window : new int[] {1, 5, 13}) {
                float[] dst = new float[window + 3];
                for (int first = 0; first + window <= all.length; first++) {
                    e.getValue().readFloats(first, java.nio.FloatBuffer.wrap(dst, 2, window));
                    for (int i = 0; i < window; i++) {
                        assertEquals(all[first + i], dst[2 + i], 0f, e.getKey() + " window at " + first);
                    }
                }
            }
            assertArrayEquals(original, t.data().readAllFloats(), 0f, "the model's values are not modified");
        }
    }

    @Test
    void aHardCodedReshapeIsRefusedNamingTheNode() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("rs", 13).input("X", 1, -1, 1, 4, 4).output("Y", 1, -1, 3);
        conv(b, "X", "c1", "K1", 5, 1, 3, 1);
        b.initializer(OnnxModelBuilder.int64Tensor("shape", new long[] {-1, 80}, 2));
        b.node("Reshape", new String[] {"c1", "shape"}, new String[] {"f"});
        gemm(b, "f", "Y", "W", 3, 80);
        Path f = dir.resolve("rs.onnx");
        b.save(f);
        Model m = new OnnxReader().read(f);
        ChannelStructure s = ChannelStructure.analyze(m);
        ChannelGroup g = s.groupOf("K1").orElseThrow();
        assertTrue(g.refusal().orElseThrow().contains("Reshape_1"), g.refusal().orElseThrow());
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> ChannelCompactor.compact(m, s, Map.of(g.id(), keepEvery(5, 0)), Map.of()));
        assertTrue(e.getMessage().contains("Reshape_1"), e.getMessage());
        // Keeping every channel needs no rewrite and is not refused.
        assertTrue(ChannelCompactor.compact(m, s, Map.of(g.id(), keepEvery(5)), Map.of()).tensors().isEmpty());
    }

    @Test
    void sigmoidIsRefusedBecauseARemovedChannelWouldStillContributeHalf() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("sg", 13).input("X", 1, -1, 4).output("Y", 1, -1, 2);
        gemm(b, "X", "h", "W1", 6, 4);
        b.node("Sigmoid", new String[] {"h"}, new String[] {"s"});
        gemm(b, "s", "Y", "W2", 2, 6);
        Path f = dir.resolve("sg.onnx");
        b.save(f);
        ChannelGroup g = ChannelStructure.analyze(new OnnxReader().read(f)).groupOf("W1").orElseThrow();
        assertTrue(g.refusal().orElseThrow().contains("Sigmoid"), g.refusal().orElseThrow());
    }

    /** X → A (4) and X → B (5) → Concat → C: each branch owns its run of C's input channels. */
    private Path twoBranchConcat() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("cat", 13).input("X", 1, -1, 3, 6, 6).output("Y", 1, -1, 6, 6, 6);
        conv(b, "X", "a", "A", 4, 3, 3, 1);
        b.node("Relu", new String[] {"a"}, new String[] {"ar"});
        conv(b, "X", "bb", "B", 5, 3, 3, 1);
        bn(b, "bb", "bn", "BNB", 5);
        b.node("Concat", new String[] {"ar", "bn"}, new String[] {"cat"}, attrInt("axis", 1));
        conv(b, "cat", "Y", "C", 6, 9, 3, 1);
        Path f = dir.resolve("cat.onnx");
        b.save(f);
        return f;
    }

    @Test
    void concatBranchesRemoveTheirOwnRunOfTheConsumersInputChannels() throws Exception {
        Path f = twoBranchConcat();
        ChannelStructure s = ChannelStructure.analyze(new OnnxReader().read(f));
        ChannelGroup a = s.groupOf("A").orElseThrow();
        ChannelGroup bGroup = s.groupOf("B").orElseThrow();
        assertTrue(a.id() != bGroup.id(), "branches joined only by a Concat stay independent");
        assertTrue(a.compactable(), a.refusal().orElse("pinned"));
        assertTrue(bGroup.compactable(), bGroup.refusal().orElse("pinned"));
        assertTrue(bGroup.slices().contains(new ChannelSlice("C", 1, 4, 1, false, 0, 5)), bGroup.slices().toString());

        Model c = compactAndCompare(f, Map.of("A", keepEvery(4, 1), "B", keepEvery(5, 0, 4)), 2, 3, 6, 6);
        assertArrayEquals(new long[] {3, 3, 3, 3}, c.tensor("A").orElseThrow().shape());
        assertArrayEquals(new long[] {3, 3, 3, 3}, c.tensor("B").orElseThrow().shape());
        assertArrayEquals(new long[] {3}, c.tensor("BNB_v").orElseThrow().shape());
        assertArrayEquals(new long[] {6, 6, 3, 3}, c.tensor("C").orElseThrow().shape());
        // Channel 1 of A is C's input 1; channels 0 and 4 of B are C's inputs 4 and 8.
        Model m = new OnnxReader().read(f);
        float[] before = m.tensor("C").orElseThrow().data().readAllFloats();
        float[] after = c.tensor("C").orElseThrow().data().readAllFloats();
        int[] survivors = {0, 2, 3, 5, 6, 7};
        for (int o = 0; o < 6; o++) {
            for (int i = 0; i < survivors.length; i++) {
                for (int q = 0; q < 9; q++) {
                    assertEquals(before[(o * 9 + survivors[i]) * 9 + q], after[(o * 6 + i) * 9 + q]);
                }
            }
        }
    }

    /** An inception-like block: Stem → (A, B) → Concat → Add with the stem → D. */
    private Path inceptionBlock() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("inc", 13).input("X", 1, -1, 3, 6, 6).output("Y", 1, -1, 3, 6, 6);
        conv(b, "X", "s", "Stem", 6, 3, 3, 1);
        b.node("Relu", new String[] {"s"}, new String[] {"sr"});
        conv(b, "sr", "a", "A", 2, 6, 1, 1);
        conv(b, "sr", "bb", "B", 4, 6, 3, 1);
        bn(b, "bb", "bn", "BNB", 4);
        b.node("Concat", new String[] {"a", "bn"}, new String[] {"cat"}, attrInt("axis", -3));
        b.node("Add", new String[] {"cat", "sr"}, new String[] {"sum"});
        b.node("Relu", new String[] {"sum"}, new String[] {"out"});
        conv(b, "out", "Y", "D", 3, 6, 3, 1);
        Path f = dir.resolve("inc.onnx");
        b.save(f);
        return f;
    }

    @Test
    void concatThenAddCouplesEachBranchWithItsRunOfTheShortcutChannels() throws Exception {
        Path f = inceptionBlock();
        ChannelStructure s = ChannelStructure.analyze(new OnnxReader().read(f));
        ChannelGroup g = s.groupOf("Stem").orElseThrow();
        assertEquals(g, s.groupOf("A").orElseThrow());
        assertEquals(g, s.groupOf("B").orElseThrow());
        assertEquals(6, g.channels());
        assertEquals(Map.of("Stem", 0, "A", 0, "B", 2), g.sourceOffsets());
        assertTrue(g.compactable(), g.refusal().orElse("pinned"));

        // Group channels 1 and 4: A's channel 1, B's channel 2, the stem's channels 1 and 4.
        Model c = compactAndCompare(f, Map.of("Stem", keepEvery(6, 1, 4)), 2, 3, 6, 6);
        assertArrayEquals(new long[] {4, 3, 3, 3}, c.tensor("Stem").orElseThrow().shape());
        assertArrayEquals(new long[] {1, 4, 1, 1}, c.tensor("A").orElseThrow().shape());
        assertArrayEquals(new long[] {3, 4, 3, 3}, c.tensor("B").orElseThrow().shape());
        assertArrayEquals(new long[] {3}, c.tensor("BNB_s").orElseThrow().shape());
        assertArrayEquals(new long[] {3, 4, 3, 3}, c.tensor("D").orElseThrow().shape());
    }

    @Test
    void theEngineScoresAConcatAddGroupBySummedNormsAndPrunesEveryMemberAlike() throws Exception {
        Model m = new OnnxReader().read(inceptionBlock());
        PruningResult r = new PruningEngine(m).run(PruningConfig.of(GlobalSettings.of(0.5, "l2-structured",
                Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
        ChannelGroup g = r.channels().structure().groupOf("Stem").orElseThrow();
        boolean[] keep = r.channels().keep().get(g.id());
        assertEquals(3, r.channels().removed(g.id()), "half of the six joined channels");
        // The reference: per group channel, the L2 norms of the stem's filter and of the branch filter covering it.
        double[] score = new double[6];
        for (String src : List.of("Stem", "A", "B")) {
            WeightTensor t = m.tensor(src).orElseThrow();
            float[] w = t.data().readAllFloats();
            int per = w.length / (int) t.dim(0);
            for (int c = 0; c < t.dim(0); c++) {
                double sq = 0;
                for (int q = 0; q < per; q++) {
                    sq += (double) w[c * per + q] * w[c * per + q];
                }
                score[g.offsetOf(src) + c] += Math.sqrt(sq);
            }
        }
        Integer[] order = {0, 1, 2, 3, 4, 5};
        java.util.Arrays.sort(order, (x, y) -> Double.compare(score[x], score[y]));
        // Lowest first, skipping a channel that is the last one left of branch A (0–1) or B (2–5).
        boolean[] expected = {true, true, true, true, true, true};
        int removed = 0;
        for (int i = 0; i < 6 && removed < 3; i++) {
            int c = order[i];
            int first = c < 2 ? 0 : 2;
            int last = c < 2 ? 2 : 6;
            int left = 0;
            for (int q = first; q < last; q++) {
                left += expected[q] ? 1 : 0;
            }
            if (left > 1) {
                expected[c] = false;
                removed++;
            }
        }
        assertArrayEquals(expected, keep, java.util.Arrays.toString(score));
        for (String src : List.of("Stem", "A", "B")) {
            WeightTensor t = m.tensor(src).orElseThrow();
            int per = (int) (t.elementCount() / t.dim(0));
            for (int c = 0; c < t.dim(0); c++) {
                for (int q = 0; q < per; q++) {
                    assertEquals(keep[g.offsetOf(src) + c], r.mask(src).isKept((long) c * per + q), src + " filter " + c);
                }
            }
        }
        LayerResult d = r.layers().stream().filter(l -> l.name().equals("D")).findFirst().orElseThrow();
        assertEquals(0.0, d.achieved(), "the last layer feeds the graph output and keeps its channels");
        assertTrue(r.messages().stream().anyMatch(msg -> msg.contains("graph output")), r.messages().toString());
        // The removed channels' BatchNorm shift is zeroed too, so the masked model computes what the compacted one does.
        float[] shift = r.prunedValues(m).get("BNB_b").readAllFloats();
        for (int c = 0; c < 4; c++) {
            assertEquals(!keep[2 + c], shift[c] == 0f, "BatchNorm shift of B's channel " + c);
        }
    }

    @Test
    void aConcatAlongAnotherAxisOrOfAGraphInputIsRefusedNamingTheNode() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("sp", 13).input("X", 1, -1, 3, 6, 6).output("Y", 1, -1, 4, 12, 6);
        conv(b, "X", "a", "A", 4, 3, 3, 1);
        conv(b, "X", "bb", "B", 4, 3, 3, 1);
        String spatial = b.node("Concat", new String[] {"a", "bb"}, new String[] {"cat"}, attrInt("axis", 2));
        conv(b, "cat", "Y", "C", 4, 4, 3, 1);
        Path f = dir.resolve("sp.onnx");
        b.save(f);
        Model m = new OnnxReader().read(f);
        ChannelStructure s = ChannelStructure.analyze(m);
        String why = s.groupOf("A").orElseThrow().refusal().orElseThrow();
        assertTrue(why.contains(spatial) && why.contains("axis 2"), why);
        assertThrows(UnsupportedModelException.class,
                () -> ChannelCompactor.compact(m, s, Map.of(s.groupOf("A").orElseThrow().id(), keepEvery(4, 0)), Map.of()));

        OnnxModelBuilder g = new OnnxModelBuilder("gi", 13).input("X", 1, -1, 3, 6, 6).output("Y", 1, -1, 4, 6, 6);
        conv(g, "X", "a", "A", 4, 3, 3, 1);
        String withInput = g.node("Concat", new String[] {"X", "a"}, new String[] {"cat"}, attrInt("axis", 1));
        conv(g, "cat", "Y", "C", 4, 7, 3, 1);
        Path gf = dir.resolve("gi.onnx");
        g.save(gf);
        String refused = ChannelStructure.analyze(new OnnxReader().read(gf)).groupOf("A").orElseThrow().refusal().orElseThrow();
        assertTrue(refused.contains(withInput) && refused.contains("graph input"), refused);
    }

    @Test
    void anAddWithAGraphInputIsRefusedBecauseOnlyOneSideWouldShrink() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("ai", 13).input("X", 1, -1, 4, 6, 6).output("Y", 1, -1, 2, 6, 6);
        conv(b, "X", "a", "A", 4, 4, 3, 1);
        String add = b.node("Add", new String[] {"a", "X"}, new String[] {"sum"});
        conv(b, "sum", "Y", "C", 2, 4, 3, 1);
        Path f = dir.resolve("ai.onnx");
        b.save(f);
        String why = ChannelStructure.analyze(new OnnxReader().read(f)).groupOf("A").orElseThrow().refusal().orElseThrow();
        assertTrue(why.contains(add) && why.contains("X"), why);
    }

    @Test
    void aConcatBranchKeepsAtLeastOneChannelAndRemovingItsLastIsRefused() throws Exception {
        Model m = new OnnxReader().read(inceptionBlock());
        ChannelStructure s = ChannelStructure.analyze(m);
        ChannelGroup g = s.groupOf("Stem").orElseThrow();
        for (int remove = 0; remove < 6; remove++) {
            boolean[] keep = StructuredSelection.keep(m, g, 1, remove, CancellationToken.NONE);
            int kept = 0;
            for (boolean k : keep) {
                kept += k ? 1 : 0;
            }
            assertEquals(Math.max(6 - remove, 2), kept, "remove " + remove + ": A's two and B's four channels keep one each");
            assertTrue(keep[0] || keep[1], "branch A keeps a channel");
            assertTrue(keep[2] || keep[3] || keep[4] || keep[5], "branch B keeps a channel");
        }
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> ChannelCompactor.compact(m, s, Map.of(g.id(), keepEvery(6, 0, 1)), Map.of()));
        assertTrue(e.getMessage().contains("every output channel of A"), e.getMessage());
    }
}
