package org.sparsitybench.ui.common;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.title.Title;
import org.jfree.chart.ui.RectangleInsets;

/**
 * The charts' light and dark looks, matching {@code workbench.css}: background, text, grid and a categorical
 * series palette (Tableau 10, brightened for the dark background) that stays apart for most colour-blind
 * viewers in its first four entries. Views and the headless renderer style charts through this one place.
 */
public enum ChartTheme {
    LIGHT(new Color(0xff, 0xff, 0xff), new Color(0x1f, 0x23, 0x28), new Color(0x5f, 0x66, 0x70), new Color(0xdd, 0xdd, 0xdd),
            new Color(0x1f, 0x5f, 0xa8), new int[] {0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e, 0x9467bd, 0x8c564b, 0xe377c2,
                0x7f7f7f, 0xbcbd22, 0x17becf}),
    DARK(new Color(0x26, 0x28, 0x2c), new Color(0xdd, 0xdd, 0xdd), new Color(0x9a, 0xa0, 0xa8), new Color(0x44, 0x47, 0x4d),
            new Color(0x4f, 0xa3, 0xe0), new int[] {0x4fa3e0, 0xff6b6b, 0x5cd65c, 0xffa94d, 0xb197fc, 0xc9a27e, 0xf783ac,
                0xadb5bd, 0xdedc5a, 0x4dd4e6});

    /** Font of chart titles. */
    public static final Font TITLE_FONT = new Font("SansSerif", Font.BOLD, 13);
    /** Font of axis labels and legends. */
    public static final Font LABEL_FONT = new Font("SansSerif", Font.PLAIN, 12);
    /** Font of tick labels. */
    public static final Font TICK_FONT = new Font("SansSerif", Font.PLAIN, 11);

    private final Color background;
    private final Color foreground;
    private final Color muted;
    private final Color grid;
    private final Color accent;
    private final int[] palette;

    ChartTheme(Color background, Color foreground, Color muted, Color grid, Color accent, int[] palette) {
        this.background = background;
        this.foreground = foreground;
        this.muted = muted;
        this.grid = grid;
        this.accent = accent;
        this.palette = palette;
    }

    /** The theme by name ("light" or "dark", any case). */
    public static ChartTheme of(String name) {
        for (ChartTheme t : values()) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("theme '" + name + "': one of light, dark");
    }

    public Color background() {
        return background;
    }

    public Color foreground() {
        return foreground;
    }

    public Color muted() {
        return muted;
    }

    public Color grid() {
        return grid;
    }

    public Color accent() {
        return accent;
    }

    /** The i-th categorical series colour (cycles after ten). */
    public Color series(int i) {
        return new Color(palette[Math.floorMod(i, palette.length)]);
    }

    /** A highlight that stands out from the series palette on this background (the current configuration). */
    public Color highlight() {
        return this == LIGHT ? Color.BLACK : Color.WHITE;
    }

    /** The Pareto front's colour: a magenta no series colour comes close to among the first six. */
    public Color front() {
        return this == LIGHT ? new Color(0xc5, 0x1b, 0x7d) : new Color(0xf1, 0x8a, 0xd0);
    }

