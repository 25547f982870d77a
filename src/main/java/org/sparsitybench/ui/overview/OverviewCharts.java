package org.sparsitybench.ui.overview;

import java.awt.Color;
import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;
import org.sparsitybench.ui.common.ChartTheme;

/**
 * The model overview as one JFreeChart (AWT only, shared by the window and the headless renderer): layers down
 * the left, read once, with horizontal bars so long names stay readable at any count; on the left plot requested
 * and achieved sparsity side by side, on the right the kept weights with the pruned ones as a pale extension.
 */
public final class OverviewCharts {
    /** Row keys of the sparsity plot. */
    public static final String REQUESTED = "requested sparsity";
    public static final String ACHIEVED = "achieved sparsity";
    /** Row keys of the parameter plot. */
    public static final String KEPT = "kept weights";
    public static final String PRUNED = "pruned weights";

    /** Pixels per layer the chart needs to keep names and bars legible. */
    public static final int PIXELS_PER_LAYER = 24;
    private static final int CHROME = 130;

    private OverviewCharts() {
    }

    /** Height at which every layer's name and bars are legible. */
    public static int preferredHeight(int layers) {
        return Math.max(320, CHROME + PIXELS_PER_LAYER * layers);
    }

    public static JFreeChart chart(List<OverviewRow> rows, String subtitle, ChartTheme theme) {
        DefaultCategoryDataset sparsity = new DefaultCategoryDataset();
        DefaultCategoryDataset params = new DefaultCategoryDataset();
        for (OverviewRow r : rows) {
            sparsity.addValue(r.requested(), REQUESTED, r.name());
            sparsity.addValue(r.achieved(), ACHIEVED, r.name());
            params.addValue(r.kept(), KEPT, r.name());
            params.addValue(r.pruned(), PRUNED, r.name());
        }
        NumberAxis sAxis = new NumberAxis("sparsity");
        sAxis.setRange(0, 1);
        sAxis.setNumberFormatOverride(NumberFormat.getPercentInstance(Locale.ROOT));
        BarRenderer sRenderer = new BarRenderer();
        sRenderer.setBarPainter(new StandardBarPainter());
        sRenderer.setShadowVisible(false);
        sRenderer.setItemMargin(0.0);
        sRenderer.setSeriesPaint(0, faded(theme.series(0), theme));
        sRenderer.setSeriesPaint(1, theme.series(0));
        sRenderer.setDefaultToolTipGenerator((d, row, col) -> String.format(Locale.ROOT, "%s: %s %.1f%%",
                d.getColumnKey(col), d.getRowKey(row), 100 * d.getValue(row, col).doubleValue()));
        CategoryPlot sPlot = new CategoryPlot(sparsity, null, sAxis, sRenderer);

        NumberAxis pAxis = new NumberAxis("weights (kept + pruned)");
        pAxis.setNumberFormatOverride(NumberFormat.getIntegerInstance(Locale.ROOT));
        StackedBarRenderer pRenderer = new StackedBarRenderer();
        pRenderer.setBarPainter(new StandardBarPainter());
        pRenderer.setShadowVisible(false);
        pRenderer.setSeriesPaint(0, theme.series(2));
        pRenderer.setSeriesPaint(1, faded(theme.series(2), theme));
        pRenderer.setDefaultToolTipGenerator((d, row, col) -> String.format(Locale.ROOT, "%s: %,d %s",
                d.getColumnKey(col), d.getValue(row, col).longValue(), d.getRowKey(row)));
        CategoryPlot pPlot = new CategoryPlot(params, null, pAxis, pRenderer);

        CategoryAxis layers = new CategoryAxis("layer");
        layers.setMaximumCategoryLabelWidthRatio(0.45f);
        layers.setCategoryMargin(0.25);
        layers.setLowerMargin(0.5 / Math.max(1, rows.size()));
        layers.setUpperMargin(0.5 / Math.max(1, rows.size()));
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(layers);
        plot.add(sPlot, 3);
        plot.add(pPlot, 2);
        plot.setGap(14);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        JFreeChart chart = new JFreeChart("Model overview: sparsity and remaining weights per layer",
                ChartTheme.TITLE_FONT, plot, true);
        chart.getLegend().setPosition(RectangleEdge.TOP);
        if (subtitle != null && !subtitle.isEmpty()) {
            chart.addSubtitle(0, new TextTitle(subtitle, ChartTheme.LABEL_FONT));
        }
        theme.apply(chart);
        return chart;
    }

    /** The colour mixed halfway toward the background: the "asked for" or "removed" partner of a solid bar. */
    static Color faded(Color c, ChartTheme theme) {
        Color bg = theme.background();
        return new Color((c.getRed() + bg.getRed()) / 2, (c.getGreen() + bg.getGreen()) / 2, (c.getBlue() + bg.getBlue()) / 2);
    }
}
