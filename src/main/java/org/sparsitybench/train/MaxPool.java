package org.sparsitybench.train;

import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/** Max pooling over non-overlapping 2×2 windows (stride 2, no padding; odd edges are dropped, as ONNX does). */
public final class MaxPool implements TrainableOp {
    private final String name;
    private int[] argmax;
    private int inH;
    private int inW;

    public MaxPool(String name) {
        this.name = name;
    }

    @Override
    public Activations forward(Activations x, boolean training) {
        x.requireSpatial(name);
        int h = x.height;
        int w = x.width;
        int oh = h / 2;
        int ow = w / 2;
        int planes = x.channels * x.batch;
        float[] v = x.data;
        float[] y = new float[planes * oh * ow];
        int[] arg = training ? new int[y.length] : null;
        for (int p = 0; p < planes; p++) {
            int in = p * h * w;
            int out = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int i0 = in + 2 * oy * w + 2 * ox;
                    int best = i0;
                    if (v[i0 + 1] > v[best]) {
                        best = i0 + 1;
                    }
                    if (v[i0 + w] > v[best]) {
                        best = i0 + w;
                    }
                    if (v[i0 + w + 1] > v[best]) {
                        best = i0 + w + 1;
                    }
                    int o = out + oy * ow + ox;
                    y[o] = v[best];
                    if (arg != null) {
                        arg[o] = best;
                    }
                }
            }
        }
        argmax = arg;
        inH = h;
        inW = w;
        return Activations.spatial(y, x.channels, x.batch, oh, ow);
    }

    @Override
    public Activations backward(Activations g) {
        float[] dx = new float[g.channels * g.batch * inH * inW];
        for (int o = 0; o < g.data.length; o++) {
            dx[argmax[o]] += g.data[o];
        }
        argmax = null;
        return Activations.spatial(dx, g.channels, g.batch, inH, inW);
    }

    @Override
    public String export(OnnxExport onnx, String x, String output) {
        return onnx.node(name, "MaxPool", OnnxExport.outputName(output, name + ".out"), new String[] {x},
                OnnxModelBuilder.attrInts("kernel_shape", 2, 2), OnnxModelBuilder.attrInts("strides", 2, 2));
    }
}
