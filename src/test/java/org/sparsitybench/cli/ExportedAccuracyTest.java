package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.testing.Fixtures;

/** What a sweep reports is what the exported file scores when evaluated again from disk. */
class ExportedAccuracyTest {
    @TempDir
    Path dir;

    @Test
    void anExportReEvaluatedFromDiskScoresExactlyWhatTheSweepReported() throws Exception {
        Path sample = Fixtures.projectDir().resolve("sample-models/fashion-lenet-300-100/model.onnx");
        String data = Fixtures.projectDir().resolve("sample-models/data/fashion-mnist/t10k-images-idx3-ubyte.gz").toString();
        Path results = dir.resolve("sweep.json");
        Run sweep = InspectCommandTest.cli("sweep", sample.toString(), "--data", data, "--methods", "magnitude",
                "--levels", "0.7", "--allocation", "global", "--out", results.toString(), "--latency-runs", "0");
        assertEquals(0, sweep.code(), sweep.err());
        double swept = new ObjectMapper().readTree(results.toFile()).get("points").get(0).get("accuracy").asDouble();

        Path out = dir.resolve("model.onnx");
        assertEquals(0, InspectCommandTest.cli("prune", sample.toString(), "--out", out.toString(), "--method", "global",
                "--sparsity", "0.7").code());
        assertTrue(Files.isRegularFile(dir.resolve("model-card.json")), "prune writes the card beside its output");
        Run eval = InspectCommandTest.cli("eval", out.toString(), "--data", data, "--json", "--latency-runs", "0");
        assertEquals(0, eval.code(), eval.err());
        assertEquals(swept, new ObjectMapper().readTree(eval.out()).get("accuracy").asDouble(), 0.0);
    }

    @Test
    void sensitivityGuidedPruningFromTheCommandLineReportsItsMeasurement() throws Exception {
        Path sample = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");
        String data = Fixtures.projectDir().resolve("sample-models/data/digits/digits-test-images-idx3-ubyte.gz").toString();
        Path out = dir.resolve("s.onnx");
        Run r = InspectCommandTest.cli("prune", sample.toString(), "--out", out.toString(), "--allocation", "sensitivity",
                "--sparsity", "0.7", "--data", data);
        assertEquals(0, r.code(), r.err());
        JsonNode rep = new ObjectMapper().readTree(dir.resolve("s.onnx.report.json").toFile());
        assertEquals(0.7, rep.get("totals").get("achieved").asDouble(), 1e-3);
        assertTrue(rep.has("sensitivitySamples"));
        assertEquals("sensitivity", rep.get("config").get("global").get("allocation").asText());
    }

    @Test
    void anAccuracyBudgetPrunesWhatTheMeasurementsAllow() throws Exception {
        Path sample = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");
        String data = Fixtures.projectDir().resolve("sample-models/data/digits/digits-test-images-idx3-ubyte.gz").toString();
        Path out = dir.resolve("b.onnx");
        Run r = InspectCommandTest.cli("prune", sample.toString(), "--out", out.toString(), "--allocation", "sensitivity",
                "--accuracy-budget", "0.02", "--data", data);
        assertEquals(0, r.code(), r.err());
        JsonNode rep = new ObjectMapper().readTree(dir.resolve("b.onnx.report.json").toFile());
        assertTrue(rep.get("totals").get("achieved").asDouble() > 0.2, rep.get("totals").toString());
        assertTrue(Files.isRegularFile(dir.resolve("model-card.json")), "prune writes the card beside its output");
        Run e = InspectCommandTest.cli("eval", out.toString(), "--data", data, "--json", "--latency-runs", "0");
        double acc = new ObjectMapper().readTree(e.out()).get("accuracy").asDouble();
        double card = org.sparsitybench.eval.ModelCard.read(sample.resolveSibling("model-card.json")).accuracy();
        assertTrue(card - acc <= 0.04, "budget 0.02 (estimated from single-layer drops): " + card + " -> " + acc);
    }
}
