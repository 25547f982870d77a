package org.sparsitybench.train;

import java.util.Arrays;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/** Mean of each feature map: (C, N, H, W) to flat (N, C); exported as GlobalAveragePool then Flatten. */
public final class GlobalAvgPool implements TrainableOp {
    private final String name;
    private int height;
    private int width;

    public GlobalAvgPool(String name) {
        this.name = name;
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        x.requireSpatial(name);
        height = x.height;
        width = x.width;
        int n = x.batch;
        int c = x.channels;
        int plane = x.plane();
        float[] y = new float[n * c];
        for (int ch = 0; ch < c; ch++) {
            for (int b = 0; b < n; b++) {
                double s = 0;
                for (int i = (ch * n + b) * plane, end = i + plane; i < end; i++) {
                    s += x.data[i];
                }
                y[b * c + ch] = (float) (s / plane);
            }
        }
        return Activations.flat(y, n, c);
    }

    @Override
    public Activations backward(Activations g) {
        int n = g.batch;
        int c = g.channels;
        int plane = height * width;
        float[] dx = new float[c * n * plane];
        for (int ch = 0; ch < c; ch++) {
            for (int b = 0; b < n; b++) {
                float v = g.data[b * c + ch] / plane;
                Arrays.fill(dx, (ch * n + b) * plane, (ch * n + b + 1) * plane, v);
            }
        }
        return Activations.spatial(dx, c, n, height, width);
    }

    @Override
    public String export(OnnxExport onnx, String x, String output) {
        String pooled = onnx.node(name, "GlobalAveragePool", name + ".out", new String[] {x});
        return onnx.node(name + ".flatten", "Flatten", OnnxExport.outputName(output, name + ".flat"),
                new String[] {pooled}, OnnxModelBuilder.attrInt("axis", 1));
    }
}
