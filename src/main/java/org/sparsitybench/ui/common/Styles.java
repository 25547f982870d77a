package org.sparsitybench.ui.common;

/** Style-class names shared by views and their CSS (AtlantaFX-style constants, one place to rename). */
public final class Styles {
    public static final String ROOT = "sb-root";
    public static final String DARK = "sb-dark";
    public static final String GLOBAL_BAR = "sb-global-bar";
    public static final String STATUS_BAR = "sb-status-bar";
    public static final String TOTALS = "sb-totals";
    public static final String VALUE = "sb-value";
    public static final String CAPTION = "sb-caption";
    public static final String WARNING = "sb-warning";
    public static final String EXCLUDED = "sb-excluded";
    public static final String HEATMAP = "sb-heatmap";
    public static final String COLOR_BAR = "sb-color-bar";
    public static final String TOOL_BAR = "sb-tool-bar";
    public static final String LAYERS = "sb-layers";
    public static final String ROW_SLIDER = "sb-row-slider";
    public static final String SENSITIVITY_BAR = "sb-sensitivity-bar";
    public static final String ZEROS_MARKER = "sb-zeros-marker";
    public static final String SWATCH = "sb-swatch";
    public static final String CURVES = "sb-curves";

    private Styles() {
    }
}
