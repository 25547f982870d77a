package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.testing.Ort;
import org.sparsitybench.testing.PythonOnnx;

/**
 * {@code prune} on the graph shapes that broke on third-party models (issue 20), each a small fixture made by
 * {@code fixtures/thirdparty/make_fixtures.py}; outputs checked in ONNX Runtime and read back with Python's onnx.
 */
class ThirdPartyGraphsTest {
    @TempDir
    Path dir;

    static JsonNode report(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolveSibling(out.getFileName() + ".report.json").toFile());
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return x;
    }

    @Test
    void aConcatFeedingADepthwiseConvIsCompactedWithTheDepthwiseGroupUpdated() throws Exception {
        Path in = PythonOnnx.copy("concat_dw.onnx", dir);
        Path out = dir.resolve("out.onnx");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "l1-structured",
                "--sparsity", "0.5", "--compact");
        assertEquals(0, r.code(), r.err());
        assertTrue(report(out).get("compactionCheck").get("passed").asBoolean());
        JsonNode py = PythonOnnx.read(out);
        long kept = py.get("tensors").get("dw.weight").get("shape").get(0).asLong();
        assertTrue(kept < 11, "channels removed: " + kept);
        assertEquals(kept, py.get("nodes").get("/dw/Conv").get("attrs").get("group").asLong());
        assertEquals(py.get("tensors").get("a.weight").get("shape").get(0).asLong()
                + py.get("tensors").get("b.weight").get("shape").get(0).asLong(), kept);
        float[] y = Ort.run(out, "input", random(2 * 3 * 8 * 8, 1), 2, 3, 8, 8);
        assertEquals(8, y.length);
    }

    @Test
    void structuredPruningKeepsTheClassesOfAHeadBehindItsSoftmax() throws Exception {
        Path in = PythonOnnx.copy("head_softmax.onnx", dir);
        Path out = dir.resolve("out.onnx");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "l1-structured",
                "--sparsity", "0.5");
        assertEquals(0, r.code(), r.err());
        JsonNode py = PythonOnnx.read(out);
        assertEquals(3 * 12, py.get("tensors").get("l2.weight").get("nonZeros").asInt(), "every class kept whole");
        assertTrue(py.get("tensors").get("l1.weight").get("nonZeros").asInt() < 12 * 16, "the hidden layer pruned");
        for (JsonNode layer : report(out).get("layers")) {
            if (layer.get("name").asText().equals("l2.weight")) {
                layer.get("keptPerChannel").forEach(c -> assertEquals(12, c.asInt(), "class row kept: " + layer));
            }
        }
        float[] y = Ort.run(out, "input", random(16, 2), 1, 16);
        assertEquals(3, y.length);
    }

    @Test
    void nmPrunesLstmAndGruWeightsAlongTheirInputDimension() throws Exception {
        Path in = PythonOnnx.copy("rnn.onnx", dir);
        Path out = dir.resolve("out.onnx");
        Run r = InspectCommandTest.cli("prune", in.toString(), "--out", out.toString(), "--method", "nm", "--nm", "2:4");
        assertEquals(0, r.code(), r.err());
        org.sparsitybench.model.Model m = new org.sparsitybench.formats.onnx.OnnxReader().read(out);
        int recurrent = 0;
        for (org.sparsitybench.model.WeightTensor t : m.prunableTensors()) {
            if (!t.op().equals("LSTM") && !t.op().equals("GRU")) {
                continue;
            }
            recurrent++;
            float[] v = t.data().readAllFloats();
            int in4 = (int) t.dim(2);
            for (int row = 0; row < v.length / in4; row++) {
                for (int g = 0; g < in4; g += 4) {
                    int nz = 0;
                    for (int q = 0; q < 4; q++) {
                        nz += v[row * in4 + g + q] != 0f ? 1 : 0;
                    }
                    assertEquals(2, nz, t.name() + " row " + row + " group " + g);
                }
            }
        }
        assertEquals(4, recurrent, "W and R of the LSTM and the GRU");
        JsonNode py = PythonOnnx.read(out);
        py.get("tensors").fields().forEachRemaining(e -> {
            if (m.tensor(e.getKey()).map(t -> t.prunable() && (t.op().equals("LSTM") || t.op().equals("GRU"))).orElse(false)) {
                long size = 1;
                for (JsonNode d : e.getValue().get("shape")) {
                    size *= d.asLong();
                }
                assertEquals(size / 2, e.getValue().get("nonZeros").asLong(), e.getKey());
            }
        });
        float[] y = Ort.run(out, "input", random(2 * 5 * 16, 3), 2, 5, 16);
        assertEquals(6, y.length);
    }
}
