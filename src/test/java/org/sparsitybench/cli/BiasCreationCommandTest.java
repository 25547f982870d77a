package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.testing.PythonOnnx;

/**
 * {@code --bias-correction} on layers that have no bias: the PyTorch CNN (fixtures/torch/fashion-cnn) rewritten by
 * Python's onnx so that its second Conv has no B, its first Linear is a MatMul with no Add after it, and its
 * classifier Gemm has no C. Pruning creates the three biases (new initializers, the Conv's B and the Gemm's C
 * inputs, an Add after the MatMul), corrects them, and the file passes onnx.checker and scores in ONNX Runtime
 * what the report says.
 */
class BiasCreationCommandTest {
    @TempDir
    Path dir;

    private static final String STRIP = """
            import sys, onnx
            from onnx import numpy_helper, helper
            m = onnx.load(sys.argv[1]); g = m.graph
            init = {t.name: t for t in g.initializer}
            for n in g.node:
                if n.op_type == "Conv" and n.input[1] == "onnx::Conv_35":
                    del n.input[2]
                if n.op_type == "Gemm" and n.input[1] == "11.weight":
                    del n.input[2]
                if n.op_type == "Gemm" and n.input[1] == "9.weight":
                    w = numpy_helper.to_array(init["9.weight"]).T.copy()
                    init["9.weight"].CopyFrom(numpy_helper.from_array(w, "9.weight"))
                    n.op_type = "MatMul"; del n.input[2]; del n.attribute[:]
            for b in ("onnx::Conv_36", "9.bias", "11.bias"):
                g.initializer.remove(init[b])
            onnx.checker.check_model(m)
            onnx.save(m, sys.argv[2])
            """;

    @Test
    void biasCorrectionCreatesTheMissingBiasesAndTheFileRunsAsReported() throws Exception {
        PythonOnnx.assumeAvailable();
        Path model = Files.createDirectories(dir.resolve("in")).resolve("model.onnx");
        Path source = Fixtures.torch("fashion-cnn").resolve("model.onnx");
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", STRIP, source.toString(), model.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log);
        Files.copy(source.resolveSibling("model-card.json"), model.resolveSibling("model-card.json"));
        byte[] before = Files.readAllBytes(model);
        Path out = Files.createDirectories(dir.resolve("out")).resolve("model.onnx");
        String test = Fixtures.projectDir().resolve(SparseGptCommandTest.TEST).toString();
        Run r = InspectCommandTest.cli("prune", model.toString(), "--out", out.toString(), "--method", "magnitude",
                "--sparsity", "0.7", "--bias-correction", "--data", SparseGptCommandTest.CALIBRATION.toString(),
                "--calibration", "128", "--eval-data", test, "--latency-runs", "0");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(before, Files.readAllBytes(model), "the model opened is not written to");

        JsonNode report = new ObjectMapper().readTree(Files.readString(out.resolveSibling("model.onnx.report.json")));
        JsonNode created = report.get("biasesCreated");
        assertEquals(3, created.size(), created.toString());
        JsonNode file = PythonOnnx.read(out); // fails the test when onnx.checker rejects the file
        for (String weight : new String[] {"onnx::Conv_35", "9.weight", "11.weight"}) {
            String bias = created.get(weight).asText();
            JsonNode t = file.get("tensors").get(bias);
            assertTrue(t != null && t.get("nonZeros").asInt() > 0, weight + ": bias " + bias + " corrected: " + t);
        }
        long adds = 0;
        for (JsonNode n : file.get("nodes")) {
            adds += n.get("op").asText().equals("Add") ? 1 : 0;
        }
        assertEquals(1, adds, "one Add, after the MatMul: " + file.get("nodes"));

        Run e = InspectCommandTest.cli("eval", out.toString(), "--data", test, "--json", "--latency-runs", "0");
        assertEquals(0, e.code(), e.err());
        assertEquals(report.get("measured").get("accuracy").asDouble(),
                new ObjectMapper().readTree(e.out()).get("accuracy").asDouble(), 1e-9,
                "ONNX Runtime scores the written file as the report says");
    }
}
