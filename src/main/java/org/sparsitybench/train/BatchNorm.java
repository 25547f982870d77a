package org.sparsitybench.train;

import java.util.Arrays;
import java.util.List;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/**
 * Batch normalisation over the channels of feature maps: {@code y = γ·(x − μ)/√(σ² + ε) + β}. Training uses
 * the batch's mean and (biased) variance and updates running estimates with momentum 0.1 (unbiased variance,
 * as PyTorch does); inference and the ONNX export use the running estimates. In training, a 2×2 max pooling that
 * alone reads the output may do the normalisation and its backward pass instead ({@link #deferToPool}).
 */
public final class BatchNorm implements TrainableOp {
    public static final float EPSILON = 1e-5f;
    public static final float MOMENTUM = 0.1f;

    private final String name;
    private final int channels;
    private final Param gamma;
    private final Param beta;
    private final float[] runningMean;
    private final float[] runningVar;
    private final Param meanBuffer;
    private final Param varBuffer;
    private final float epsilon;
    /** Weight of the new batch statistic in the running estimate (PyTorch's momentum; ONNX's is 1 minus it). */
    private final float momentum;
    private final boolean frozenStatistics;
    /** The last training forward's input and per-channel mean and 1/√(σ² + ε): x̂ is recomputed from them. */
    private float[] input;
    /** Slots: the training output and the input gradient (each fully written before it is read). */
    private final StepArrays arrays = new StepArrays(2);
    private float[] means;
    private float[] invStd;
    /** The max pooling after this layer normalises in training ({@link #deferToPool}). */
    private boolean deferToPool;
    /** The last training forward returned its input as it was, for the pooling to normalise. */
    private boolean deferred;

    public BatchNorm(String name, int channels) {
        this(name, new Param(name + ".weight", channels).filled(1f), new Param(name + ".bias", channels),
                new Param(name + ".running_mean", channels), new Param(name + ".running_var", channels).filled(1f),
                EPSILON, MOMENTUM, false);
    }

    /**
     * Batch normalisation over given tensors (a graph's initializers).
     *
     * @param mean             running mean (updated in training unless {@code frozenStatistics})
     * @param var              running variance (likewise)
     * @param momentum         weight of the batch statistic in the running estimate (ONNX momentum m gives 1 − m)
     * @param frozenStatistics true: training normalises with the running statistics and leaves them as they are
     *                         (the layer is then an affine map whose scale and shift still train); false: batch
     *                         statistics, running estimates updated, as in PyTorch's train mode
     */
    public BatchNorm(String name, Param gamma, Param beta, Param mean, Param var, float epsilon, float momentum,
                     boolean frozenStatistics) {
        this.name = name;
        this.channels = gamma.value.length;
        this.gamma = gamma;
        this.beta = beta;
        this.meanBuffer = mean;
        this.varBuffer = var;
        this.runningMean = mean.value;
        this.runningVar = var.value;
        this.epsilon = epsilon;
        this.momentum = momentum;
        this.frozenStatistics = frozenStatistics;
        if (beta.value.length != channels || runningMean.length != channels || runningVar.length != channels) {
            throw new IllegalArgumentException(name + ": scale, shift, mean and variance differ in length");
        }
    }

    /**
     * Hands this layer's training-mode normalisation to the 2×2 max pooling that alone reads its output (through a
     * folded ReLU or not, see {@link Pool2d#normaliseFirst}): a training forward then computes the batch statistics
     * only and returns its input unchanged, the pooling normalises the four values of each window as it reads them,
     * and its backward pass computes this layer's ({@link #backwardPairs}), so that this layer's backward passes
     * the gradient through. The full-size normalised maps and their gradient are never written. Inference and
     * frozen statistics are not affected.
     */
    void deferToPool() {
        deferToPool = true;
    }

    /** Whether the last training forward left the normalisation to the pooling. */
    boolean deferred() {
        return deferred;
    }

    /**
     * Channel {@code c}'s {γ, μ, 1/√(σ² + ε), β} from the last training forward: the normalised value of v is
     * {@code γ·((v − μ)·(1/√(σ² + ε))) + β}, computed in that order.
     */
    float[] normalisation(int c) {
        return new float[] {gamma.value[c], means[c], invStd[c], beta.value[c]};
    }

