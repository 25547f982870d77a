package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.testing.Fixtures;

/** {@code sparsitybench quantize} as a user runs it: the model and report written, refusals and their exit codes. */
class QuantizeCommandTest {
    private static final String TRAIN = Fixtures.projectDir().resolve(
            "sample-models/data/fashion-mnist/train-12k-images-idx3-ubyte.gz").toString();

    @TempDir
    Path dir;

    private static Path sample(String name) {
        return Fixtures.projectDir().resolve("sample-models").resolve(name).resolve("model.onnx");
    }

    private static String fashionTest() {
        return Fixtures.projectDir().resolve("sample-models/data/fashion-mnist/t10k-images-idx3-ubyte.gz").toString();
    }

    @Test
    void staticInt8WritesTheModelAndAReportWithLayersTotalsAndTestFigures() throws Exception {
        Path model = sample("fashion-lenet5");
        byte[] original = Files.readAllBytes(model);
        Path out = dir.resolve("l5-int8.onnx");
        Run r = InspectCommandTest.cli("quantize", model.toString(), "--out", out.toString(), "--data", TRAIN,
                "--calibration", "64", "--limit", "500", "--range", "percentile", "--test", fashionTest(),
                "--latency-runs", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test accuracy"), r.out());
        List<String> latencies = r.out().lines().filter(l -> l.startsWith("latency")).toList();
        assertEquals(4, latencies.size(), r.out());
        latencies.forEach(l -> assertEquals(2, l.split("p10–p90", -1).length - 1, "both latencies with their spread: " + l));
        JsonNode j = new ObjectMapper().readTree(dir.resolve("l5-int8.onnx.report.json").toFile());
        assertEquals(5, j.get("layers").size());
        for (JsonNode l : j.get("layers")) {
            List<String> fields = new ArrayList<>();
            l.fieldNames().forEachRemaining(fields::add);
            assertTrue(fields.containsAll(List.of("name", "bits", "scheme", "zerosBefore", "zerosAfter")), fields.toString());
            assertEquals(8, l.get("bits").asInt());
            assertTrue(l.get("zerosAfter").asLong() >= l.get("zerosBefore").asLong());
        }
        JsonNode totals = j.get("totals");
        assertEquals(Files.size(model), totals.get("fileBytesBefore").asLong());
        assertEquals(Files.size(out), totals.get("fileBytesAfter").asLong());
        assertTrue(totals.get("compressedBytesAfter").asLong() < totals.get("compressedBytesBefore").asLong() / 3);
        assertEquals(64, j.get("calibration").get("samples").asInt());
        JsonNode test = j.get("test");
        assertEquals(10_000, test.get("samples").asInt());
        assertTrue(Math.abs(test.get("before").get("accuracy").asDouble() - 0.9041) < 1e-9, test.toString());
        assertTrue(Math.abs(test.get("after").get("accuracy").asDouble() - 0.9041) <= 0.005, test.toString());
        JsonNode lat = test.get("after").get("latencyMs");
        assertEquals(4, lat.size(), "batch 1 and 32, one thread and all");
        assertEquals(1, lat.get(0).get("batch").asInt());
        assertEquals(32, lat.get(3).get("batch").asInt());
        assertTrue(lat.get(0).get("p10Ms").asDouble() <= lat.get(0).get("p90Ms").asDouble());
        assertArrayEquals(original, Files.readAllBytes(model), "the input model is never written");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("l5-int8.onnx", "l5-int8.onnx.report.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file left");
        }
    }

    @Test
    void sensitivityMeasuresEachLayerAloneOnTheValidationData() throws Exception {
        Path out = dir.resolve("int4.onnx");
        Run r = InspectCommandTest.cli("quantize", sample("fashion-lenet-300-100").toString(), "--out", out.toString(),
                "--data", TRAIN, "--bits", "4", "--limit", "300", "--sensitivity", "--sensitivity-samples", "300");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(dir.resolve("int4.onnx.report.json").toFile());
        assertEquals("weights", j.get("mode").asText());
        JsonNode s = j.get("sensitivity");
        assertEquals(List.of("fc1.weight", "fc2.weight", "fc3.weight"),
                List.of(s.get(0).get("name").asText(), s.get(1).get("name").asText(), s.get(2).get("name").asText()));
        for (JsonNode e : s) {
            assertEquals("int4", e.get("precision").asText());
            assertEquals(300, e.get("samples").asInt());
            assertEquals(e.get("floatAccuracy").asDouble() - e.get("accuracy").asDouble(), e.get("drop").asDouble(), 1e-12);
        }
        assertTrue(r.out().contains("sensitivity fc1.weight alone at int4"), r.out());
    }

