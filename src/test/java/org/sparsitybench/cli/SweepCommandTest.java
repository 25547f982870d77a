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
        assertEquals(5, Files.readAllLines(csv).size());
        assertEquals(2, InspectCommandTest.cli("sweep", sample(), "--data", data(), "--methods", "wanda", "--out",
                out.toString()).code());
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
