package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrInt;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrInts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.eval.Sweep;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;
import org.sparsitybench.formats.onnx.OnnxReader;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.PruningMethods;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.testing.Ort;

/** {@code sparsitybench prune} end to end on real ONNX files, checked in ONNX Runtime. */
class PruneCommandTest {
    @TempDir
    Path dir;

    private static JsonNode report(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolveSibling(out.getFileName() + ".report.json").toFile());
    }

    @Test
    void magnitudeWritesTheModelAndAReportWhoseConfigReproducesTheMasks() throws Exception {
        Path in = Fixtures.torch("cnn_bn.onnx");
        byte[] before = Files.readAllBytes(in);
        Path out = dir.resolve("m80.onnx");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--sparsity", "0.8");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(before, Files.readAllBytes(in), "the input is never written");
        JsonNode rep = report(out);
        JsonNode totals = rep.get("totals");
        assertEquals(Math.round(0.8 * 1332) / 1332.0, totals.get("achieved").asDouble(), 1e-12, "exact to the element");
        for (String f : List.of("requested", "achieved", "paramsBefore", "paramsAfter", "flopsBefore", "flopsAfter",
                "fileBytesBefore", "fileBytesAfter", "compressedBytesBefore", "compressedBytesAfter")) {
            assertTrue(totals.has(f), f);
        }
        assertTrue(totals.get("flopsAfter").asLong() < totals.get("flopsBefore").asLong());
        assertTrue(totals.get("compressedBytesAfter").asLong() < totals.get("compressedBytesBefore").asLong(),
                "zeros compress");
        Model pruned = new OnnxReader().read(out);
        long zeros = pruned.prunableTensors().stream().mapToLong(t -> t.stats().zeros()).sum();
        assertEquals(Math.round(0.8 * 1332), zeros);

        Path config = dir.resolve("config.json");
        Files.writeString(config, rep.get("config").toString());
        Path again = dir.resolve("again.onnx");
        assertEquals(0, InspectCommandTest.cli("prune", in.toString(), "--out", again.toString(), "--config",
                config.toString()).code());
        assertEquals(rep.get("masksSha256").asText(), report(again).get("masksSha256").asText());
        float[] x = Fixtures.floats(Fixtures.torch("cnn_bn.input.bin"));
        assertArrayEquals(Ort.run(out, "input", x, 2, 1, 8, 8), Ort.run(again, "input", x, 2, 1, 8, 8), 0f);
    }

    @Test
    void structuredCompactionShrinksTheFileAndPassesTheEquivalenceCheck() throws Exception {
        Path in = Fixtures.torch("cnn_bn.onnx");
        Path out = dir.resolve("compact.onnx");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "l1-structured",
                "--sparsity", "0.5", "--compact");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("compaction check: passed"), r.out());
        JsonNode rep = report(out);
        assertTrue(rep.get("compactionCheck").get("passed").asBoolean());
        // Said where it applies: a kept channel count off the 16-channel blocks AVX-512 kernels compute in.
        assertEquals(ChannelAlignment.note(rep.get("groups")).isPresent(), r.out().contains("this CPU has AVX-512"),
                r.out());
        JsonNode conv = rep.get("layers").get(0);
        assertEquals("0.weight", conv.get("name").asText());
        int zeroChannels = 0;
        for (JsonNode c : conv.get("keptPerChannel")) {
            assertTrue(c.asInt() == 0 || c.asInt() == 9, "whole 1x3x3 filters kept or removed: " + c);
            zeroChannels += c.asInt() == 0 ? 1 : 0;
        }
        assertEquals(2, zeroChannels, "half of the four filters removed");
        Model m = new OnnxReader().read(out);
        assertArrayEquals(new long[] {2, 1, 3, 3}, m.tensor("0.weight").orElseThrow().shape());
        assertArrayEquals(new long[] {3, 2, 3, 3}, m.tensor("3.weight").orElseThrow().shape());
        assertArrayEquals(new long[] {5, 3 * 36}, m.tensor("6.weight").orElseThrow().shape());
        assertTrue(Files.size(out) < Files.size(in));
        float[] y = Ort.run(out, "input", Fixtures.floats(Fixtures.torch("cnn_bn.input.bin")), 2, 1, 8, 8);
        assertEquals(10, y.length);
    }

    @Test
    void aGraphThatCannotBeRewrittenIsRefusedWithExitCode4NamingTheNode() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("rs", 13).input("X", 1, -1, 1, 4, 4).output("Y", 1, -1, 3);
        b.initializer("K", new float[5 * 9], 5, 1, 3, 3);
        b.node("Conv", new String[] {"X", "K"}, new String[] {"c"}, attrInts("pads", 1, 1, 1, 1));
        b.initializer(OnnxModelBuilder.int64Tensor("shape", new long[] {-1, 80}, 2));
        b.node("Reshape", new String[] {"c", "shape"}, new String[] {"f"});
        b.initializer("W", new float[3 * 80], 3, 80);
        b.node("Gemm", new String[] {"f", "W"}, new String[] {"Y"}, attrInt("transB", 1));
        Path in = dir.resolve("rs.onnx");
        b.save(in);
        Path out = dir.resolve("rs-out.onnx");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "l2-structured",
                "--compact");
        assertEquals(4, r.code(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("Reshape_1"), r.err());
        assertTrue(Files.notExists(out), "nothing written");
    }

    @Test
    void sparseStorageShrinksTheFileAndOnnxRuntimeComputesTheSameOutputs() throws Exception {
        Path in = Fixtures.torch("mlp.onnx");
        Path dense = dir.resolve("dense.onnx");
        Path sparse = dir.resolve("sparse.onnx");
        assertEquals(0, InspectCommandTest.cli("prune", in.toString(), "--out", dense.toString(), "--sparsity", "0.9").code());
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", sparse.toString(), "--sparsity", "0.9",
                "--sparse-storage");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("densifies"), r.out());
        assertTrue(Files.size(sparse) < Files.size(dense) * 0.6, Files.size(sparse) + " vs " + Files.size(dense));
        float[] x = Fixtures.floats(Fixtures.torch("mlp.input.bin"));
        assertArrayEquals(Ort.run(dense, "input", x, 2, 16), Ort.run(sparse, "input", x, 2, 16), 0f);
        assertTrue(report(sparse).has("sparseStorageNote"));
    }

    @Test
    void nmPatternHoldsInEveryGroup() throws Exception {
        Path out = dir.resolve("nm.onnx");
        Run r = InspectCommandTest.cli("prune", Fixtures.torch("mlp.onnx").toString(), "--out", out.toString(),
                "--method", "nm", "--nm", "2:4");
        assertEquals(0, r.code(), r.err());
        JsonNode rep = report(out);
        assertEquals(0, rep.get("nmViolations").asInt());
        assertEquals(0.5, rep.get("totals").get("achieved").asDouble(), 1e-12, "16, 32 and 8 inputs divide by 4");
        Model m = new OnnxReader().read(out);
        float[] w = m.tensor("0.weight").orElseThrow().data().readAllFloats();
        for (int g = 0; g < w.length; g += 4) {
            int nz = 0;
            for (int i = g; i < g + 4; i++) {
                nz += w[i] != 0 ? 1 : 0;
            }
            assertEquals(2, nz, "group at " + g);
        }
    }

    @Test
    void usageAndUnsupportedRequestsGetTheirExitCodes() throws Exception {
        Path in = Fixtures.torch("mlp.onnx");
        Path out = dir.resolve("x.onnx");
        assertEquals(2, InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "bogus").code());
        assertEquals(2, InspectCommandTest.cli("prune", in.toString(), "--out", in.toString()).code(), "output = input");
        assertEquals(2, InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--layer", "nope=0.5").code());
        assertEquals(2, InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "wanda").code(),
                "wanda without calibration data");
        assertEquals(2, InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--allocation",
                "sensitivity").code(), "sensitivity allocation without --data");
    }

    private static void conv(OnnxModelBuilder b, String in, String out, String w, int o, int i, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] k = new float[o * i * 9];
        for (int q = 0; q < k.length; q++) {
            k[q] = (float) r.nextGaussian();
        }
        float[] bias = new float[o];
        for (int q = 0; q < o; q++) {
            bias[q] = (float) r.nextGaussian();
        }
        b.initializer(w, k, o, i, 3, 3).initializer(w + "_b", bias, o);
        b.node("Conv", new String[] {in, w, w + "_b"}, new String[] {out}, attrInts("pads", 1, 1, 1, 1));
    }

    @Test
    void concatBranchesMeetingAShortcutAreCompactedAndPassTheOnnxRuntimeCheck() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("inc", 13).input("X", 1, -1, 2, 5, 5).output("Y", 1, -1, 3, 5, 5);
        conv(b, "X", "s", "Stem", 6, 2, 1);
        b.node("Relu", new String[] {"s"}, new String[] {"sr"});
        conv(b, "sr", "a", "A", 2, 6, 2);
        conv(b, "sr", "bb", "B", 4, 6, 3);
        b.node("Concat", new String[] {"a", "bb"}, new String[] {"cat"}, attrInt("axis", 1));
        b.node("Add", new String[] {"cat", "sr"}, new String[] {"sum"});
        b.node("Relu", new String[] {"sum"}, new String[] {"r"});
        conv(b, "r", "Y", "D", 3, 6, 4);
        Path in = dir.resolve("inc.onnx");
        b.save(in);
        Path out = dir.resolve("inc-compact.onnx");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "l1-structured",
                "--sparsity", "0.5", "--compact");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("compaction check: passed"), r.out());
        Model m = new OnnxReader().read(out);
        long stem = m.tensor("Stem").orElseThrow().dim(0);
        assertEquals(3, stem, "half of the six joined channels go");
        assertEquals(3, m.tensor("A").orElseThrow().dim(0) + m.tensor("B").orElseThrow().dim(0),
                "each branch loses the joined channels it owns");
        assertArrayEquals(new long[] {3, 3, 3, 3}, m.tensor("D").orElseThrow().shape());
        assertTrue(report(out).get("compactionCheck").get("passed").asBoolean());
    }

    @Test
    void aConcatOfTheGraphInputIsRefusedWithExitCode4NamingTheNode() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("gi", 13).input("X", 1, -1, 2, 5, 5).output("Y", 1, -1, 3, 5, 5);
        conv(b, "X", "a", "A", 4, 2, 1);
        String concat = b.node("Concat", new String[] {"X", "a"}, new String[] {"cat"}, attrInt("axis", 1));
        conv(b, "cat", "Y", "C", 3, 6, 2);
        Path in = dir.resolve("gi.onnx");
        b.save(in);
        Path out = dir.resolve("gi-out.onnx");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "l2-structured",
                "--compact");
        assertEquals(4, r.code(), r.err());
        assertTrue(r.err().contains(concat) && r.err().contains("graph input"), r.err());
        assertTrue(Files.notExists(out), "nothing written");
    }

    @Test
    void aConfigurationNamingAStructuredMethodDrivesTheEngineToTheSameMasks() throws Exception {
        Path in = Fixtures.torch("cnn_bn.onnx");
        Path byFlags = dir.resolve("flags.onnx");
        Run a = InspectCommandTest.cli("prune", in.toString(), "--out", byFlags.toString(), "--method", "l2-structured",
                "--sparsity", "0.5");
        assertEquals(0, a.code(), a.err());
        Path config = dir.resolve("structured.json");
        Files.writeString(config, "{\"global\": {\"target\": 0.5, \"method\": \"l2-structured\"}}");
        Path byConfig = dir.resolve("config.onnx");
        Run b = InspectCommandTest.cli("prune", in.toString(), "--out", byConfig.toString(), "--config", config.toString());
        assertEquals(0, b.code(), b.err());
        JsonNode first = report(byFlags);
        JsonNode second = report(byConfig);
        assertEquals(first.get("masksSha256").asText(), second.get("masksSha256").asText());
        assertEquals("l2-structured", second.get("layers").get(0).get("method").asText());
        assertTrue(second.get("layers").get(0).get("achieved").asDouble() > 0, "whole filters removed");
    }

    @Test
    void theHelpListsEveryRegisteredMethodAndAllocation() {
        Run r = InspectCommandTest.cli("prune", "--help");
        assertEquals(0, r.code(), r.err());
        for (String id : PruningMethods.ids()) {
            assertTrue(r.out().contains(id), id + " in " + r.out());
        }
        for (String id : Allocation.ids()) {
            assertTrue(r.out().contains(id), id + " in " + r.out());
        }
        Run sweep = InspectCommandTest.cli("sweep", "--help");
        for (String id : Sweep.METHODS) {
            assertTrue(sweep.out().contains(id), id + " in " + sweep.out());
        }
    }
}
