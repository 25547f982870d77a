package org.sparsitybench.ui.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.sparsitybench.prune.stats.WeightHistogram;
import org.sparsitybench.ui.common.ChartTheme;

/**
 * The distribution chart, for the window's view and the headless renderer alike: all weights as a pale ghost,
 * kept weights solid on top, the magnitude threshold as dashed markers (±t for signed values), in the theme's
 * colours; counts on a linear or log axis.
 */
public final class DistributionChart {
    private DistributionChart() {
    }

    static JFreeChart chart(String layer, WeightHistogram h, double threshold, ChartTheme theme) {
        return chart(layer, h, threshold, theme, false);
    }

    /**
     * @param layer     the title ({@code ""} for none)
     * @param h         the histogram (not modified); null for an empty chart
     * @param threshold the magnitude cut, NaN for none
     * @param logCounts counts on a log axis from 1 (an empty bin draws nothing), ticked at integer powers of ten
     *                  labelled as counts (1, 10, 100, 1,000); the linear axis ticks at whole counts
     */
    public static JFreeChart chart(String layer, WeightHistogram h, double threshold, ChartTheme theme,
                                   boolean logCounts) {
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        double floor = logCounts ? 1 : 0;
        if (h != null) {
            XYIntervalSeries all = new XYIntervalSeries("all weights");
            XYIntervalSeries kept = new XYIntervalSeries("kept weights");
            for (int i = 0; i < h.bins(); i++) {
                double lo = h.edges()[i];
                double hi = h.edges()[i + 1];
                double a = Math.max(floor, h.all()[i]);
                double k = Math.max(floor, h.kept()[i]);
                all.add((lo + hi) / 2, lo, hi, a, floor, a);
                kept.add((lo + hi) / 2, lo, hi, k, floor, k);
            }
            data.addSeries(all);
            data.addSeries(kept);
        }
        XYBarRenderer r = new XYBarRenderer();
        r.setBarPainter(new StandardXYBarPainter());
        r.setShadowVisible(false);
        r.setDrawBarOutline(false);
        r.setSeriesPaint(0, theme.ghost());
        r.setSeriesPaint(1, theme.accent());
        NumberAxis x = new NumberAxis(h == null || !h.signed() ? "|w|" : "w");
        ValueAxis y;
        if (logCounts) {
            LogAxis la = new LogAxis("weights (log)");
            la.setSmallestValue(floor);
            la.setLowerMargin(0);
            // Exponents step by whole numbers: no 10^-0.0 or 10^0.5 labels.
            la.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            la.setNumberFormatOverride(new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.ROOT)));
            y = la;
        } else {
            NumberAxis na = new NumberAxis("weights");
            na.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            y = na;
        }
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
        String title = layer;
        if (h != null && Double.isFinite(threshold)) {
            Color marker = theme.threshold();
            for (double at : h.signed() ? new double[] {threshold, -threshold} : new double[] {threshold}) {
                ValueMarker m = new ValueMarker(at);
                m.setPaint(marker);
                m.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
                plot.addDomainMarker(m);
            }
            title += String.format(Locale.ROOT, ": weights below |w| = %.4g pruned", threshold);
        }
        JFreeChart chart = new JFreeChart(title, ChartTheme.TITLE_FONT, plot, true);
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        theme.apply(chart);
        return chart;
    }
}
