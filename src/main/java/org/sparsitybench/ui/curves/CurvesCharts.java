package org.sparsitybench.ui.curves;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.sparsitybench.ui.common.ChartTheme;
import org.sparsitybench.ui.common.ReadableTicks;

/**
 * Builds the curves' charts from a {@link CurvesViewModel} (AWT and JFreeChart only, so the window and the
 * headless renderer draw the same thing). Dataset 0 holds the visible series that have a point on this chart,
 * then the current configuration; the accuracy/latency chart adds the Pareto front as dataset 1. The legend
 * lists every series, hidden ones greyed, and each item's series key is the series name, so a click on it can
 * toggle the series.
 */
public final class CurvesCharts {
    /** Legend name of the Pareto front. */
    public static final String PARETO = "Pareto front";

    private static final Shape DOT = new Ellipse2D.Double(-3.5, -3.5, 7, 7);
    private static final Shape SNAPSHOT = new Rectangle2D.Double(-5, -5, 10, 10);
    private static final Shape RING = new Ellipse2D.Double(-8, -8, 16, 16);
    private static final Shape FRONT = new Ellipse2D.Double(-6, -6, 12, 12);

    private CurvesCharts() {
    }

    /** A new chart of {@code kind} for the model's current state. */
    public static JFreeChart chart(CurveKind kind, CurvesViewModel vm, ChartTheme theme) {
        List<CurveSeries> all = vm.series();
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        boolean scatter = kind == CurveKind.ACCURACY_VS_LATENCY;
        for (int i = 0; i < all.size(); i++) {
            CurveSeries s = all.get(i);
            if (!vm.isVisible(s.name())) {
                continue;
            }
            XYSeries xy = new XYSeries(s.name(), !scatter, true);
            s.points().stream().filter(kind::plots).forEach(p -> xy.add(kind.x(p), kind.y(p)));
            if (xy.getItemCount() == 0) {
                continue;
            }
            int at = data.getSeriesCount();
            data.addSeries(xy);
            boolean single = s.points().size() == 1;
            r.setSeriesPaint(at, theme.series(i));
            r.setSeriesShape(at, single ? SNAPSHOT : DOT);
            r.setSeriesLinesVisible(at, !scatter && !single);
            r.setSeriesStroke(at, new BasicStroke(2f));
        }
        CurvePoint current = vm.current();
        if (current != null && kind.plots(current)) {
            XYSeries c = new XYSeries(CurvesViewModel.CURRENT);
            c.add(kind.x(current), kind.y(current));
            int at = data.getSeriesCount();
            data.addSeries(c);
            r.setSeriesPaint(at, theme.highlight());
            r.setSeriesShape(at, RING);
            r.setSeriesShapesFilled(at, false);
            r.setSeriesStroke(at, new BasicStroke(2.5f));
            r.setSeriesLinesVisible(at, false);
        }
        r.setDefaultToolTipGenerator((d, s, item) -> String.format(Locale.ROOT, "%s: %s %.4g, %s %.4g", d.getSeriesKey(s),
                kind.xLabel(), d.getXValue(s, item), kind.yLabel(), d.getYValue(s, item)));
        NumberAxis x = axis(kind.xLabel(), kind.xLabel().contains("sparsity"));
        NumberAxis y = axis(kind.yLabel(), kind.yLabel().startsWith("accuracy"));
        if (kind.xLabel().contains("sparsity")) {
            x.setRange(0, 1);
        }
        XYPlot plot = new XYPlot(data, x, y, r);
        if (kind == CurveKind.LATENCY_VS_SPARSITY || kind == CurveKind.ACCURACY_VS_LATENCY) {
            errorBars(kind, vm, theme, plot, 2);
        }
        plot.setNoDataMessage(kind == CurveKind.LATENCY_VS_SPARSITY || kind == CurveKind.ACCURACY_VS_LATENCY
                ? "no latency measured yet" : "no measured points yet: run a sweep");
        plot.setNoDataMessagePaint(theme.muted());
        plot.setNoDataMessageFont(ChartTheme.LABEL_FONT);
        LegendItemCollection legend = new LegendItemCollection();
        for (int i = 0; i < all.size(); i++) {
            CurveSeries s = all.get(i);
            boolean visible = vm.isVisible(s.name());
            LegendItem item = new LegendItem(visible ? s.name() : s.name() + " (hidden)", null,
                    "click to " + (visible ? "hide" : "show"), null, s.points().size() == 1 ? SNAPSHOT : DOT,
                    visible ? theme.series(i) : theme.grid());
            item.setSeriesKey(s.name());
            item.setDataset(data);
            item.setLabelPaint(visible ? theme.foreground() : theme.muted());
            legend.add(item);
        }
        if (current != null && kind.plots(current)) {
            LegendItem item = outlined(CurvesViewModel.CURRENT, "the configuration in the window", RING,
                    theme.highlight(), false);
            item.setSeriesKey(CurvesViewModel.CURRENT);
            legend.add(item);
        }
        if (kind == CurveKind.ACCURACY_VS_LATENCY) {
            List<CurvePoint> front = vm.paretoFront();
            if (!front.isEmpty()) {
                XYSeriesCollection f = new XYSeriesCollection();
                XYSeries fs = new XYSeries(PARETO, false, true);
                front.forEach(p -> fs.add(p.latencyMs(), p.accuracy()));
                f.addSeries(fs);
                Color c = theme.front();
                theme.drawFront(plot, 1, f);
                LegendItem item = outlined(PARETO, "non-dominated: no other point is more accurate and not slower "
                        + "(latencies whose p10–p90 overlap are ties); chance-level points are never on it",
                        FRONT, c, true);
                item.setSeriesKey(PARETO);
                legend.add(item);
            }
        }
        JFreeChart chart = new JFreeChart(kind.title(), ChartTheme.TITLE_FONT, plot, false);
        LegendTitle title = new LegendTitle(() -> legend);
        title.setPosition(RectangleEdge.BOTTOM);
        chart.addLegend(title);
        theme.apply(chart);
        return chart;
    }

