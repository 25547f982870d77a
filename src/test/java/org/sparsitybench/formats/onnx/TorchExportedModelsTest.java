package org.sparsitybench.formats.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.testing.Ort;

/**
 * Models exported by PyTorch's {@code torch.onnx.export} (fixtures made by
 * {@code src/test/resources/fixtures/torch/make_fixtures.py}): read, classified, and written back unchanged
 * with ONNX Runtime giving bit-identical outputs that also match PyTorch's own.
 */
class TorchExportedModelsTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            mlp,    2;16
            cnn,    2;1;8;8
            cnn_bn, 2;1;8;8
            matmul, 2;16
            lstm,   2;4;6
            embed,  2;5
            """)
    void roundTripKeepsOnnxRuntimeOutputsBitIdenticalAndEqualToTorch(String name, String shapeText) throws Exception {
        long[] shape = java.util.Arrays.stream(shapeText.split(";")).mapToLong(Long::parseLong).toArray();
        Path in = Fixtures.torch(name + ".onnx");
        Model m = new OnnxReader().read(in);
        Path out = dir.resolve(name + ".pruned.onnx");
        new OnnxWriter().write(m, Map.of(), Map.of(), out);
        float[] original;
        float[] copy;
        if (name.equals("embed")) {
            long[] ids = Fixtures.longs(Fixtures.torch(name + ".input.bin"));
            original = Ort.runLong(in, "input", ids, shape);
            copy = Ort.runLong(out, "input", ids, shape);
        } else {
            float[] x = Fixtures.floats(Fixtures.torch(name + ".input.bin"));
            original = Ort.run(in, "input", x, shape);
            copy = Ort.run(out, "input", x, shape);
        }
        assertArrayEquals(original, copy, 0f);
        assertArrayEquals(Fixtures.floats(Fixtures.torch(name + ".output.bin")), original, 1e-5f);
    }

    @Test
    void convBatchNormGemmChainIsClassifiedByOperator() throws Exception {
        Model m = new OnnxReader().read(Fixtures.torch("cnn_bn.onnx"));
        Map<String, String> summary = m.tensors().stream().collect(Collectors.toMap(WeightTensor::name,
                t -> t.op() + "/" + t.role() + "/" + (t.prunable() ? "axis" + t.pruneAxis() : "-")));
        assertEquals(Map.of(
                "0.weight", "Conv/WEIGHT/axis0", "0.bias", "Conv/BIAS/-",
                "1.weight", "BatchNormalization/NORM/-", "1.bias", "BatchNormalization/NORM/-",
                "1.running_mean", "BatchNormalization/NORM/-", "1.running_var", "BatchNormalization/NORM/-",
                "3.weight", "Conv/WEIGHT/axis0", "3.bias", "Conv/BIAS/-",
                "6.weight", "Gemm/WEIGHT/axis0", "6.bias", "Gemm/BIAS/-"), summary);
        assertEquals(1363, m.totalParams());
        assertEquals(36 + 216 + 1080, m.prunableParams());
    }

    @Test
    void recurrentWeightsMatMulOperandsAndEmbeddingTablesArePrunableShapeConstantsAreNot() throws Exception {
        Model lstm = new OnnxReader().read(Fixtures.torch("lstm.onnx"));
        for (WeightTensor t : lstm.tensors()) {
            if (t.op().equals("LSTM") && t.rank() == 3) {
                assertEquals(1, t.pruneAxis(), t.name() + ": W and R keep gates×hidden on axis 1");
            }
            if (t.dtype() == org.sparsitybench.model.DType.INT64) {
                assertEquals(false, t.prunable(), t.name());
            }
        }
        assertEquals(2, lstm.prunableTensors().stream().filter(t -> t.op().equals("LSTM")).count());
        assertEquals(TensorRole.BIAS, lstm.tensor("onnx::LSTM_111").orElseThrow().role());

        Model matmul = new OnnxReader().read(Fixtures.torch("matmul.onnx"));
        assertEquals(1, matmul.tensor("W").orElseThrow().pruneAxis(), "x @ W: output features on W's last axis");
        assertEquals(TensorRole.BIAS, matmul.tensor("b").orElseThrow().role(), "Add after MatMul is a bias");

        Model embed = new OnnxReader().read(Fixtures.torch("embed.onnx"));
        WeightTensor table = embed.tensor("emb.weight").orElseThrow();
        assertEquals("Gather", table.op());
        assertEquals(true, table.prunable());
    }
}
