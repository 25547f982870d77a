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
    /** Rows a part of a split batch has at least ({@link #parts}). */
    static final int MIN_PART_ROWS = 32;
    private final String name;
    private final int in;
    private final int out;
    private final Param weight;
    private final Param bias;
    private final boolean transB;
    private final float alpha;
    private final float beta;
    private static final int WEIGHT = 0;
    private static final int IN = 1;
    private static final int OUT = 2;
    private static final int GRAD = 3;
    private static final int GRAD_WEIGHT = 4;
    private static final int GRAD_IN = 5;
    /**
     * One per part of a batch (see {@link #parts}); Gemm is not thread-safe. The first also holds the weights,
     * uploaded before the parts start and only read by them.
     */
    private final Gemm[] gemms = {new Gemm(), new Gemm()};
    /** Each part's weight gradient, added to the weights' after all are done. */
    private final float[][] partGrads = new float[2][];
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
        int parts = parts(n);
        Gemm.Matrix w = uploadWeight();
        Parallel.forEachCallingBlas(parts, h -> {
            int r0 = h * n / parts;
            int rows = (h + 1) * n / parts - r0;
            Gemm gm = gemms[h];
            Gemm.Matrix ym = gm.matrix(OUT, rows, out);
            Gemm.product(gm.upload(IN, x.data, r0 * in, rows, in), false, w, transB, ym, false);
            ym.get(y, r0 * out);
        });
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
        float[] xs = input.data;
        float[] gg = gs;
        int parts = parts(n);
        Gemm.Matrix w = uploadWeight();
        float[] dx = inputGradient ? new float[n * in] : null;
        Parallel.forEachCallingBlas(parts, h -> {
            int r0 = h * n / parts;
            int rows = (h + 1) * n / parts - r0;
            Gemm gm = gemms[h];
            Gemm.Matrix gmat = gm.upload(GRAD, gg, r0 * out, rows, out);
            Gemm.Matrix xm = gm.upload(IN, xs, r0 * in, rows, in);
            Gemm.Matrix dw = gm.matrix(GRAD_WEIGHT, w.rows(), w.cols());
            if (transB) {
                Gemm.product(gmat, true, xm, false, dw, false);
            } else {
                Gemm.product(xm, true, gmat, false, dw, false);
            }
            dw.get(partGrad(h), 0);
            if (dx != null) {
                Gemm.Matrix dxm = gm.matrix(GRAD_IN, rows, in);
                Gemm.product(gmat, false, w, !transB, dxm, false);
                dxm.get(dx, r0 * in);
            }
        });
        // The parts' weight gradients are added in part order, whatever the threads.
        for (int h = 0; h < parts; h++) {
            float[] part = partGrads[h];
            for (int i = 0; i < part.length; i++) {
                weight.grad[i] += part[i];
            }
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
        return dx == null ? null : Activations.flat(dx, n, in);
    }

    /** The weights in native memory, [out, in] when transB, else [in, out], read by every part. */
    private Gemm.Matrix uploadWeight() {
        return gemms[0].upload(WEIGHT, weight.value, 0, (int) weight.shape[0], (int) weight.shape[1]);
    }

    /** Part h's weight gradient array (contents left from the last step). */
    private float[] partGrad(int h) {
        if (partGrads[h] == null || partGrads[h].length != weight.grad.length) {
            partGrads[h] = new float[weight.grad.length];
        }
        return partGrads[h];
    }

    /**
     * Parts a batch of {@code n} is cut into, each one product on a thread of its own: two halves when OpenBLAS
     * runs single-threaded and the batch has at least {@link #MIN_PART_ROWS} rows per half (the layer would
     * otherwise be the one serial stretch of a convolutional network's step), else one.
     */
    private static int parts(int n) {
        return n >= 2 * MIN_PART_ROWS && org.nd4j.linalg.factory.Nd4j.factory().blas().getMaxThreads() <= 1 ? 2 : 1;
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