    /** A legend item drawn as an open shape, optionally on a dashed line. */
    private static LegendItem outlined(String label, String tooltip, Shape shape, Color paint, boolean line) {
        BasicStroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
        return new LegendItem(label, null, tooltip, null, true, shape, false, paint, true, paint, new BasicStroke(2f),
                line, new Line2D.Double(-10, 0, 10, 0), dashed, paint);
    }

    private static NumberAxis axis(String label, boolean percent) {
        NumberAxis a = new NumberAxis(label);
        a.setAutoRangeIncludesZero(false);
        // Each tick unit formats with the decimals its size needs, so no two ticks print the same label.
        a.setStandardTickUnits(percent ? ReadableTicks.percent() : ReadableTicks.plain());
        // With one point (the current configuration before any sweep) the range would collapse to nothing: keep a
        // readable span instead.
        if (percent) {
            a.setAutoRangeMinimumSize(0.1);
        } else if (label.startsWith("latency")) {
            a.setAutoRangeMinimumSize(0.01);
        } else {
            a.setAutoRangeMinimumSize(0.2);
        }
        return a;
    }

    /**
     * Each visible latency's noise band (p10–p90 of its timed runs) as an error bar in its series' colour: along y
     * on latency-vs-sparsity, along x on accuracy-vs-latency. Points without a known spread get none.
     */
    private static void errorBars(CurveKind kind, CurvesViewModel vm, ChartTheme theme, XYPlot plot, int index) {
        boolean alongX = kind == CurveKind.ACCURACY_VS_LATENCY;
        XYIntervalSeriesCollection bars = new XYIntervalSeriesCollection();
        XYErrorRenderer r = new XYErrorRenderer();
        r.setDefaultLinesVisible(false);
        r.setDefaultShapesVisible(false);
        r.setDrawXError(alongX);
        r.setDrawYError(!alongX);
        r.setCapLength(6);
        r.setErrorStroke(new BasicStroke(1.2f));
        List<CurveSeries> all = vm.series();
        for (int i = 0; i < all.size(); i++) {
            CurveSeries s = all.get(i);
            if (vm.isVisible(s.name())) {
                addBars(bars, r, s.name(), s.points(), kind, alongX, theme.series(i));
            }
        }
        if (vm.current() != null) {
            addBars(bars, r, CurvesViewModel.CURRENT, List.of(vm.current()), kind, alongX, theme.highlight());
        }
        if (bars.getSeriesCount() > 0) {
            plot.setDataset(index, bars);
            plot.setRenderer(index, r);
        }
    }

    private static void addBars(XYIntervalSeriesCollection bars, XYErrorRenderer r, String name, List<CurvePoint> points,
                                CurveKind kind, boolean alongX, Color paint) {
        XYIntervalSeries s = new XYIntervalSeries(name + " (p10–p90)");
        for (CurvePoint p : points) {
            if (kind.plots(p) && p.hasSpread()) {
                double x = kind.x(p);
                double y = kind.y(p);
                if (alongX) {
                    s.add(x, p.latencyLowMs(), p.latencyHighMs(), y, y, y);
                } else {
                    s.add(x, x, x, y, p.latencyLowMs(), p.latencyHighMs());
                }
            }
        }
        if (s.getItemCount() > 0) {
            r.setSeriesPaint(bars.getSeriesCount(), paint);
            bars.addSeries(s);
        }
    }
}
