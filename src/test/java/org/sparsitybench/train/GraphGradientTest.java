package org.sparsitybench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrFloat;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrInt;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrInts;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.UnsupportedModelException;

/**
 * Every op the graph reader trains, checked twice on small graphs built for it: its inference forward pass
 * against ONNX Runtime's on the same file (so pads, strides, dilations, groups and attribute defaults mean
 * what ONNX says), and its backward pass against central finite differences of the loss for every parameter
 * tensor (so the gradients flowing through each op are right).
 */
class GraphGradientTest {
    /** Finite-difference step; graphs without kinks (no ReLU or max) use a larger one, above float rounding. */
    private static final double STEP = 5e-4;
    private static final double SMOOTH_STEP = 1e-2;
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;

    @TempDir
    Path dir;

    private final Random rng = new Random(21);

    private String init(OnnxModelBuilder b, String name, long... dims) {
        int n = 1;
        for (long d : dims) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextGaussian() * 0.5);
        }
        b.initializer(name, v, dims);
        return name;
    }

    @Test
    void gemmWithTransposesAlphaBetaAndScalarBiasAndTanh() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("g", 13).input("x", FLOAT, -1, 5).output("y", FLOAT, -1, 3);
        b.node("Gemm", new String[] {"x", init(b, "w1", 5, 4), init(b, "c1", 4)}, new String[] {"h"},
                attrFloat("alpha", 0.7f), attrFloat("beta", 1.3f));
        b.node("Tanh", new String[] {"h"}, new String[] {"t"});
        b.node("Gemm", new String[] {"t", init(b, "w2", 3, 4), init(b, "c2", 1)}, new String[] {"y"},
                attrInt("transB", 1));
        check(b, new long[] {5}, false);
    }

    @Test
    void matMulWithBiasAddSigmoidLeakyReluAndFinalSoftmax() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("g", 13).input("x", FLOAT, -1, 6).output("p", FLOAT, -1, 3);
        b.node("MatMul", new String[] {"x", init(b, "w1", 6, 4)}, new String[] {"m"});
        b.node("Add", new String[] {"m", init(b, "b1", 4)}, new String[] {"a"});
        b.node("Sigmoid", new String[] {"a"}, new String[] {"s"});
        b.node("MatMul", new String[] {"s", init(b, "w2", 4, 3)}, new String[] {"m2"});
        b.node("Add", new String[] {init(b, "b2", 1, 3), "m2"}, new String[] {"a2"});
        b.node("LeakyRelu", new String[] {"a2"}, new String[] {"l"}, attrFloat("alpha", 0.2f));
        b.node("Softmax", new String[] {"l"}, new String[] {"p"}, attrInt("axis", 1));
        GraphNetwork net = check(b, new long[] {6}, false);
        assertEquals("Softmax", net.finalActivation());
    }

    /** Asymmetric pads and strides, batch norm, max and average pooling with padding, a dilated grouped conv. */
    private OnnxModelBuilder convolutions() {
        OnnxModelBuilder b = new OnnxModelBuilder("g", 13).input("x", FLOAT, -1, 2, 7, 7).output("y", FLOAT, -1, 3);
        b.node("Conv", new String[] {"x", init(b, "k1", 4, 2, 3, 3), init(b, "kb1", 4)}, new String[] {"c1"},
                attrInts("pads", 1, 0, 1, 2), attrInts("strides", 1, 2));
        b.node("BatchNormalization", new String[] {"c1", init(b, "g1", 4), init(b, "be1", 4), init(b, "mu1", 4),
            positive(b, "var1", 4)}, new String[] {"n1"}, attrFloat("epsilon", 1e-3f));
        b.node("Relu", new String[] {"n1"}, new String[] {"r1"});
        b.node("MaxPool", new String[] {"r1"}, new String[] {"p1"}, attrInts("kernel_shape", 3, 3),
                attrInts("strides", 2, 2), attrInts("pads", 1, 1, 1, 1));
        b.node("Conv", new String[] {"p1", init(b, "k2", 4, 2, 2, 2)}, new String[] {"c2"},
                attrInts("dilations", 2, 1), attrInts("pads", 1, 1, 1, 1), attrInt("group", 2));
        b.node("AveragePool", new String[] {"c2"}, new String[] {"a2"}, attrInts("kernel_shape", 2, 2),
                attrInts("pads", 1, 1, 0, 0));
        b.node("GlobalAveragePool", new String[] {"a2"}, new String[] {"g"});
        b.node("Flatten", new String[] {"g"}, new String[] {"f"}, attrInt("axis", 1));
        b.node("Gemm", new String[] {"f", init(b, "w", 3, 4), init(b, "wb", 3)}, new String[] {"y"},
                attrInt("transB", 1));
        return b;
    }

    @Test
    void convolutionsBatchNormWithBatchStatisticsAndPooling() throws Exception {
        check(convolutions(), new long[] {2, 7, 7}, false);
    }

    @Test
    void batchNormWithFrozenStatistics() throws Exception {
        check(convolutions(), new long[] {2, 7, 7}, true);
    }

    @Test
    void depthwiseConvolutionResidualAddConcatReshapeIdentityAndDropout() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("g", 13).input("x", FLOAT, -1, 3, 5, 5).output("y", FLOAT, -1, 3);
        b.node("Conv", new String[] {"x", init(b, "k1", 6, 3, 1, 1)}, new String[] {"a"});
        b.node("Conv", new String[] {"a", init(b, "dw", 6, 1, 3, 3), init(b, "dwb", 6)}, new String[] {"d"},
                attrInts("pads", 1, 1, 1, 1), attrInt("group", 6));
        b.node("Add", new String[] {"a", "d"}, new String[] {"r"});
        b.node("Conv", new String[] {"r", init(b, "k3", 2, 6, 3, 3)}, new String[] {"e"}, attrInts("pads", 1, 1, 1, 1));
        b.node("Add", new String[] {"e", init(b, "eb", 2, 1, 1)}, new String[] {"eb2"});
        b.node("Concat", new String[] {"r", "eb2"}, new String[] {"cat"}, attrInt("axis", 1));
        b.node("Identity", new String[] {"cat"}, new String[] {"id"});
        b.initializer(OnnxModelBuilder.int64Tensor("shape", new long[] {0, -1}, 2));
        b.node("Reshape", new String[] {"id", "shape"}, new String[] {"flat"});
        b.node("Gemm", new String[] {"flat", init(b, "w", 3, 8 * 25)}, new String[] {"z"}, attrInt("transB", 1));
        b.node("Dropout", new String[] {"z"}, new String[] {"y"});
        check(b, new long[] {3, 5, 5}, false, SMOOTH_STEP);
    }

    /**
     * Unpadded stride-1 convolutions (one of them dilated and grouped), each after another layer so that their
     * input gradients (the fold) count in the finite differences.
     */
    @Test
    void validConvolutionsAfterAnotherLayer() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("g", 13).input("x", FLOAT, -1, 2, 6, 6).output("y", FLOAT, -1, 3);
        b.node("Conv", new String[] {"x", init(b, "k1", 3, 2, 3, 3)}, new String[] {"c1"},
                attrInts("pads", 1, 1, 1, 1));
        b.node("Conv", new String[] {"c1", init(b, "k2", 4, 3, 3, 3), init(b, "kb2", 4)}, new String[] {"c2"});
        b.node("Tanh", new String[] {"c2"}, new String[] {"t"});
        b.node("Conv", new String[] {"t", init(b, "k3", 4, 2, 2, 2)}, new String[] {"c3"},
                attrInts("dilations", 2, 2), attrInt("group", 2));
        b.node("Flatten", new String[] {"c3"}, new String[] {"f"}, attrInt("axis", 1));
        b.node("Gemm", new String[] {"f", init(b, "w", 3, 16)}, new String[] {"y"}, attrInt("transB", 1));
        check(b, new long[] {2, 6, 6}, false, STEP);
    }

    /** Conv, ReLU, 2×2 max pooling, conv, ReLU, padded 3×3 max pooling; {@code extra} outputs are declared too. */
    private OnnxModelBuilder reluPools(String... extra) {
        rng.setSeed(7);
        OnnxModelBuilder b = new OnnxModelBuilder("g", 13).input("x", FLOAT, -1, 1, 8, 8).output("y", FLOAT, -1, 3);
        for (String e : extra) {
            b.output(e, FLOAT, -1, -1, -1, -1);
        }
        b.node("Conv", new String[] {"x", init(b, "k1", 2, 1, 3, 3), init(b, "kb1", 2)}, new String[] {"c1"},
                attrInts("pads", 1, 1, 1, 1));
        b.node("Relu", new String[] {"c1"}, new String[] {"r1"});
        b.node("MaxPool", new String[] {"r1"}, new String[] {"p1"}, attrInts("kernel_shape", 2, 2),
                attrInts("strides", 2, 2));
        b.node("Conv", new String[] {"p1", init(b, "k2", 3, 2, 3, 3), init(b, "kb2", 3)}, new String[] {"c2"},
                attrInts("pads", 1, 1, 1, 1));
        b.node("Relu", new String[] {"c2"}, new String[] {"r2"});
        b.node("MaxPool", new String[] {"r2"}, new String[] {"p2"}, attrInts("kernel_shape", 3, 3),
                attrInts("strides", 2, 2), attrInts("pads", 1, 1, 1, 1));
        b.node("Flatten", new String[] {"p2"}, new String[] {"f"}, attrInt("axis", 1));
        b.node("Gemm", new String[] {"f", init(b, "w", 3, 12), init(b, "wb", 3)}, new String[] {"y"},
                attrInt("transB", 1));
        return b;
    }

    @Test
    void reluBeforeMaxPoolingIsFoldedIntoItWithTheSameOutputsAndGradients() throws Exception {
        GraphNetwork folded = check(reluPools(), new long[] {1, 8, 8}, false);
        assertEquals(List.of("Conv", "MaxPool", "Conv", "MaxPool", "Flatten", "Gemm"), folded.opTypes(),
                "each ReLU read by a max pooling alone is folded into it");
        Path f = dir.resolve("separate.onnx");
        reluPools("r1", "r2").save(f);
        GraphNetwork separate = OnnxGraphReader.read(ModelFiles.read(f), new long[] {1, 8, 8}, false);
        assertEquals(2, separate.opTypes().stream().filter("Relu"::equals).count(), "a ReLU output read elsewhere "
                + "(here a graph output) keeps its own step");
        int n = 5;
        float[] x = gaussian(n * 64);
        int[] labels = {0, 1, 2, 1, 0};
        float[] grad = new float[n * 3];
        double a = loss(folded, x, labels, 3, grad, true);
        double b = loss(separate, x, labels, 3, grad, true);
        assertEquals(a, b, 0.0, "training loss");
        for (String name : folded.params().keySet()) {
            assertArrayEquals(separate.params().get(name).grad, folded.params().get(name).grad, name);
        }
    }

    /**
     * Conv, batch norm, ReLU, 2×2 max pooling (on 9×9 maps: the last row and column are in no window), conv,
     * batch norm, 2×2 max pooling; {@code extra} outputs are declared too.
     */
    private OnnxModelBuilder normPools(String... extra) {
        rng.setSeed(9);
        OnnxModelBuilder b = new OnnxModelBuilder("g", 13).input("x", FLOAT, -1, 1, 9, 9).output("y", FLOAT, -1, 3);
        for (String e : extra) {
            b.output(e, FLOAT, -1, -1, -1, -1);
        }
        b.node("Conv", new String[] {"x", init(b, "k1", 3, 1, 3, 3), init(b, "kb1", 3)}, new String[] {"c1"},
                attrInts("pads", 1, 1, 1, 1));
        b.node("BatchNormalization", new String[] {"c1", init(b, "g1", 3), init(b, "be1", 3), init(b, "mu1", 3),
            positive(b, "var1", 3)}, new String[] {"n1"});
        b.node("Relu", new String[] {"n1"}, new String[] {"r1"});
        b.node("MaxPool", new String[] {"r1"}, new String[] {"p1"}, attrInts("kernel_shape", 2, 2),
                attrInts("strides", 2, 2));
        b.node("Conv", new String[] {"p1", init(b, "k2", 4, 3, 3, 3)}, new String[] {"c2"},
                attrInts("pads", 1, 1, 1, 1));
        b.node("BatchNormalization", new String[] {"c2", init(b, "g2", 4), init(b, "be2", 4), init(b, "mu2", 4),
            positive(b, "var2", 4)}, new String[] {"n2"});
        b.node("MaxPool", new String[] {"n2"}, new String[] {"p2"}, attrInts("kernel_shape", 2, 2),
                attrInts("strides", 2, 2));
        b.node("Flatten", new String[] {"p2"}, new String[] {"f"}, attrInt("axis", 1));
        b.node("Gemm", new String[] {"f", init(b, "w", 3, 16), init(b, "wb", 3)}, new String[] {"y"},
                attrInt("transB", 1));
        return b;
    }

    /**
     * A batch norm read by a 2×2 max pooling alone (through a folded ReLU or directly) leaves its training
     * normalisation to the pooling: the gradients match finite differences, the training outputs equal the
     * separate passes' to the bit and the gradients within float rounding, and the running statistics move alike.
     */
    @Test
    void batchNormBeforePairMaxPoolingIsNormalisedByThePoolingWithTheSameResults() throws Exception {
        check(normPools(), new long[] {1, 9, 9}, false);
        Path g = dir.resolve("fused.onnx");
        normPools().save(g);
        GraphNetwork fused = OnnxGraphReader.read(ModelFiles.read(g), new long[] {1, 9, 9}, false);
        Path f = dir.resolve("separate.onnx");
        normPools("n1", "n2").save(f);
        GraphNetwork separate = OnnxGraphReader.read(ModelFiles.read(f), new long[] {1, 9, 9}, false);
        int n = 6;
        float[] x = gaussian(n * 81);
        int[] labels = {0, 1, 2, 1, 0, 2};
        float[] grad = new float[n * 3];
        double a = loss(fused, x, labels, 3, grad, true);
        double b = loss(separate, x, labels, 3, grad, true);
        assertEquals(a, b, 0.0, "training loss");
        for (String name : fused.params().keySet()) {
            float[] expected = separate.params().get(name).grad;
            float[] actual = fused.params().get(name).grad;
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5 * (1 + Math.abs(expected[i])), name + "[" + i + "]");
            }
        }
        for (String name : fused.buffers().keySet()) {
            assertArrayEquals(separate.buffers().get(name).value, fused.buffers().get(name).value, name);
        }
        separate.forward(x, n, true);
        assertEquals(0, separate.steps().stream().filter(s -> s.op() instanceof BatchNorm bn && bn.deferred())
                .count(), "a batch norm whose output is also a graph output normalises itself");
        fused.forward(x, n, true);
        assertEquals(2, fused.steps().stream().filter(s -> s.op() instanceof BatchNorm bn && bn.deferred()).count(),
                "both batch norms left their normalisation to the pooling after them");
    }

    @Test
    void anUnsupportedOpIsAnErrorNamingTheNodeAndOp() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("g", 13).input("x", FLOAT, -1, 4).output("y", FLOAT, -1, 4);
        b.node("Gemm", new String[] {"x", init(b, "w", 4, 4)}, new String[] {"h"});
        b.node("Erf", new String[] {"h"}, new String[] {"y"});
        Path f = dir.resolve("erf.onnx");
        b.save(f);
        Model m = ModelFiles.read(f);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> OnnxGraphReader.read(m, new long[] {4}, false));
        assertTrue(e.getMessage().contains("'Erf_1' (op Erf)"), e.getMessage());
    }

    private String positive(OnnxModelBuilder b, String name, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.5f + rng.nextFloat();
        }
        b.initializer(name, v, n);
        return name;
    }

    /** Saves the graph, reads it back, compares with ONNX Runtime and checks every parameter's gradient. */
    private GraphNetwork check(OnnxModelBuilder b, long[] sampleDims, boolean frozenBn) throws Exception {
        return check(b, sampleDims, frozenBn, STEP);
    }

    private GraphNetwork check(OnnxModelBuilder b, long[] sampleDims, boolean frozenBn, double step) throws Exception {
        Path f = dir.resolve("g.onnx");
        b.save(f);
        Model m = ModelFiles.read(f);
        GraphNetwork net = OnnxGraphReader.read(m, sampleDims, frozenBn);
        int n = 4;
        int size = net.inputSize();
        float[] x = gaussian(n * size);
        long[] shape = new long[sampleDims.length + 1];
        shape[0] = n;
        System.arraycopy(sampleDims, 0, shape, 1, sampleDims.length);
        float[] ours = net.forward(x, n, false).data;
        float[] theirs;
        try (OrtModel ort = OrtModel.open(f, null, 1)) {
            theirs = ort.run(x, shape);
        }
        if (!net.finalActivation().isEmpty()) {
            ours = softmaxRows(ours, n);
        }
        assertEquals(theirs.length, ours.length);
        for (int i = 0; i < ours.length; i++) {
            assertEquals(theirs[i], ours[i], 1e-4, "output " + i + " of " + Arrays.toString(ours));
        }
        int k = ours.length / n;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(k);
        }
        float[] grad = new float[n * k];
        loss(net, x, labels, k, grad, true);
        for (Param p : net.params().values()) {
            float[] d = gaussian(p.value.length);
            double analytic = 0;
            for (int i = 0; i < d.length; i++) {
                analytic += p.grad[i] * (double) d[i];
            }
            float[] saved = p.value.clone();
            for (int i = 0; i < d.length; i++) {
                p.value[i] = (float) (saved[i] + step * d[i]);
            }
            double up = loss(net, x, labels, k, grad, false);
            for (int i = 0; i < d.length; i++) {
                p.value[i] = (float) (saved[i] - step * d[i]);
            }
            double down = loss(net, x, labels, k, grad, false);
            System.arraycopy(saved, 0, p.value, 0, saved.length);
            double numeric = (up - down) / (2 * step);
            assertTrue(Math.abs(numeric - analytic) <= 0.02 * Math.max(Math.abs(numeric), Math.abs(analytic)) + 2e-4,
                    p.name + ": back-propagated " + analytic + ", finite differences " + numeric);
        }
        return net;
    }

    private static float[] softmaxRows(float[] z, int n) {
        int k = z.length / n;
        float[] p = new float[z.length];
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z[r * k + j]);
            }
            double s = 0;
            for (int j = 0; j < k; j++) {
                s += Math.exp(z[r * k + j] - max);
            }
            for (int j = 0; j < k; j++) {
                p[r * k + j] = (float) (Math.exp(z[r * k + j] - max) / s);
            }
        }
        return p;
    }

    /** Training-mode loss; with {@code backprop}, also fills the parameter gradients (zeroed first). */
    private static double loss(GraphNetwork net, float[] x, int[] labels, int k, float[] grad, boolean backprop) {
        int n = labels.length;
        Activations logits = net.forward(x, n, true);
        double loss = SoftmaxCrossEntropy.lossAndGradient(logits.data, labels, n, k, grad, new int[1]);
        if (backprop) {
            net.params().values().forEach(Param::zeroGrad);
            net.backward(Activations.flat(grad, n, k));
        }
        return loss;
    }

    private float[] gaussian(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }
}
