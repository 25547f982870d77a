package org.sparsitybench.ui.sensitivity;

/**
 * The diverging colour ramp of accuracy drops (ColorBrewer RdBu, reversed): no change is near-white, a drop
 * shades through orange to deep red at {@code scale}, a gain shades to blue, with a square-root response so small
 * drops beside a large one still show. Packed RGB, no toolkit, so the
 * window and the renderer agree and tests can compare colours.
 */
public final class DropColors {
    private static final int[] ANCHORS = {0x2166ac, 0x67a9cf, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xef8a62, 0xb2182b};
    /** Colour of a cell that was not measured. */
    public static final int MISSING = 0x9a9a9a;

    private DropColors() {
    }

    /**
     * RGB for an accuracy drop.
     *
     * @param drop  baseline accuracy minus measured accuracy (0.02 = two points lost; negative = gained); NaN gives
     *              {@link #MISSING}
     * @param scale the drop painted in the deepest red, &gt; 0
     */
    public static int rgb(double drop, double scale) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("scale " + scale + " must be > 0");
        }
        if (Double.isNaN(drop)) {
            return MISSING;
        }
        // Square-root response: a 2-point drop on a 40-point scale still shows, and order is kept.
        double t = Math.signum(drop) * Math.sqrt(Math.min(1, Math.abs(drop) / scale)); // -1 .. 1
        double pos = (t + 1) / 2 * (ANCHORS.length - 1);
        int a = Math.min((int) pos, ANCHORS.length - 2);
        double f = pos - a;
        int x = ANCHORS[a];
        int y = ANCHORS[a + 1];
        int r = (int) Math.round(((x >> 16) & 0xff) * (1 - f) + ((y >> 16) & 0xff) * f);
        int g = (int) Math.round(((x >> 8) & 0xff) * (1 - f) + ((y >> 8) & 0xff) * f);
        int b = (int) Math.round((x & 0xff) * (1 - f) + (y & 0xff) * f);
        return (r << 16) | (g << 8) | b;
    }

    /** Black or white, whichever reads better on {@code rgb} (relative luminance above or below 0.45). */
    public static int textOn(int rgb) {
        double l = 0.2126 * lin((rgb >> 16) & 0xff) + 0.7152 * lin((rgb >> 8) & 0xff) + 0.0722 * lin(rgb & 0xff);
        return l > 0.2 ? 0x000000 : 0xffffff;
    }

    private static double lin(int c) {
        double s = c / 255.0;
        return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    }
}
