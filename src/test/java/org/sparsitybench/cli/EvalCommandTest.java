package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.testing.Fixtures;

/** {@code sparsitybench eval} on the bundled samples and their bundled test data. */
class EvalCommandTest {
    @TempDir
    Path dir;

    private static Path sample(String name) {
        return Fixtures.projectDir().resolve("sample-models").resolve(name).resolve("model.onnx");
    }

    @Test
    void accuracyOnTheFullTestSplitEqualsTheCard() throws Exception {
        Path model = sample("fashion-lenet5");
        Path data = Fixtures.projectDir().resolve("sample-models/data/fashion-mnist/t10k-images-idx3-ubyte.gz");
        Run r = InspectCommandTest.cli("eval", model.toString(), "--data", data.toString(), "--json",
                "--latency-runs", "5", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        ModelCard card = ModelCard.read(model.resolveSibling(ModelCard.FILE_NAME));
        assertEquals(card.accuracy(), j.get("accuracy").asDouble(), 1e-12);
        assertEquals(10_000, j.get("samples").asInt());
        assertEquals(10, j.get("perClass").size());
        assertTrue(j.get("top5").asDouble() >= j.get("accuracy").asDouble());
        assertTrue(j.get("loss").asDouble() > 0);
        JsonNode lat = j.get("latency");
        assertEquals(1, lat.get("threads").asInt());
        assertTrue(lat.get("p10Ms").asDouble() <= lat.get("medianMs").asDouble());
        assertTrue(lat.get("medianMs").asDouble() <= lat.get("p90Ms").asDouble());
        JsonNode grid = j.get("latencies");
        assertEquals(4, grid.size(), "batch 1 and 256, one thread and all cores");
        assertEquals(1, grid.get(0).get("batch").asInt());
        assertEquals(256, grid.get(3).get("batch").asInt());
        assertEquals(0, grid.get(3).get("threads").asInt());
    }

    @Test
    void aPrunedExportReEvaluatedFromDiskLosesAccuracyAtHighSparsity() throws Exception {
        Path model = sample("fashion-lenet5");
        Path data = Fixtures.projectDir().resolve("sample-models/data/fashion-mnist/t10k-images-idx3-ubyte.gz");
        Path out = dir.resolve("model.onnx");
        assertEquals(0, InspectCommandTest.cli("prune", model.toString(), "--out", out.toString(), "--sparsity", "0.95").code());
        assertTrue(Files.isRegularFile(dir.resolve(ModelCard.FILE_NAME)), "prune copies the model card beside its output");
        Run dense = InspectCommandTest.cli("eval", model.toString(), "--data", data.toString(), "--json", "--latency-runs", "0", "--limit", "2000");
        Run pruned = InspectCommandTest.cli("eval", out.toString(), "--data", data.toString(), "--json", "--latency-runs", "0", "--limit", "2000");
        double a = new ObjectMapper().readTree(dense.out()).get("accuracy").asDouble();
        double b = new ObjectMapper().readTree(pruned.out()).get("accuracy").asDouble();
        assertTrue(b < a, "95% magnitude pruning costs accuracy: " + a + " -> " + b);
        Run kernel = InspectCommandTest.cli("eval", out.toString(), "--data", data.toString(), "--json", "--latency-runs",
                "0", "--limit", "100", "--sparse-kernel");
        JsonNode k = new ObjectMapper().readTree(kernel.out());
        List<String> timed = new java.util.ArrayList<>();
        k.get("sparseKernel").forEach(l -> timed.add(l.get("tensor").asText()));
        assertEquals(List.of("fc1.weight"), timed, "only the Gemm big enough to time (120x400); fc2 (84x120) and "
                + "fc3 (10x84) take less than the dense call's own cost");
        for (JsonNode l : k.get("sparseKernel")) {
            assertEquals(0.95, l.get("sparsity").asDouble(), 0.01);
            assertTrue(l.get("batch1Speedup").asDouble() > 0);
        }
        assertTrue(k.get("note").asText().contains("dense"));
    }

    @Test
    void withoutDataItMeasuresTheCardsTestSplitAndSaysWhichSplit() throws Exception {
        Path model = sample("fashion-lenet5");
        Path data = Fixtures.projectDir().resolve("sample-models/data/fashion-mnist/t10k-images-idx3-ubyte.gz");
        Run byCard = InspectCommandTest.cli("eval", model.toString(), "--json", "--latency-runs", "0", "--limit", "500");
        Run given = InspectCommandTest.cli("eval", model.toString(), "--data", data.toString(), "--json",
                "--latency-runs", "0", "--limit", "500");
        assertEquals(0, byCard.code(), byCard.err());
        JsonNode a = new ObjectMapper().readTree(byCard.out());
        JsonNode b = new ObjectMapper().readTree(given.out());
        assertEquals("test", a.get("split").asText());
        assertTrue(a.get("dataset").asText().endsWith("t10k-images-idx3-ubyte.gz"), a.toString());
        assertEquals("test", b.get("split").asText(), "the card's own test file given with --data is the test split");
        assertEquals(a.get("accuracy").asDouble(), b.get("accuracy").asDouble(), 0.0);
        Run text = InspectCommandTest.cli("eval", model.toString(), "--latency-runs", "3", "--limit", "200");
        assertTrue(text.out().contains("on 200 samples of the test split ("), text.out());
        // Every latency printed comes with its spread.
        List<String> latencies = text.out().lines().filter(l -> l.contains(" ms")).toList();
        assertEquals(5, latencies.size(), text.out());
        latencies.forEach(l -> assertTrue(l.contains("(p10 ") && l.contains(", p90 "), l));

        // A file the card does not name is measured as given, and called so.
        Path other = dir.resolve("copy-images-idx3-ubyte.gz");
        Files.copy(data, other);
        Files.copy(data.resolveSibling("t10k-labels-idx1-ubyte.gz"), dir.resolve("copy-labels-idx1-ubyte.gz"));
        Run elsewhere = InspectCommandTest.cli("eval", model.toString(), "--data", other.toString(), "--json",
                "--latency-runs", "0", "--limit", "200");
        assertEquals(0, elsewhere.code(), elsewhere.err());
        assertEquals("given", new ObjectMapper().readTree(elsewhere.out()).get("split").asText());

        // A card that names no test data, and no --data: exit 3 naming the model and what to give.
        Path bare = dir.resolve("bare").resolve("model.onnx");
        Files.createDirectories(bare.getParent());
        Files.copy(model, bare);
        String card = Files.readString(model.resolveSibling(ModelCard.FILE_NAME))
                .replaceAll("\"test\" : \"[^\"]*\",", "").replaceAll("\"train\" : \"[^\"]*\",", "");
        Files.writeString(bare.resolveSibling(ModelCard.FILE_NAME), card);
        Run none = InspectCommandTest.cli("eval", bare.toString(), "--latency-runs", "0");
        assertEquals(3, none.code(), none.out());
        assertTrue(none.err().contains(bare.toString()) && none.err().contains("--data"), none.err());
    }

    @Test
    void aModelWithoutACardGetsAMessageSayingHowToWriteOne() throws Exception {
        Path model = dir.resolve("m.onnx");
        Files.copy(Fixtures.torch("mlp.onnx"), model);
        Path csv = dir.resolve("d.csv");
        Files.writeString(csv, "1,2,3\n4,5,6\n");
        Run r = InspectCommandTest.cli("eval", model.toString(), "--data", csv.toString());
        assertEquals(3, r.code());
        assertTrue(r.err().contains("model-card.json") && r.err().contains("--preprocess"), r.err());
    }

    @Test
    void aDatasetThatDoesNotFitTheInputIsBadInput() throws Exception {
        Path model = dir.resolve("m.onnx");
        Files.copy(Fixtures.torch("mlp.onnx"), model);
        Files.writeString(dir.resolve(ModelCard.FILE_NAME), "{\"input\":\"input\",\"inputShape\":[1,16],\"layout\":\"NC\","
                + "\"scale\":1,\"mean\":[0],\"std\":[1],\"labels\":[\"a\",\"b\",\"c\",\"d\"]}");
        Path csv = dir.resolve("d.csv");
        Files.writeString(csv, "f1,f2,label\n1,2,0\n4,5,1\n");
        Run r = InspectCommandTest.cli("eval", model.toString(), "--data", csv.toString(), "--latency-runs", "0");
        assertEquals(3, r.code(), r.out());
        assertTrue(r.err().contains(csv.toString()) && r.err().contains("16"), r.err());
    }
}
