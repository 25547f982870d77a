package org.sparsitybench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.formats.onnx.OnnxReader;
import org.sparsitybench.model.Model;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/** The MLP sample's forward pass computed by hand with ND4J (matmul + ReLU) matches ONNX Runtime. */
class HandForwardPassTest {
    @Test
    void nd4jMatmulAndReluGiveOnnxRuntimesLogits() throws Exception {
        Path file = Fixtures.projectDir().resolve("sample-models/fashion-lenet-300-100/model.onnx");
        Model m = new OnnxReader().read(file);
        ModelCard card = ModelCard.forModel(file, null);
        LabeledData data = Datasets.open(Fixtures.projectDir().resolve(
                "sample-models/data/fashion-mnist/t10k-images-idx3-ubyte.gz"));
        LabeledData.Batch batch;
        try (LabeledData.Cursor c = data.batches(64)) {
            batch = c.next();
        }
        float[] x = batch.values().clone();
        card.preprocessInPlace(x, batch.count());
        float[] ort;
        try (OrtModel s = OrtModel.open(file, card.input(), 1)) {
            ort = s.run(x, new long[] {batch.count(), 784});
        }
        List<String> weights = m.prunableTensors().stream().map(t -> t.name()).toList();
        INDArray h = Nd4j.create(x, new long[] {batch.count(), 784});
        for (int l = 0; l < weights.size(); l++) {
            var w = m.tensor(weights.get(l)).orElseThrow();
            INDArray wt = Nd4j.create(w.data().readAllFloats(), w.shape()); // [out, in], Gemm transB = 1
            String bias = w.node().isEmpty() ? null : m.nodeTensors().stream().filter(x1 -> x1.name().equals(w.node()))
                    .flatMap(node -> node.tensors().stream()).filter(t -> t.rank() == 1).map(t -> t.name())
                    .findFirst().orElse(null);
            h = h.mmul(wt.transpose());
            if (bias != null) {
                var b = m.tensor(bias).orElseThrow();
                h.addiRowVector(Nd4j.create(b.data().readAllFloats(), new long[] {1, b.elementCount()}));
            }
            if (l < weights.size() - 1) {
                h = Transforms.relu(h);
            }
        }
        float[] mine = h.dup('c').reshape(h.length()).toFloatVector();
        assertEquals(ort.length, mine.length);
        for (int i = 0; i < ort.length; i++) {
            assertEquals(ort[i], mine[i], 1e-5f * Math.max(1f, Math.abs(ort[i])), "logit " + i);
        }
    }
}