    @Test
    void aPerLayerChoiceKeepsTheNamedLayerFloat() throws Exception {
        Path out = dir.resolve("mixed.onnx");
        Run r = InspectCommandTest.cli("quantize", sample("fashion-lenet5").toString(), "--out", out.toString(),
                "--data", TRAIN, "--calibration", "32", "--limit", "200", "--layer", "conv1.weight=float",
                "--layer", "fc1.weight=int4", "--exclude", "fc3.weight");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(dir.resolve("mixed.onnx.report.json").toFile());
        java.util.Map<String, Integer> bits = new java.util.HashMap<>();
        j.get("layers").forEach(l -> bits.put(l.get("name").asText(), l.get("bits").asInt()));
        assertEquals(java.util.Map.of("conv1.weight", 32, "conv2.weight", 8, "fc1.weight", 4, "fc2.weight", 8,
                "fc3.weight", 32), bits);
        assertEquals(21, j.get("opset").asInt(), "INT4 needs opset 21");
    }

    /** The embedding fixture (Gather → ReduceMean with an axes attribute → Gemm) with a card and a CSV beside it. */
    private Path embedWithCard() throws Exception {
        Path model = dir.resolve("embed.onnx");
        Files.copy(Fixtures.torch("embed.onnx"), model);
        Files.writeString(dir.resolve(ModelCard.FILE_NAME), "{\"input\": \"input\", \"inputShape\": [1, 5], "
                + "\"layout\": \"NC\", \"scale\": 1, \"mean\": [0], \"std\": [1]}");
        Files.writeString(dir.resolve("data.csv"), "1,2,3,4,5,0\n5,4,3,2,1,1\n");
        return model;
    }

    @Test
    void aWeightThatIsNotAConvGemmOrMatMulIsRefusedNamingItsNode() throws Exception {
        Path model = embedWithCard();
        Run r = InspectCommandTest.cli("quantize", model.toString(), "--out", dir.resolve("q.onnx").toString(),
                "--data", dir.resolve("data.csv").toString(), "--layer", "emb.weight=int8");
        assertEquals(4, r.code(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("/emb/Gather") && r.err().contains("emb.weight"),
                r.err());
        assertFalse(Files.exists(dir.resolve("q.onnx")));
    }

    @Test
    void int4OnAGraphThatOpset21WouldChangeIsRefusedNamingTheNode() throws Exception {
        Path model = embedWithCard();
        Run r = InspectCommandTest.cli("quantize", model.toString(), "--out", dir.resolve("q.onnx").toString(),
                "--data", dir.resolve("data.csv").toString(), "--mode", "weights", "--bits", "4");
        assertEquals(4, r.code(), r.err());
        assertTrue(r.err().contains("/ReduceMean") && r.err().contains("opset 21"), r.err());
        assertFalse(Files.exists(dir.resolve("q.onnx")));
    }

    @Test
    void badOptionsAreUsageErrors() throws Exception {
        String m = sample("fashion-lenet5").toString();
        String o = dir.resolve("q.onnx").toString();
        assertEquals(2, InspectCommandTest.cli("quantize", m, "--out", o, "--data", TRAIN, "--layer", "fc1.weight=int3").code());
        assertEquals(2, InspectCommandTest.cli("quantize", m, "--out", o, "--data", TRAIN, "--layer", "nosuch=int8").code());
        assertEquals(2, InspectCommandTest.cli("quantize", m, "--out", o, "--data", TRAIN, "--block", "48").code());
        assertEquals(2, InspectCommandTest.cli("quantize", m, "--out", o, "--data", TRAIN, "--mode", "static", "--bits", "4").code());
        assertEquals(2, InspectCommandTest.cli("quantize", m, "--out", m, "--data", TRAIN).code(), "never over the input");
        assertFalse(Files.exists(Path.of(o)));
    }
}