    @Override
    public List<Param> buffers() {
        return List.of(meanBuffer, varBuffer);
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        x.requireSpatial(name);
        if (x.channels != channels) {
            throw new IllegalArgumentException(name + " needs " + channels + " channels, got " + x.channels);
        }
        int m = x.batch * x.plane();
        float[] v = x.data;
        if (training) {
            deferred = !frozenStatistics && deferToPool;
        }
        boolean defer = training && deferred;
        float[] y = defer ? null : training ? arrays.floats(0, v.length) : new float[v.length];
        float[] inv = new float[channels];
        float[] mu = new float[channels];
        if (!training || frozenStatistics) {
            for (int c = 0; c < channels; c++) {
                inv[c] = (float) (1 / Math.sqrt(runningVar[c] + (double) epsilon));
                mu[c] = runningMean[c];
                float a = gamma.value[c] * inv[c];
                float b = beta.value[c] - runningMean[c] * a;
                for (int i = c * m, end = i + m; i < end; i++) {
                    y[i] = v[i] * a + b;
                }
            }
        } else {
            Parallel.forEach(channels, c -> {
                int start = c * m;
                // Shifted by the channel's first value: near the mean, so the one-pass variance is exact enough.
                double shift = m > 0 ? v[start] : 0;
                double[] moments = Sums.shiftedMoments(v, start, start + m, shift);
                double mean = shift + moments[0] / m;
                double sq = Math.max(0, moments[1] - moments[0] * moments[0] / m);
                double var = sq / m;
                float is = (float) (1.0 / Math.sqrt(var + epsilon));
                float fm = (float) mean;
                float g = gamma.value[c];
                float b = beta.value[c];
                for (int i = start; y != null && i < start + m; i++) {
                    y[i] = g * ((v[i] - fm) * is) + b;
                }
                inv[c] = is;
                mu[c] = fm;
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * fm;
                runningVar[c] = (1 - momentum) * runningVar[c] + momentum * (float) (m > 1 ? sq / (m - 1) : var);
            });
        }
        // x̂ = (x − μ)·(1/√(σ² + ε)) is not stored but recomputed, the same float operations, in the backward pass:
        // one array less to fill and read back.
        input = training ? v : null;
        means = mu;
        invStd = inv;
        return defer ? x : x.with(y);
    }

    @Override
    public Activations backward(Activations g) {
        if (deferred) {
            // The pooling's backward pass computed this layer's.
            deferred = false;
            input = null;
            return g;
        }
        int m = g.batch * g.plane();
        float[] gv = g.data;
        float[] dx = arrays.floats(1, gv.length);
        float[] xs = input;
        Parallel.forEach(channels, c -> {
            int start = c * m;
            float fm = means[c];
            float is = invStd[c];
            // Σg and Σg·x̂ in one pass over g and x, each with four partial sums (i mod 4) as in Sums.
            double b0 = 0;
            double b1 = 0;
            double b2 = 0;
            double b3 = 0;
            double g0 = 0;
            double g1 = 0;
            double g2 = 0;
            double g3 = 0;
            int i = start;
            for (; i + 3 < start + m; i += 4) {
                b0 += gv[i];
                b1 += gv[i + 1];
                b2 += gv[i + 2];
                b3 += gv[i + 3];
                g0 += gv[i] * (double) ((xs[i] - fm) * is);
                g1 += gv[i + 1] * (double) ((xs[i + 1] - fm) * is);
                g2 += gv[i + 2] * (double) ((xs[i + 2] - fm) * is);
                g3 += gv[i + 3] * (double) ((xs[i + 3] - fm) * is);
            }
            for (; i < start + m; i++) {
                b0 += gv[i];
                g0 += gv[i] * (double) ((xs[i] - fm) * is);
            }
            double dBeta = (b0 + b1) + (b2 + b3);
            double dGamma = (g0 + g1) + (g2 + g3);
            gamma.grad[c] += (float) dGamma;
            beta.grad[c] += (float) dBeta;
            if (frozenStatistics) {
                // Fixed statistics: y = γ·x̂ + β is affine in x, so dx = γ/√(σ² + ε)·g.
                float a = gamma.value[c] * is;
                for (int k = start; k < start + m; k++) {
                    dx[k] = a * gv[k];
                }
                return;
            }
            float scale = gamma.value[c] * is / m;
            float mb = (float) dBeta;
            float mg = (float) dGamma;
            for (int k = start; k < start + m; k++) {
                dx[k] = scale * (m * gv[k] - mb - ((xs[k] - fm) * is) * mg);
            }
        });
        input = null;
        return g.with(dx);
    }

