package org.sparsitybench.train;

/**
 * An activation applied to every value: ReLU {@code max(x, 0)}, LeakyReLU {@code x ≥ 0 ? x : α·x}, sigmoid
 * {@code 1/(1 + e^−x)}, tanh. The backward pass uses the remembered output (ReLU, sigmoid, tanh) or input (leaky).
 */
public final class Elementwise implements TrainableOp {
    /** The supported functions, by ONNX op type. */
    public enum Kind {
        RELU, LEAKY_RELU, SIGMOID, TANH
    }

    private final Kind kind;
    private final float alpha;
    private float[] remembered;

    /** @param alpha LeakyReLU's slope for negative inputs (ignored by the others) */
    public Elementwise(Kind kind, float alpha) {
        this.kind = kind;
        this.alpha = alpha;
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        float[] v = x.data;
        float[] y = new float[v.length];
        switch (kind) {
            case RELU -> {
                for (int i = 0; i < y.length; i++) {
                    y[i] = Math.max(v[i], 0f);
                }
            }
            case LEAKY_RELU -> {
                for (int i = 0; i < y.length; i++) {
                    y[i] = v[i] >= 0f ? v[i] : alpha * v[i];
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < y.length; i++) {
                    y[i] = (float) (1 / (1 + Math.exp(-v[i])));
                }
            }
            case TANH -> {
                for (int i = 0; i < y.length; i++) {
                    y[i] = (float) Math.tanh(v[i]);
                }
            }
        }
        remembered = !training ? null : kind == Kind.LEAKY_RELU ? v : y;
        return x.with(y);
    }

    @Override
    public Activations backward(Activations g) {
        float[] r = remembered;
        float[] gv = g.data;
        remembered = null;
        if (kind == Kind.RELU) {
            return g.with(Relu.mask(gv, r));
        }
        float[] dx = new float[gv.length];
        switch (kind) {
            case LEAKY_RELU -> {
                for (int i = 0; i < dx.length; i++) {
                    dx[i] = r[i] >= 0f ? gv[i] : alpha * gv[i];
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < dx.length; i++) {
                    dx[i] = gv[i] * r[i] * (1 - r[i]);
                }
            }
            default -> {
                for (int i = 0; i < dx.length; i++) {
                    dx[i] = gv[i] * (1 - r[i] * r[i]); // TANH; RELU returned above
                }
            }
        }
        return g.with(dx);
    }
}
