package org.sparsitybench.ui.heatmap;

/**
 * The viridis colormap (perceptually uniform, readable in grey and by most colour-blind viewers), as packed
 * ARGB, from matplotlib's anchor colours with linear interpolation between them.
 */
public final class Viridis {
    private static final int[] ANCHORS = {0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779,
        0x6ece58, 0xb5de2b, 0xfde725};
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            double t = i / 255.0 * (ANCHORS.length - 1);
            int a = Math.min((int) t, ANCHORS.length - 2);
            double f = t - a;
            TABLE[i] = 0xff000000 | mix(ANCHORS[a], ANCHORS[a + 1], f);
        }
    }

    /**
     * The shade pruned weights are mixed toward: a light neutral grey, far from every viridis colour (the dark
     * purple end included) and from the yellow end by its lack of saturation, on the light and the dark theme.
     */
    public static final int PRUNED_GREY = 0xd0d0d0;

    private Viridis() {
    }

    /**
     * One heatmap cell as RGB: {@code (1 - k)·grey + k·viridis(meanAbs / max)} with {@code k} the kept share, so
     * a fully pruned cell is plain light grey. The window and the headless renderer paint with this.
     *
     * @param keptFraction the cell's kept share, 0–1
     */
    public static int cellRgb(float meanAbs, float max, float keptFraction) {
        int rgb = argb(meanAbs / (max > 0 ? max : 1)) & 0xffffff;
        return mix(PRUNED_GREY, rgb, Math.max(0, Math.min(1, keptFraction)));
    }

    /** ARGB for {@code t} in [0, 1] (clamped; NaN gives the lowest colour). */
    public static int argb(double t) {
        if (!(t > 0)) {
            return TABLE[0];
        }
        return TABLE[(int) Math.round(Math.min(1, t) * 255)];
    }

    /** Mixes two RGB colours: {@code (1-f)·a + f·b}. */
    static int mix(int a, int b, double f) {
        int r = (int) Math.round(((a >> 16) & 0xff) * (1 - f) + ((b >> 16) & 0xff) * f);
        int g = (int) Math.round(((a >> 8) & 0xff) * (1 - f) + ((b >> 8) & 0xff) * f);
        int bl = (int) Math.round((a & 0xff) * (1 - f) + (b & 0xff) * f);
        return (r << 16) | (g << 8) | bl;
    }
}
