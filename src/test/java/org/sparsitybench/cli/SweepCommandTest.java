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
import org.sparsitybench.testing.Fixtures;

/** {@code sweep} and {@code sensitivity} on the digits sample, as files a user would plot. */
class SweepCommandTest {
    @TempDir
    Path dir;

    private static String sample() {
        return Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx").toString();
    }

    private static String data() {
        return Fixtures.projectDir().resolve("sample-models/data/digits/digits-test-images-idx3-ubyte.gz").toString();
    }

    @Test
    void sweepWritesEveryPointAsJsonAndCsv() throws Exception {
        Path out = dir.resolve("results.json");
        Path csv = dir.resolve("results.csv");
        Run r = InspectCommandTest.cli("sweep", sample(), "--data", data(), "--methods", "magnitude,l1-structured",
                "--levels", "0,0.5", "--out", out.toString(), "--csv", csv.toString(), "--latency-runs", "3");
        assertEquals(0, r.code(), r.err());
        JsonNode points = new ObjectMapper().readTree(out.toFile()).get("points");
        assertEquals(4, points.size());
        for (String f : List.of("method", "allocation", "requested", "achieved", "accuracy", "top5", "loss", "latencyMs",
                "compactLatencyMs", "sparseKernelSpeedup", "params", "flops", "fileBytes")) {
            assertTrue(points.get(0).has(f), f);
        }
        assertTrue(points.get(3).get("compactLatencyMs").isNumber(), "structured points are compacted and timed");
        assertTrue(points.get(1).get("compactLatencyMs").isNull(), "unstructured points have no compacted model");
        assertTrue(points.get(1).get("sparseKernelSpeedup").isNull(), "digits-mlp's Gemms (32x64, 10x32) are too "
                + "small to time a kernel on: no speedup is claimed");
        assertTrue(points.get(0).get("sparseKernelSpeedup").isNull(), "no speedup is reported at 0 % zeros");
        List<String> rows = Files.readAllLines(csv);
        assertEquals(5, rows.size());
        List<String> header = List.of(rows.get(0).split(","));
        for (int i = 1; i < rows.size(); i++) {
            String[] cells = rows.get(i).split(",", -1);
            double median = Double.parseDouble(cells[header.indexOf("latencyMs")]);
            double p10 = Double.parseDouble(cells[header.indexOf("latencyP10Ms")]);
            double p90 = Double.parseDouble(cells[header.indexOf("latencyP90Ms")]);
            assertTrue(p10 <= median && median <= p90, "every latency comes with its spread: " + rows.get(i));
        }
        String[] structured = rows.get(4).split(",", -1);
        assertTrue(Double.parseDouble(structured[header.indexOf("compactLatencyP90Ms")])
                >= Double.parseDouble(structured[header.indexOf("compactLatencyMs")]), rows.get(4));
        assertEquals("", rows.get(2).split(",", -1)[header.indexOf("compactLatencyP10Ms")],
                "no compacted model, no spread");
    }

    @Test
    void sweepRunsWandaCalibratedOnValidationAndNmThroughItsPatterns() throws Exception {
        Path out = dir.resolve("wn.json");
        Run r = InspectCommandTest.cli("sweep", sample(), "--data", data(), "--methods", "wanda,nm",
                "--levels", "0.5,0.75", "--out", out.toString(), "--latency-runs", "0", "--limit", "300");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(out.toFile());
        assertEquals("validation", root.get("calibration").get("split").asText(), "wanda chose on validation");
        assertEquals("test", root.get("split").asText());
        JsonNode points = root.get("points");
        assertEquals(4, points.size());
        assertEquals("wanda", points.get(0).get("method").asText());
        assertEquals(0.5, points.get(0).get("achieved").asDouble(), 1e-3);
        assertEquals("nm", points.get(2).get("method").asText());
        assertEquals(0.5, points.get(2).get("achieved").asDouble(), 1e-3, "0.5 is the 2:4 pattern");
        assertEquals(0.75, points.get(3).get("achieved").asDouble(), 1e-3, "0.75 is the 1:4 pattern");
        assertTrue(points.get(0).get("accuracy").asDouble() > 0.5, points.get(0).toString());
    }

    @Test
    void sweepWithRecoveryWritesOneShotAndRecoveredPointsSideBySide() throws Exception {
        Path out = dir.resolve("rec.json");
        Path csv = dir.resolve("rec.csv");
        Run r = InspectCommandTest.cli("sweep", sample(), "--data", data(), "--methods", "magnitude",
                "--levels", "0.8", "--out", out.toString(), "--csv", csv.toString(), "--latency-runs", "0",
                "--recover-epochs", "2", "--recover-limit", "600", "--recover-lr", "3e-3");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(out.toFile());
        assertEquals("train", root.get("recovery").get("trainSplit").asText());
        assertEquals(60, root.get("recovery").get("validationSamples").asInt(), "a seeded 10 % of 600");
        JsonNode points = root.get("points");
        assertEquals(2, points.size());
        assertEquals(0, points.get(0).get("recoveryEpochs").asInt());
        assertEquals(2, points.get(1).get("recoveryEpochs").asInt());
        assertEquals(points.get(0).get("achieved").asDouble(), points.get(1).get("achieved").asDouble(), 1e-9,
                "recovery keeps the masks");
        assertTrue(points.get(1).get("accuracy").asDouble() > points.get(0).get("accuracy").asDouble(),
                "fine-tuning recovers accuracy at 80 %: " + points);
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.get(0).endsWith(",recoveryEpochs,split"), lines.get(0));
        assertTrue(lines.get(2).endsWith(",2,test"), lines.get(2));
        assertTrue(r.out().contains("magnitude + recovery (2 ep)"), r.out());
    }

    @Test
    void sweepCrossesMethodsWithAllocations() throws Exception {
        Path out = dir.resolve("x.json");
        Run r = InspectCommandTest.cli("sweep", sample(), "--data", data(), "--methods", "magnitude,random",
                "--allocations", "uniform,erk", "--levels", "0.5,0.8", "--out", out.toString(), "--latency-runs", "0");
        assertEquals(0, r.code(), r.err());
        JsonNode points = new ObjectMapper().readTree(out.toFile()).get("points");
        assertEquals(8, points.size());
        assertEquals("erk", points.get(7).get("allocation").asText());
        assertEquals(0.8, points.get(7).get("achieved").asDouble(), 1e-3, "ERK still meets the target exactly");
    }

    @Test
    void sensitivityListsEveryLayersCurve() throws Exception {
        Path out = dir.resolve("sens.json");
        Run r = InspectCommandTest.cli("sensitivity", sample(), "--data", data(), "--levels", "0,0.5,0.9", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode layers = new ObjectMapper().readTree(out.toFile()).get("layers");
        assertEquals(2, layers.size());
        JsonNode first = layers.get(0).get("points");
        assertEquals(3, first.size());
        assertTrue(first.get(2).get("loss").asDouble() > first.get(0).get("loss").asDouble());
    }
}
