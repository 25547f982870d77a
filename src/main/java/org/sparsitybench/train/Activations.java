package org.sparsitybench.train;

/**
 * The values flowing between layers for one batch. Feature maps are stored channel-major, (C, N, H, W), so a
 * convolution is one matrix product and a batch-norm channel is one contiguous block; flat features are stored
 * batch-major, (N, F), as a fully connected layer wants them.
 */
public final class Activations {
    public final float[] data;
    public final int channels;
    public final int batch;
    public final int height;
    public final int width;
    public final boolean spatial;

    private Activations(float[] data, int channels, int batch, int height, int width, boolean spatial) {
        if ((long) channels * batch * height * width != data.length) {
            throw new IllegalArgumentException(channels + "×" + batch + "×" + height + "×" + width + " needs "
                    + (long) channels * batch * height * width + " values, got " + data.length);
        }
        this.data = data;
        this.channels = channels;
        this.batch = batch;
        this.height = height;
        this.width = width;
        this.spatial = spatial;
    }

    /** Feature maps laid out (C, N, H, W); {@code data} is kept, not copied. */
    public static Activations spatial(float[] data, int channels, int batch, int height, int width) {
        return new Activations(data, channels, batch, height, width, true);
    }

    /** Flat features laid out (N, F); {@code data} is kept, not copied. */
    public static Activations flat(float[] data, int batch, int features) {
        return new Activations(data, features, batch, 1, 1, false);
    }

    /**
     * Converts a batch in ONNX layout (N, C, H, W) to channel-major (C, N, H, W). With one channel the two
     * layouts coincide and {@code nchw} is kept as it is.
     */
    public static Activations fromNchw(float[] nchw, int batch, int channels, int height, int width) {
        if (channels == 1) {
            return spatial(nchw, 1, batch, height, width);
        }
        int plane = height * width;
        float[] out = new float[nchw.length];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                System.arraycopy(nchw, (n * channels + c) * plane, out, (c * batch + n) * plane, plane);
            }
        }
        return spatial(out, channels, batch, height, width);
    }

    /** Values per sample: C·H·W. */
    public int features() {
        return channels * height * width;
    }

    public int plane() {
        return height * width;
    }

    /** The same shape with other values. */
    public Activations with(float[] values) {
        return new Activations(values, channels, batch, height, width, spatial);
    }

    public void requireSpatial(String layer) {
        if (!spatial) {
            throw new IllegalArgumentException(layer + " needs feature maps, got flat features of " + channels);
        }
    }

    public void requireFlat(String layer, int features) {
        if (spatial || channels != features) {
            throw new IllegalArgumentException(layer + " needs " + features + " flat features, got "
                    + (spatial ? channels + "×" + height + "×" + width + " maps" : channels + " features"));
        }
    }
}
