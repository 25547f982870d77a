package org.sparsitybench.train;

import java.util.List;

/**
 * Adds a constant tensor broadcast over the batch: ONNX's Add with one initializer operand, as after a MatMul
 * (one value per feature) or a bias-free convolution (one value per channel, shaped [C, 1, 1] or [1, C, 1, 1]).
 * A single value is added everywhere.
 */
public final class ChannelBias implements TrainableOp {
    private final Param bias;

    /** @param bias one value, or one per feature or channel (kept, trained in place) */
    public ChannelBias(Param bias) {
        this.bias = bias;
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        float[] b = bias.value;
        int per = check(x);
        float[] y = x.data.clone();
        if (b.length == 1) {
            for (int i = 0; i < y.length; i++) {
                y[i] += b[0];
            }
        } else if (x.spatial) {
            for (int c = 0; c < x.channels; c++) {
                for (int i = c * per, end = i + per; i < end; i++) {
                    y[i] += b[c];
                }
            }
        } else {
            for (int r = 0; r < x.batch; r++) {
                for (int j = 0; j < x.channels; j++) {
                    y[r * x.channels + j] += b[j];
                }
            }
        }
        return x.with(y);
    }

    /** Values per channel block of a spatial input; validates the bias length. */
    private int check(Activations x) {
        int n = bias.value.length;
        if (n != 1 && n != x.channels) {
            throw new IllegalArgumentException(bias.name + ": " + n + " values for " + x.channels
                    + (x.spatial ? " channels" : " features"));
        }
        return x.batch * x.plane();
    }

    @Override
    public Activations backward(Activations g) {
        float[] db = bias.grad;
        int per = check(g);
        if (db.length == 1) {
            double s = 0;
            for (float v : g.data) {
                s += v;
            }
            db[0] += (float) s;
        } else if (g.spatial) {
            for (int c = 0; c < g.channels; c++) {
                double s = 0;
                for (int i = c * per, end = i + per; i < end; i++) {
                    s += g.data[i];
                }
                db[c] += (float) s;
            }
        } else {
            for (int r = 0; r < g.batch; r++) {
                for (int j = 0; j < g.channels; j++) {
                    db[j] += g.data[r * g.channels + j];
                }
            }
        }
        return g;
    }

    @Override
    public List<Param> params() {
        return List.of(bias);
    }
}
