package org.sparsitybench.ui.quantize;

import java.awt.BasicStroke;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.sparsitybench.quantize.Precision;
import org.sparsitybench.quantize.PrecisionSweep;
import org.sparsitybench.ui.common.ChartTheme;
import org.sparsitybench.ui.common.ReadableTicks;

/**
 * Accuracy against compressed size over sparsity × precision (AWT and JFreeChart only, so the window and an export
 * draw the same thing): one series per precision, each point labelled with its sparsity, and the Pareto front
 * (nothing smaller is as accurate) as a dashed line. The accuracy axis names the split it was measured on.
 */
public final class PrecisionCurves {
    /** Legend name of the front. */
    public static final String FRONT = "Pareto front (sparsity × precision)";
    static final String TITLE = "Accuracy vs compressed size";

    private PrecisionCurves() {
    }

    /** A new chart of {@code vm}'s points. */
    public static JFreeChart chart(PrecisionSweepViewModel vm, ChartTheme theme) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        List<Precision> order = List.of(Precision.FLOAT32, Precision.INT8, Precision.INT4);
        for (Precision p : order) {
            XYSeries s = new XYSeries(p.id().equals("float") ? "float32" : p.id(), true, true);
            for (PrecisionSweep.Point q : vm.points()) {
                if (q.precision() == p) {
                    s.add(q.compressedBytes() / 1000.0, q.accuracy());
                }
            }
            if (s.getItemCount() > 0) {
                int at = data.getSeriesCount();
                data.addSeries(s);
                r.setSeriesPaint(at, theme.series(order.indexOf(p)));
                r.setSeriesShape(at, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
                r.setSeriesStroke(at, new BasicStroke(1.5f));
            }
        }
        // Each point says its sparsity: the size axis alone does not tell a pruned float model from an INT4 one.
        r.setDefaultItemLabelGenerator((d, s, i) -> sparsityOf(vm, (String) d.getSeriesKey(s), d.getXValue(s, i)));
        r.setDefaultItemLabelsVisible(true);
        r.setDefaultItemLabelFont(new Font("SansSerif", Font.PLAIN, 10));
        r.setDefaultItemLabelPaint(theme.muted());
        r.setDefaultToolTipGenerator((d, s, i) -> String.format(Locale.ROOT, "%s, %s sparse: %.2f%% accuracy (%s), "
                        + "%.1f kB compressed", d.getSeriesKey(s), sparsityOf(vm, (String) d.getSeriesKey(s),
                        d.getXValue(s, i)), 100 * d.getYValue(s, i), vm.split(), d.getXValue(s, i)));
        NumberAxis x = new NumberAxis("compressed size (kB, file as exported)");
        x.setAutoRangeIncludesZero(true);
        x.setStandardTickUnits(ReadableTicks.plain());
        String split = vm.split().isEmpty() ? "validation" : vm.split();
        NumberAxis y = new NumberAxis("accuracy (" + split + ")");
        y.setAutoRangeIncludesZero(false);
        y.setAutoRangeMinimumSize(0.05);
        y.setStandardTickUnits(ReadableTicks.percent());
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setNoDataMessage("no sparsity × precision measured yet: press Measure above");
        plot.setNoDataMessagePaint(theme.muted());
        plot.setNoDataMessageFont(ChartTheme.LABEL_FONT);
        List<PrecisionSweep.Point> front = vm.front();
        if (!front.isEmpty()) {
            XYSeriesCollection f = new XYSeriesCollection();
            XYSeries fs = new XYSeries(FRONT, false, true);
            front.forEach(p -> fs.add(p.compressedBytes() / 1000.0, p.accuracy()));
            f.addSeries(fs);
            theme.drawFront(plot, 1, f);
        }
        JFreeChart chart = new JFreeChart(TITLE + " (sparsity × precision)", ChartTheme.TITLE_FONT, plot, true);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.RIGHT);
        theme.apply(chart);
        return chart;
    }

    /** "50%": the sparsity of the point of precision {@code series} at {@code kb} kB. */
    private static String sparsityOf(PrecisionSweepViewModel vm, String series, double kb) {
        for (PrecisionSweep.Point q : vm.points()) {
            String name = q.precision() == Precision.FLOAT32 ? "float32" : q.precision().id();
            if (name.equals(series) && Math.abs(q.compressedBytes() / 1000.0 - kb) < 1e-9) {
                return String.format(Locale.ROOT, "%.0f%%", 100 * q.sparsity());
            }
        }
        return "";
    }
}
