package org.sparsitybench.train;

import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/**
 * Feature maps (C, N, H, W) to flat features (N, C·H·W) in ONNX's order: channel, then row, then column (ONNX
 * Flatten with axis 1, or Reshape to (N, −1)). Flat features pass through unchanged.
 */
public final class Flatten implements TrainableOp {
    private final String name;
    private int channels;
    private int height;
    private int width;
    private boolean passThrough;

    public Flatten(String name) {
        this.name = name;
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        passThrough = !x.spatial;
        if (passThrough) {
            // Already (N, F): flattening from axis 1 changes nothing.
            return x;
        }
        channels = x.channels;
        height = x.height;
        width = x.width;
        int n = x.batch;
        int plane = x.plane();
        int f = x.features();
        float[] y = new float[x.data.length];
        for (int c = 0; c < channels; c++) {
            for (int b = 0; b < n; b++) {
                System.arraycopy(x.data, (c * n + b) * plane, y, b * f + c * plane, plane);
            }
        }
        return Activations.flat(y, n, f);
    }

    @Override
    public Activations backward(Activations g) {
        if (passThrough) {
            return g;
        }
        int n = g.batch;
        int plane = height * width;
        int f = channels * plane;
        float[] dx = new float[g.data.length];
        for (int c = 0; c < channels; c++) {
            for (int b = 0; b < n; b++) {
                System.arraycopy(g.data, b * f + c * plane, dx, (c * n + b) * plane, plane);
            }
        }
        return Activations.spatial(dx, channels, n, height, width);
    }

    @Override
    public String export(OnnxExport onnx, String x, String output) {
        return onnx.node(name, "Flatten", OnnxExport.outputName(output, name + ".out"), new String[] {x},
                OnnxModelBuilder.attrInt("axis", 1));
    }
}
