package org.sparsitybench.train;

/** ONNX GlobalAveragePool: the mean of each feature map, (C, N, H, W) to (C, N, 1, 1). */
public final class SpatialMean implements TrainableOp {
    private int height;
    private int width;

    @Override
    public Activations forward(Activations x, boolean training) {
        x.requireSpatial("GlobalAveragePool");
        height = x.height;
        width = x.width;
        int planes = x.channels * x.batch;
        int plane = x.plane();
        float[] y = new float[planes];
        for (int p = 0; p < planes; p++) {
            double s = 0;
            for (int i = p * plane, end = i + plane; i < end; i++) {
                s += x.data[i];
            }
            y[p] = (float) (s / plane);
        }
        return Activations.spatial(y, x.channels, x.batch, 1, 1);
    }

    @Override
    public Activations backward(Activations g) {
        int plane = height * width;
        float[] dx = new float[g.data.length * plane];
        for (int p = 0; p < g.data.length; p++) {
            java.util.Arrays.fill(dx, p * plane, (p + 1) * plane, g.data[p] / plane);
        }
        return Activations.spatial(dx, g.channels, g.batch, height, width);
    }
}
