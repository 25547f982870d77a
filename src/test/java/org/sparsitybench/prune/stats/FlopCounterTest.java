package org.sparsitybench.prune.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;
import org.sparsitybench.formats.onnx.OnnxReader;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.testing.PythonOnnx;

/**
 * FLOPs from shapes: each weight's uses per sample, against counts computed independently in Python from each
 * fixture's shapes (onnx.shape_inference, or the torch model's own layer outputs where shape inference cannot
 * tell; {@code fixtures/thirdparty/expected.json}, written by make_fixtures.py).
 */
class FlopCounterTest {
    @TempDir
    Path dir;

    @Test
    void convWeightsAreUsedOncePerOutputPositionAndGemmWeightsOncePerRow() throws Exception {
        Model m = new OnnxReader().read(Fixtures.torch("cnn_bn.onnx"));
        FlopCounter u = FlopCounter.of(m);
        // input [N,1,8,8]: conv3x3 pad 1 keeps 8x8; conv3x3 without padding gives 6x6; then Flatten → Gemm.
        assertEquals(Map.of("0.weight", 64L, "3.weight", 36L, "6.weight", 1L), u.uses());
        long dense = u.flops(Map.of("0.weight", 36L, "3.weight", 216L, "6.weight", 1080L));
        assertEquals(2 * (64 * 36 + 36 * 216 + 1080), dense);
        assertEquals(2 * (64 * 18), u.flops(Map.of("0.weight", 18L)), "half the conv kept, half its FLOPs");
    }

    /**
     * concat_dw, concat_conv: layers after a Concat; transformer: MatMuls behind Reshapes whose shapes are computed
     * at run time; conv_stack: a Pad with computed pads and a Resize before later convs; cast_weights: fp16 weights
     * reaching Conv and MatMul through Cast.
     */
    @ParameterizedTest
    @ValueSource(strings = {"concat_dw", "concat_conv", "transformer", "conv_stack", "cast_weights", "head_softmax",
            "prezeroed"})
    void usesAndDenseFlopsMatchTheIndependentCount(String name) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(PythonOnnx.fixture("expected.json").toFile()).get(name);
        Model m = new OnnxReader().read(PythonOnnx.fixture(name + ".onnx"));
        FlopCounter u = FlopCounter.of(m);
        Map<String, Long> want = new TreeMap<>();
        expected.get("uses").fields().forEachRemaining(e -> want.put(e.getKey(), e.getValue().asLong()));
        assertEquals(want, new TreeMap<>(u.uses()));
        Map<String, Long> dense = new TreeMap<>();
        for (WeightTensor t : m.prunableTensors()) {
            dense.put(t.name(), t.elementCount());
        }
        assertEquals(expected.get("denseFlops").asLong(), u.flops(dense));
        assertEquals(java.util.List.of(), u.unknown(dense.keySet()));
    }

    @Test
    void recurrentWeightsAreUsedOncePerTimeStep() throws Exception {
        Model m = new OnnxReader().read(PythonOnnx.fixture("rnn.onnx"));
        FlopCounter u = FlopCounter.of(m);
        int recurrent = 0;
        for (WeightTensor t : m.prunableTensors()) {
            if (t.op().equals("LSTM") || t.op().equals("GRU")) {
                assertEquals(5L, u.uses(t.name()).orElseThrow(), t.name() + ": 5 steps of a batch of 1");
                recurrent++;
            }
        }
        assertEquals(4, recurrent);
        assertEquals(1L, u.uses("head.weight").orElseThrow());
    }

    @Test
    void aWeightWhoseInputShapeCannotBeToldIsUnknownNotZero() throws Exception {
        // The Reshape's target is a graph input: its shape is only known when the model runs.
        OnnxModelBuilder b = new OnnxModelBuilder("dyn", 13).input("X", 1, -1, 8).input("S", 7, 2).output("Y", 1, -1, 4);
        b.node("Reshape", new String[] {"X", "S"}, new String[] {"r"});
        b.initializer("W", new float[8 * 4], 8, 4);
        b.node("MatMul", new String[] {"r", "W"}, new String[] {"Y"});
        Path file = dir.resolve("dyn.onnx");
        b.save(file);
        FlopCounter u = FlopCounter.of(new OnnxReader().read(file));
        assertFalse(u.known("W"));
        assertEquals(java.util.List.of("W"), u.unknown(java.util.List.of("W")));
        assertTrue(u.uses().isEmpty());
    }
}
