package org.sparsitybench.ui.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
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
 * The distribution view's chart without its window (the view itself needs a running toolkit): all weights as a
 * pale ghost, kept weights solid on top, the magnitude threshold as dashed markers, in the view's colours.
 */
final class DistributionChart {
    private DistributionChart() {
    }

    static JFreeChart chart(String layer, WeightHistogram h, double threshold, ChartTheme theme) {
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        XYIntervalSeries all = new XYIntervalSeries("all weights");
        XYIntervalSeries kept = new XYIntervalSeries("kept weights");
        for (int i = 0; i < h.bins(); i++) {
            double lo = h.edges()[i];
            double hi = h.edges()[i + 1];
            all.add((lo + hi) / 2, lo, hi, h.all()[i], 0, h.all()[i]);
            kept.add((lo + hi) / 2, lo, hi, h.kept()[i], 0, h.kept()[i]);
        }
        data.addSeries(all);
        data.addSeries(kept);
        XYBarRenderer r = new XYBarRenderer();
        r.setBarPainter(new StandardXYBarPainter());
        r.setShadowVisible(false);
        r.setDrawBarOutline(false);
        boolean dark = theme == ChartTheme.DARK;
        r.setSeriesPaint(0, dark ? new Color(0x6a, 0x6f, 0x78, 170) : new Color(0xb8, 0xc4, 0xd6, 200));
        r.setSeriesPaint(1, dark ? new Color(0x4f, 0xa3, 0xe0) : new Color(0x1f, 0x5f, 0xa8));
        NumberAxis x = new NumberAxis(h.signed() ? "w" : "|w|");
        NumberAxis y = new NumberAxis("weights");
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
        String title = layer;
        if (Double.isFinite(threshold)) {
            Color marker = dark ? new Color(0xff, 0x6b, 0x6b) : new Color(0xd6, 0x27, 0x28);
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
