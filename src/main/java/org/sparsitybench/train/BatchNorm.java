package org.sparsitybench.train;

import java.util.Arrays;
import java.util.List;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/**
 * Batch normalisation over the channels of feature maps: {@code y = γ·(x − μ)/√(σ² + ε) + β}. Training uses
 * the batch's mean and (biased) variance and updates running estimates with momentum 0.1 (unbiased variance,
 * as PyTorch does); inference and the ONNX export use the running estimates.
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
    private float[] normalized;
    private float[] invStd;

    public BatchNorm(String name, int channels) {
        this.name = name;
        this.channels = channels;
        this.gamma = new Param(name + ".weight", channels).filled(1f);
        this.beta = new Param(name + ".bias", channels);
        this.runningMean = new float[channels];
        this.runningVar = new float[channels];
        Arrays.fill(runningVar, 1f);
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        x.requireSpatial(name);
        if (x.channels != channels) {
            throw new IllegalArgumentException(name + " needs " + channels + " channels, got " + x.channels);
        }
        int m = x.batch * x.plane();
        float[] v = x.data;
        float[] y = new float[v.length];
        if (!training) {
            for (int c = 0; c < channels; c++) {
                float a = (float) (gamma.value[c] / Math.sqrt(runningVar[c] + (double) EPSILON));
                float b = beta.value[c] - runningMean[c] * a;
                for (int i = c * m, end = i + m; i < end; i++) {
                    y[i] = v[i] * a + b;
                }
            }
            normalized = null;
            return x.with(y);
        }
        float[] xhat = new float[v.length];
        float[] inv = new float[channels];
        Parallel.forEach(channels, c -> {
            int start = c * m;
            double sum = 0;
            for (int i = start; i < start + m; i++) {
                sum += v[i];
            }
            double mean = sum / m;
            double sq = 0;
            for (int i = start; i < start + m; i++) {
                double d = v[i] - mean;
                sq += d * d;
            }
            double var = sq / m;
            float is = (float) (1.0 / Math.sqrt(var + EPSILON));
            float fm = (float) mean;
            float g = gamma.value[c];
            float b = beta.value[c];
            for (int i = start; i < start + m; i++) {
                float h = (v[i] - fm) * is;
                xhat[i] = h;
                y[i] = g * h + b;
            }
            inv[c] = is;
            runningMean[c] = (1 - MOMENTUM) * runningMean[c] + MOMENTUM * fm;
            runningVar[c] = (1 - MOMENTUM) * runningVar[c] + MOMENTUM * (float) (m > 1 ? sq / (m - 1) : var);
        });
        normalized = xhat;
        invStd = inv;
        return x.with(y);
    }

    @Override
    public Activations backward(Activations g) {
        int m = g.batch * g.plane();
        float[] gv = g.data;
        float[] dx = new float[gv.length];
        float[] xhat = normalized;
        Parallel.forEach(channels, c -> {
            int start = c * m;
            double dBeta = 0;
            double dGamma = 0;
            for (int i = start; i < start + m; i++) {
                dBeta += gv[i];
                dGamma += gv[i] * (double) xhat[i];
            }
            gamma.grad[c] += (float) dGamma;
            beta.grad[c] += (float) dBeta;
            float scale = gamma.value[c] * invStd[c] / m;
            float mb = (float) dBeta;
            float mg = (float) dGamma;
            for (int i = start; i < start + m; i++) {
                dx[i] = scale * (m * gv[i] - mb - xhat[i] * mg);
            }
        });
        normalized = null;
        return g.with(dx);
    }

    @Override
    public List<Param> params() {
        return List.of(gamma, beta);
    }

    @Override
    public String export(OnnxExport onnx, String x, String output) {
        return onnx.node(name, "BatchNormalization", OnnxExport.outputName(output, name + ".out"),
                new String[] {x, onnx.initializer(gamma), onnx.initializer(beta),
                        onnx.initializer(name + ".running_mean", runningMean, channels),
                        onnx.initializer(name + ".running_var", runningVar, channels)},
                OnnxModelBuilder.attrFloat("epsilon", EPSILON), OnnxModelBuilder.attrFloat("momentum", 1 - MOMENTUM));
    }
}