    /**
     * A Pareto front drawn on {@code plot} as dataset {@code index}, above the points: a dashed line in
     * {@link #front()} through open circles.
     */
    public void drawFront(org.jfree.chart.plot.XYPlot plot, int index, org.jfree.data.xy.XYDataset front) {
        org.jfree.chart.renderer.xy.XYLineAndShapeRenderer r = new org.jfree.chart.renderer.xy.XYLineAndShapeRenderer(
                true, true);
        r.setSeriesPaint(0, front());
        r.setSeriesShape(0, new java.awt.geom.Ellipse2D.Double(-6, -6, 12, 12));
        r.setSeriesShapesFilled(0, false);
        r.setSeriesStroke(0, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f));
        plot.setDataset(index, front);
        plot.setRenderer(index, r);
        plot.setDatasetRenderingOrder(org.jfree.chart.plot.DatasetRenderingOrder.FORWARD);
    }

    /** {@code c} for painting on a JavaFX canvas (alpha kept). */
    public static javafx.scene.paint.Color fx(Color c) {
        return javafx.scene.paint.Color.rgb(c.getRed(), c.getGreen(), c.getBlue(), c.getAlpha() / 255.0);
    }

    /** All weights behind the kept ones in a histogram: a pale, half-transparent ghost. */
    public Color ghost() {
        return this == LIGHT ? new Color(0xb8, 0xc4, 0xd6, 200) : new Color(0x6a, 0x6f, 0x78, 170);
    }

    /** The pruning threshold's marker: the red of the palette. */
    public Color threshold() {
        return series(1);
    }

    /** Styles the chart's background, titles, legend, plot and axes (series colours are the caller's). */
    public void apply(JFreeChart chart) {
        chart.setBackgroundPaint(background);
        // Room on the right for the last tick label ("100%", "50,000"), which JFreeChart centres on the edge.
        chart.setPadding(new RectangleInsets(4, 4, 4, 18));
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        if (chart.getTitle() != null) {
            chart.getTitle().setPaint(foreground);
            chart.getTitle().setFont(TITLE_FONT);
        }
        for (int i = 0; i < chart.getSubtitleCount(); i++) {
            Title t = chart.getSubtitle(i);
            if (t instanceof LegendTitle l) {
                l.setBackgroundPaint(background);
                l.setItemPaint(foreground);
                l.setItemFont(LABEL_FONT);
            } else if (t instanceof TextTitle tt) {
                tt.setPaint(muted);
                tt.setBackgroundPaint(null);
            }
        }
        applyPlot(chart.getPlot());
    }

    private void applyPlot(Plot plot) {
        plot.setBackgroundPaint(background);
        plot.setOutlinePaint(grid);
        plot.setInsets(new RectangleInsets(6, 6, 6, 12));
        if (plot instanceof CombinedDomainCategoryPlot c) {
            styleAxis(c.getDomainAxis());
            for (Object sub : c.getSubplots()) {
                applyPlot((Plot) sub);
            }
        }
        if (plot instanceof CombinedDomainXYPlot c) {
            styleAxis(c.getDomainAxis());
            for (XYPlot sub : c.getSubplots()) {
                applyPlot(sub);
            }
        }
        if (plot instanceof XYPlot p) {
            p.setDomainGridlinePaint(grid);
            p.setRangeGridlinePaint(grid);
            p.setDomainGridlineStroke(new BasicStroke(0.8f));
            p.setRangeGridlineStroke(new BasicStroke(0.8f));
            for (int i = 0; i < p.getDomainAxisCount(); i++) {
                styleAxis(p.getDomainAxis(i));
            }
            for (int i = 0; i < p.getRangeAxisCount(); i++) {
                styleAxis(p.getRangeAxis(i));
            }
        } else if (plot instanceof CategoryPlot p) {
            p.setDomainGridlinePaint(grid);
            p.setRangeGridlinePaint(grid);
            p.setRangeGridlineStroke(new BasicStroke(0.8f));
            for (int i = 0; i < p.getDomainAxisCount(); i++) {
                styleAxis(p.getDomainAxis(i));
            }
            for (int i = 0; i < p.getRangeAxisCount(); i++) {
                styleAxis(p.getRangeAxis(i));
            }
        }
    }

    private void styleAxis(Axis a) {
        if (a == null) {
            return;
        }
        Paint fg = foreground;
        a.setLabelPaint(fg);
        a.setTickLabelPaint(fg);
        a.setAxisLinePaint(muted);
        a.setTickMarkPaint(muted);
        a.setLabelFont(LABEL_FONT);
        a.setTickLabelFont(TICK_FONT);
    }
}
