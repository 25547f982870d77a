package org.sparsitybench.train;

import java.util.List;
import java.util.Random;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/** Fully connected layer {@code y = x·Wᵀ + b}, W stored [out, in]; exported as Gemm with transB = 1. */
public final class Dense implements TrainableOp {
    private final String name;
    private final int in;
    private final int out;
    private final Param weight;
    private final Param bias;
    private final Gemm gemm = new Gemm();
    private Activations input;

    /** He-normal weights (std √(2/in)) drawn from {@code rng}, zero bias. */
    public Dense(String name, int in, int out, Random rng) {
        this.name = name;
        this.in = in;
        this.out = out;
        this.weight = new Param(name + ".weight", out, in).gaussian(rng, Math.sqrt(2.0 / in));
        this.bias = new Param(name + ".bias", out);
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        x.requireFlat(name, in);
        int n = x.batch;
        float[] y = new float[n * out];
        gemm.multiply(x.data, false, weight.value, true, y, n, out, in, false);
        float[] b = bias.value;
        for (int r = 0; r < n; r++) {
            int row = r * out;
            for (int j = 0; j < out; j++) {
                y[row + j] += b[j];
            }
        }
        input = training ? x : null;
        return Activations.flat(y, n, out);
    }

    @Override
    public Activations backward(Activations g) {
        int n = g.batch;
        gemm.multiply(g.data, true, input.data, false, weight.grad, out, in, n, true);
        float[] db = bias.grad;
        for (int r = 0; r < n; r++) {
            int row = r * out;
            for (int j = 0; j < out; j++) {
                db[j] += g.data[row + j];
            }
        }
        float[] dx = new float[n * in];
        gemm.multiply(g.data, false, weight.value, false, dx, n, in, out, false);
        input = null;
        return Activations.flat(dx, n, in);
    }

    @Override
    public List<Param> params() {
        return List.of(weight, bias);
    }

    @Override
    public String export(OnnxExport onnx, String x, String output) {
        return onnx.node(name, "Gemm", OnnxExport.outputName(output, name + ".out"),
                new String[] {x, onnx.initializer(weight), onnx.initializer(bias)},
                OnnxModelBuilder.attrInt("transB", 1));
    }
}
