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

    /** {@code g} where {@code y > 0}, else 0. */
    public static float[] mask(float[] g, float[] y) {
        float[] dx = new float[g.length];
        for (int i = 0; i < dx.length; i++) {
            dx[i] = y[i] > 0f ? g[i] : 0f;
        }
        return dx;
    }

    @Override
    public String export(OnnxExport onnx, String input, String output) {
        return onnx.node(name, "Relu", OnnxExport.outputName(output, name + ".out"), new String[] {input});
    }
}
