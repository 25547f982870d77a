package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.eval.CompressedSize;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.testing.Fixtures;

/** What {@code prune}'s report and messages say beyond the structure: sizes, measurements, the model card. */
class PruneReportTest {
    @TempDir
    Path dir;

    private static JsonNode report(Path out) throws Exception {
        return new ObjectMapper().readTree(PruneExport.reportFile(out).toFile());
    }

    /** A SafeTensors file of one float32 [768, 1024] weight, N(0, 0.02): 3 MiB, above the estimate's sample. */
    private Path safetensors() throws Exception {
        byte[] header = "{\"w.weight\":{\"dtype\":\"F32\",\"shape\":[768,1024],\"data_offsets\":[0,3145728]}}"
                .getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + 3145728).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(header);
        for (int i = header.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        Random rnd = new Random(5);
        while (b.hasRemaining()) {
            b.putFloat((float) (rnd.nextGaussian() * 0.02));
        }
        Path f = dir.resolve("w.safetensors");
        Files.write(f, b.array());
        return f;
    }

    @Test
    void compressedSizesAreEstimatedAndSayHowUnlessExactIsAsked() throws Exception {
        Path in = safetensors();
        Path out = dir.resolve("est.safetensors");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--sparsity", "0.7");
        assertEquals(0, r.code(), r.err());
        JsonNode totals = report(out).get("totals");
        assertFalse(totals.get("compressedBytesExact").asBoolean());
        assertTrue(totals.get("compressionMethod").asText().startsWith("estimate: DEFLATE level 6"),
                totals.get("compressionMethod").asText());
        long exactAfter = CompressedSize.exact(out);
        long estimated = totals.get("compressedBytesAfter").asLong();
        assertTrue(Math.abs(estimated - exactAfter) < 0.03 * exactAfter, estimated + " estimated, " + exactAfter);

        Path exact = dir.resolve("exact.safetensors");
        assertEquals(0, InspectCommandTest.cli("prune", in.toString(), "--out", exact.toString(), "--sparsity", "0.7",
                "--exact-compression").code());
        JsonNode t = report(exact).get("totals");
        assertTrue(t.get("compressedBytesExact").asBoolean());
        assertEquals(CompressedSize.exact(exact), t.get("compressedBytesAfter").asLong());
        assertEquals(CompressedSize.exact(in), t.get("compressedBytesBefore").asLong());
        assertTrue(t.get("compressionMethod").asText().startsWith("exact"));
    }

    @Test
    void theReportSaysHowLongEachStepTook() throws Exception {
        Path in = safetensors();
        Path out = dir.resolve("timed.safetensors");
        assertEquals(0, InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--sparsity", "0.5")
                .code());
        JsonNode timings = report(out).get("timingsMs");
        for (String step : new String[] {"prune", "write", "report"}) {
            assertTrue(timings.get(step).isNumber() && timings.get(step).asDouble() > 0, step + ": " + timings);
        }
        assertTrue(timings.get("what").asText().contains("wall milliseconds"), timings.toString());
    }

    @Test
    void theStreamedCountsMatchTheWrittenFile() throws Exception {
        Path in = safetensors();
        Path out = dir.resolve("p.safetensors");
        assertEquals(0, InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--sparsity", "0.3")
                .code());
        JsonNode totals = report(out).get("totals");
        long zeros = org.sparsitybench.formats.ModelFiles.read(out).tensors().get(0).stats().zeros();
        assertEquals(768L * 1024 - zeros, totals.get("paramsAfter").asLong());
        assertEquals(768L * 1024, totals.get("selectedParams").asLong());
        assertEquals(Math.round(0.7 * 768 * 1024), totals.get("selectedParamsKept").asLong());
    }

