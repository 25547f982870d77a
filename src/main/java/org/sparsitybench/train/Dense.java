package org.sparsitybench.train;

import java.util.List;
import java.util.Random;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/**
 * Fully connected layer as ONNX's Gemm with a constant B: {@code y = α·x·op(W) + β·b}, op(W) = Wᵀ with W stored
 * [out, in] when {@code transB}, else W stored [in, out] (also MatMul with a constant right operand, α = 1, no
 * bias). The bias is one value per output or a single value broadcast to all; it may be absent.
 */
public final class Dense implements TrainableOp {
    private final String name;
    private final int in;
    private final int out;
    private final Param weight;
    private final Param bias;
    private final boolean transB;
    private final float alpha;
    private final float beta;
    private final Gemm gemm = new Gemm();
    private Activations input;
    private boolean inputGradient = true;

    /** He-normal weights (std √(2/in)) drawn from {@code rng}, zero bias; W stored [out, in] (transB). */
    public Dense(String name, int in, int out, Random rng) {
        this(name, new Param(name + ".weight", out, in).gaussian(rng, Math.sqrt(2.0 / in)),
                new Param(name + ".bias", out), true, 1f, 1f);
    }

    /**
     * A layer over given tensors (a graph's initializers).
     *
     * @param weight [out, in] when {@code transB}, else [in, out] (kept, trained in place)
     * @param bias   [out], or one value, or null
     */
    public Dense(String name, Param weight, Param bias, boolean transB, float alpha, float beta) {
        if (weight.shape.length != 2) {
            throw new IllegalArgumentException(name + ": weight is not a matrix");
        }
        this.name = name;
        this.weight = weight;
        this.transB = transB;
        this.out = (int) weight.shape[transB ? 0 : 1];
        this.in = (int) weight.shape[transB ? 1 : 0];
        this.bias = bias;
        this.alpha = alpha;
        this.beta = beta;
        if (bias != null && bias.value.length != out && bias.value.length != 1) {
            throw new IllegalArgumentException(name + ": bias of " + bias.value.length + " values for " + out
                    + " outputs");
        }
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        x.requireFlat(name, in);
        int n = x.batch;
        float[] y = new float[n * out];
        gemm.multiply(x.data, false, weight.value, transB, y, n, out, in, false);
        if (alpha != 1f) {
            for (int i = 0; i < y.length; i++) {
                y[i] *= alpha;
            }
        }
        if (bias != null) {
            float[] b = bias.value;
            boolean scalar = b.length == 1;
            for (int r = 0; r < n; r++) {
                int row = r * out;
                for (int j = 0; j < out; j++) {
                    y[row + j] += beta * b[scalar ? 0 : j];
                }
            }
        }
        input = training ? x : null;
        return Activations.flat(y, n, out);
    }

    @Override
    public Activations backward(Activations g) {
        int n = g.batch;
        float[] gs = g.data;
        if (alpha != 1f) {
            gs = g.data.clone();
            for (int i = 0; i < gs.length; i++) {
                gs[i] *= alpha;
            }
        }
        if (transB) {
            gemm.multiply(gs, true, input.data, false, weight.grad, out, in, n, true);
        } else {
            gemm.multiply(input.data, true, gs, false, weight.grad, in, out, n, true);
        }
        if (bias != null) {
            float[] db = bias.grad;
            boolean scalar = db.length == 1;
            for (int r = 0; r < n; r++) {
                int row = r * out;
                for (int j = 0; j < out; j++) {
                    db[scalar ? 0 : j] += beta * g.data[row + j];
                }
            }
        }
        input = null;
        if (!inputGradient) {
            return null;
        }
        float[] dx = new float[n * in];
        gemm.multiply(gs, false, weight.value, !transB, dx, n, in, out, false);
        return Activations.flat(dx, n, in);
    }

    /**
     * Stops {@link #backward} computing the input's gradient (it then returns null): the first layer of a network
     * reads the data, whose gradient nobody needs, and that product is a third of the layer's backward work.
     */
    @Override
    public void skipInputGradient() {
        inputGradient = false;
    }

    @Override
    public List<Param> params() {
        return Param.present(weight, bias);
    }

    @Override
    public String export(OnnxExport onnx, String x, String output) {
        return onnx.node(name, "Gemm", OnnxExport.outputName(output, name + ".out"),
                new String[] {x, onnx.initializer(weight), onnx.initializer(bias)},
                OnnxModelBuilder.attrInt("transB", 1));
    }
}
