package org.sparsitybench.train;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.List;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/**
 * A feed-forward stack of layers ending in class logits: trained by its own backward pass and exported to ONNX
 * layer for layer, input {@code "input"} and output {@code "logits"}.
 */
public final class Network {
    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";
    public static final int OPSET = 13;

    private final List<TrainableOp> layers;
    private final int[] inputDims;
    private final int classes;

    /**
     * @param inputDims per-sample input: {C, H, W} for images, {F} for flat features
     * @param classes   width of the last layer's output
     */
    public Network(int[] inputDims, int classes, List<TrainableOp> layers) {
        if (inputDims.length != 1 && inputDims.length != 3) {
            throw new IllegalArgumentException("input is {C, H, W} or {F}, got " + inputDims.length + " dims");
        }
        this.inputDims = inputDims.clone();
        this.classes = classes;
        this.layers = List.copyOf(layers);
        if (!this.layers.isEmpty()) {
            // The first layer reads the data, whose gradient nobody uses.
            this.layers.get(0).skipInputGradient();
        }
    }

    /** Values per sample. */
    public int inputSize() {
        int n = 1;
        for (int d : inputDims) {
            n *= d;
        }
        return n;
    }

    public int classes() {
        return classes;
    }

    /** The ONNX input shape for a batch of {@code n} (negative: symbolic). */
    public long[] inputShape(long n) {
        long[] s = new long[inputDims.length + 1];
        s[0] = n;
        for (int i = 0; i < inputDims.length; i++) {
            s[i + 1] = inputDims[i];
        }
        return s;
    }

    /**
     * Logits, (N, classes), for a batch.
     *
     * @param batch    {@code n} samples in ONNX layout, (N, C, H, W) or (N, F) (not modified)
     * @param training batch statistics and remembered values for {@link #backward}
     */
    public Activations forward(float[] batch, int n, boolean training) {
        Activations x = inputDims.length == 3
                ? Activations.fromNchw(batch, n, inputDims[0], inputDims[1], inputDims[2])
                : Activations.flat(batch, n, inputDims[0]);
        Activations y = forward(layers, x, training);
        y.requireFlat("output", classes);
        return y;
    }

    /** Back-propagates the loss gradient of the last training {@link #forward}, accumulating parameter gradients. */
    public void backward(Activations gradLogits) {
        backward(layers, gradLogits);
    }

    public List<Param> params() {
        List<Param> ps = new ArrayList<>();
        layers.forEach(l -> ps.addAll(l.params()));
        return ps;
    }

    /** The network as an ONNX model (opset 13, inference mode) with a symbolic batch dimension. */
    public OnnxModelBuilder toOnnx(String graphName) {
        OnnxModelBuilder b = new OnnxModelBuilder(graphName, OPSET)
                .input(INPUT, TensorProto.DataType.FLOAT_VALUE, inputShape(-1))
                .output(OUTPUT, TensorProto.DataType.FLOAT_VALUE, -1, classes);
        export(layers, new OnnxExport(b), INPUT, OUTPUT);
        return b;
    }

    public static Activations forward(List<TrainableOp> layers, Activations x, boolean training) {
        Activations a = x;
        for (TrainableOp l : layers) {
            a = l.forward(a, training);
        }
        return a;
    }

    public static Activations backward(List<TrainableOp> layers, Activations g) {
        Activations a = g;
        for (int i = layers.size() - 1; i >= 0; i--) {
            a = layers.get(i).backward(a);
        }
        return a;
    }

    /** Exports {@code layers} in order; the last one's output is called {@code output} when that is not null. */
    public static String export(List<TrainableOp> layers, OnnxExport onnx, String input, String output) {
        String x = input;
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).export(onnx, x, i == layers.size() - 1 ? output : null);
        }
        return x;
    }
}
