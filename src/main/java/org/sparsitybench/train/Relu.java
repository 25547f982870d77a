package org.sparsitybench.train;

/** {@code max(x, 0)}. */
public final class Relu implements TrainableOp {
    private final String name;
    private float[] output;

    public Relu(String name) {
        this.name = name;
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        float[] y = new float[x.data.length];
        float[] v = x.data;
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.max(v[i], 0f);
        }
        output = training ? y : null;
        return x.with(y);
    }

    @Override
    public Activations backward(Activations g) {
        return g.with(mask(g.data, output));
    }

    /**
     * {@code g} where {@code y > 0}, else 0, for a ReLU output {@code y} (never negative). Without a branch: whether
     * a unit is active is a coin toss the processor cannot predict, and a mispredicted branch per value cost ten
     * times the loop. The bits of a non-negative float are positive exactly when it is above 0, so
     * {@code −bits(y) >> 31} is all ones for an active unit and 0 otherwise, and masks the bits of {@code g}.
     *
     * @param g not modified
     * @param y not modified
     */
    public static float[] mask(float[] g, float[] y) {
        float[] dx = new float[g.length];
        for (int i = 0; i < dx.length; i++) {
            dx[i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[i]) & (-Float.floatToRawIntBits(y[i]) >> 31));
        }
        return dx;
    }

    @Override
    public String export(OnnxExport onnx, String input, String output) {
        return onnx.node(name, "Relu", OnnxExport.outputName(output, name + ".out"), new String[] {input});
    }
}