    /**
     * The backward pass of this layer and the 2×2 max pooling after it ({@link #deferToPool}), from the pooling's
     * output gradient: window o of plane p (channel p / batch) passed {@code gOut[o]} to its input at position
     * {@code pos[o]} = 2·dy + dx, or to none ({@code pos[o]} = {@link Pool2d#NONE}); so {@code Σg} and
     * {@code Σg·x̂} run over the windows, not the full maps, and {@code dx = γ/√(σ² + ε)/m·(m·g − Σg − x̂·Σg·x̂)}
     * is written for every input at once, g being the window's gradient at its chosen input and 0 elsewhere.
     * Adds the scale's and shift's gradients.
     *
     * @param gOut the pooling's output gradient, (C, N, h/2, w/2) (not modified)
     * @param pos  the pooling's chosen positions (not modified)
     * @param dx   receives the gradient with respect to this layer's input, (C, N, h, w) (modified)
     */
    void backwardPairs(float[] gOut, byte[] pos, int batch, int h, int w, float[] dx) {
        float[] xs = input;
        int oh = h / 2;
        int ow = w / 2;
        int plane = h * w;
        int m = batch * plane;
        int[] offset = {0, 1, w, w + 1, 0};
        Parallel.forEach(channels, c -> {
            float fm = means[c];
            float is = invStd[c];
            // Two partial sums each, over even and odd windows.
            double b0 = 0;
            double b1 = 0;
            double g0 = 0;
            double g1 = 0;
            for (int p = c * batch; p < (c + 1) * batch; p++) {
                for (int oy = 0; oy < oh; oy++) {
                    int r = p * plane + 2 * oy * w;
                    int o = (p * oh + oy) * ow;
                    for (int ox = 0; ox < ow; ox++) {
                        int k = pos[o + ox];
                        float gv = Pool2d.gradientAt(gOut[o + ox], k);
                        double gx = gv * (double) ((xs[r + 2 * ox + offset[k]] - fm) * is);
                        if ((ox & 1) == 0) {
                            b0 += gv;
                            g0 += gx;
                        } else {
                            b1 += gv;
                            g1 += gx;
                        }
                    }
                }
            }
            double dBeta = b0 + b1;
            double dGamma = g0 + g1;
            gamma.grad[c] += (float) dGamma;
            beta.grad[c] += (float) dBeta;
            float scale = gamma.value[c] * is / m;
            float mb = (float) dBeta;
            float mg = (float) dGamma;
            for (int p = c * batch; p < (c + 1) * batch; p++) {
                int start = p * plane;
                // Inputs in no window (an odd last row or column) get the gradient of g = 0.
                for (int i = start; i < start + plane; i++) {
                    dx[i] = scale * (-mb - ((xs[i] - fm) * is) * mg);
                }
                for (int oy = 0; oy < oh; oy++) {
                    int r = start + 2 * oy * w;
                    int o = (p * oh + oy) * ow;
                    for (int ox = 0; ox < ow; ox++) {
                        int k = pos[o + ox];
                        float gv = Pool2d.gradientAt(gOut[o + ox], k);
                        int i = r + 2 * ox + offset[k];
                        dx[i] = scale * (m * gv - mb - ((xs[i] - fm) * is) * mg);
                    }
                }
            }
        });
    }

    @Override
    public List<Param> params() {
        return List.of(gamma, beta);
    }

    @Override
    public String export(OnnxExport onnx, String x, String output) {
        return onnx.node(name, "BatchNormalization", OnnxExport.outputName(output, name + ".out"),
                new String[] {x, onnx.initializer(gamma), onnx.initializer(beta),
                        onnx.initializer(meanBuffer), onnx.initializer(varBuffer)},
                OnnxModelBuilder.attrFloat("epsilon", epsilon), OnnxModelBuilder.attrFloat("momentum", 1 - momentum));
    }
}