    @Test
    void aPrunedSampleIsMeasuredOnItsCardsTestSetAndCanBeEvaluatedBesideItsCopiedCard() throws Exception {
        Path model = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");
        Path out = dir.resolve("l5.onnx");
        Run r = InspectCommandTest.cli("prune", model.toString(), "--out", out.toString(), "--sparsity", "0.5",
                "--latency-runs", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("measured on 10,000 samples of the test split"), r.out());
        JsonNode rep = report(out);
        JsonNode m = rep.get("measured");
        assertEquals("test", m.get("split").asText());
        assertTrue(m.get("dataset").asText().startsWith("Fashion-MNIST"), m.get("dataset").asText());
        assertEquals(10_000, m.get("samples").asInt());
        assertTrue(m.get("accuracy").asDouble() > 0.8, "50 % magnitude keeps LeNet-5 useful: " + m);
        JsonNode lat = m.get("latencyMs");
        assertTrue(lat.get("p10").asDouble() <= lat.get("median").asDouble()
                && lat.get("median").asDouble() <= lat.get("p90").asDouble(), lat.toString());
        assertTrue(m.get("sourceLatencyMs").get("median").asDouble() > 0);
        assertEquals(Path.of(rep.get("model").asText()).isAbsolute(), Path.of(rep.get("output").asText()).isAbsolute(),
                "model and output are both absolute or both relative");

        Path card = dir.resolve(ModelCard.FILE_NAME);
        assertTrue(Files.isRegularFile(card), "the card is copied beside the output");
        JsonNode copied = new ObjectMapper().readTree(card.toFile());
        Path test = card.resolveSibling(copied.get("dataset").get("test").asText()).normalize();
        assertEquals(model.resolveSibling("../data/fashion-mnist/t10k-images-idx3-ubyte.gz").normalize()
                .toAbsolutePath(), test.toAbsolutePath(), "the copy's dataset path reaches the same file");
        Run eval = InspectCommandTest.cli("eval", out.toString(), "--data", test.toString(), "--latency-runs", "0",
                "--limit", "500");
        assertEquals(0, eval.code(), eval.err());
    }

    @Test
    void aPrunedFileLargerThanItsSourceIsReportedWithTheSparseStorageSize() throws Exception {
        Path model = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");
        Path out = dir.resolve("l5-80.onnx");
        Run r = InspectCommandTest.cli("prune", model.toString(), "--out", out.toString(), "--sparsity", "0.8",
                "--no-eval");
        assertEquals(0, r.code(), r.err());
        JsonNode totals = report(out).get("totals");
        assertTrue(totals.get("fileBytesAfter").asLong() > totals.get("fileBytesBefore").asLong(),
                "the metadata makes the masked file a little larger: " + totals);
        assertTrue(r.out().contains("is larger than"), r.out());
        long sparse = totals.get("fileBytesWithSparseStorage").asLong();
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "--sparse-storage would write about %,d bytes",
                sparse)), r.out());
        Path stored = dir.resolve("l5-80-sparse.onnx");
        assertEquals(0, InspectCommandTest.cli("prune", model.toString(), "--out", stored.toString(), "--sparsity",
                "0.8", "--no-eval", "--sparse-storage").code());
        assertEquals(sparse, Files.size(stored), 0.02 * sparse, "the suggested size is what sparse storage writes");
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "%,d →", totals.get("fileBytesBefore")
                .asLong())), "byte counts have thousands separators: " + r.out());
    }

    @Test
    void structuredPruningKeepsMultiplesOfEightConvChannelsUnlessToldOtherwise() throws Exception {
        Path model = Fixtures.projectDir().resolve("sample-models/fashion-resnet-mini/model.onnx");
        Path out = dir.resolve("r8.onnx");
        Run r = InspectCommandTest.cli("prune", model.toString(), "--out", out.toString(), "--method", "l1-structured",
                "--sparsity", "0.3", "--compact", "--no-eval");
        assertEquals(0, r.code(), r.err());
        JsonNode rep = report(out);
        assertEquals(8, rep.get("config").get("global").get("roundChannels").asInt());
        boolean anyCut = false;
        for (JsonNode g : rep.get("groups")) {
            int kept = g.get("channels").asInt() - g.get("removed").asInt();
            if (g.get("channels").asInt() >= 8 && g.get("removed").asInt() > 0) {
                assertEquals(0, kept % 8, "kept channels of " + g);
                anyCut = true;
            }
        }
        assertTrue(anyCut, "some group was cut: " + rep.get("groups"));

        Path off = dir.resolve("r1.onnx");
        assertEquals(0, InspectCommandTest.cli("prune", model.toString(), "--out", off.toString(), "--method",
                "l1-structured", "--sparsity", "0.3", "--compact", "--no-eval", "--round-channels", "1").code());
        boolean unaligned = false;
        for (JsonNode g : report(off).get("groups")) {
            unaligned |= (g.get("channels").asInt() - g.get("removed").asInt()) % 8 != 0;
        }
        assertTrue(unaligned, "without rounding 30 % leaves counts such as 16 -> 11: " + report(off).get("groups"));
    }
}
