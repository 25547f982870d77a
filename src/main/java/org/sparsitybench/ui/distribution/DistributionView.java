package org.sparsitybench.ui.distribution;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.scene.layout.BorderPane;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.sparsitybench.prune.stats.WeightHistogram;

/**
 * The selected layer's weight distribution: all weights as a light ghost, kept weights solid on top, the pruning
 * threshold as vertical markers (±t for signed values), linear or log counts. Paints the engine's
 * {@link WeightHistogram}; computes nothing.
 */
public final class DistributionView extends BorderPane {
    private final ObjectProperty<WeightHistogram> histogram = new SimpleObjectProperty<>(this, "histogram");
    private final DoubleProperty threshold = new SimpleDoubleProperty(this, "threshold", Double.NaN);
    private final BooleanProperty logCounts = new SimpleBooleanProperty(this, "logCounts", false);
    private final BooleanProperty dark = new SimpleBooleanProperty(this, "dark", false);
    private final StringProperty title = new SimpleStringProperty(this, "title", "");
    private final XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
    private final XYPlot plot;
    private final JFreeChart chart;
    private final ChartViewer viewer;

    public DistributionView() {
        setId("distributionView");
        NumberAxis x = new NumberAxis("|w|");
        NumberAxis y = new NumberAxis("weights");
        XYBarRenderer r = new XYBarRenderer();
        r.setBarPainter(new StandardXYBarPainter());
        r.setShadowVisible(false);
        r.setDrawBarOutline(false);
        plot = new XYPlot(data, x, y, r);
        // Series in order: the ghost of all weights first, kept weights painted over it.
        plot.setSeriesRenderingOrder(org.jfree.chart.plot.SeriesRenderingOrder.FORWARD);
        chart = new JFreeChart("", new Font("SansSerif", Font.PLAIN, 13), plot, true);
        viewer = new ChartViewer(chart);
        viewer.setId("distributionChart");
        setCenter(viewer);
        histogram.addListener(o -> refresh());
        threshold.addListener(o -> refresh());
        logCounts.addListener(o -> refresh());
        dark.addListener(o -> refresh());
        title.addListener(o -> chart.setTitle(title.get()));
        refresh();
    }

    public ObjectProperty<WeightHistogram> histogramProperty() {
        return histogram;
    }

    public DoubleProperty thresholdProperty() {
        return threshold;
    }

    public BooleanProperty logCountsProperty() {
        return logCounts;
    }

    public BooleanProperty darkProperty() {
        return dark;
    }

    public StringProperty titleProperty() {
        return title;
    }

    public JFreeChart chart() {
        return chart;
    }

    /** Series 0: all weights; series 1: kept weights (for tests). */
    public XYIntervalSeriesCollection dataset() {
        return data;
    }

    private void refresh() {
        data.removeAllSeries();
        plot.clearDomainMarkers();
        WeightHistogram h = histogram.get();
        boolean log = logCounts.get();
        ValueAxis y;
        if (log) {
            LogAxis la = new LogAxis("weights (log)");
            la.setSmallestValue(0.5);
            y = la;
        } else {
            y = new NumberAxis("weights");
        }
        plot.setRangeAxis(y);
        if (h != null) {
            plot.getDomainAxis().setLabel(h.signed() ? "w" : "|w|" + (h.scale() == WeightHistogram.Scale.LOG ? " (log bins)" : ""));
            XYIntervalSeries all = new XYIntervalSeries("all weights");
            XYIntervalSeries kept = new XYIntervalSeries("kept weights");
            double floor = log ? 0.5 : 0;
            for (int i = 0; i < h.bins(); i++) {
                double lo = h.edges()[i];
                double hi = h.edges()[i + 1];
                double mid = (lo + hi) / 2;
                all.add(mid, lo, hi, Math.max(floor, h.all()[i]), floor, Math.max(floor, h.all()[i]));
                kept.add(mid, lo, hi, Math.max(floor, h.kept()[i]), floor, Math.max(floor, h.kept()[i]));
            }
            data.addSeries(all);
            data.addSeries(kept);
            double t = threshold.get();
            if (Double.isFinite(t)) {
                plot.addDomainMarker(marker(t));
                if (h.signed()) {
                    plot.addDomainMarker(marker(-t));
                }
            }
        }
        applyColors();
    }

    private ValueMarker marker(double at) {
        ValueMarker m = new ValueMarker(at);
        m.setPaint(new Color(0xd6, 0x27, 0x28));
        m.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        return m;
    }

    private void applyColors() {
        boolean d = dark.get();
        Color bg = d ? new Color(0x1e, 0x1f, 0x22) : Color.WHITE;
        Color fg = d ? new Color(0xdd, 0xdd, 0xdd) : new Color(0x22, 0x22, 0x22);
        Color grid = d ? new Color(0x44, 0x44, 0x44) : new Color(0xdd, 0xdd, 0xdd);
        chart.setBackgroundPaint(bg);
        plot.setBackgroundPaint(bg);
        plot.setDomainGridlinePaint(grid);
        plot.setRangeGridlinePaint(grid);
        chart.getTitle().setPaint(fg);
        if (chart.getLegend() != null) {
            chart.getLegend().setBackgroundPaint(bg);
            chart.getLegend().setItemPaint(fg);
        }
        for (ValueAxis a : new ValueAxis[] {plot.getDomainAxis(), plot.getRangeAxis()}) {
            a.setLabelPaint(fg);
            a.setTickLabelPaint(fg);
            a.setAxisLinePaint(fg);
        }
        XYBarRenderer r = (XYBarRenderer) plot.getRenderer();
        r.setSeriesPaint(0, d ? new Color(0x6a, 0x6f, 0x78, 170) : new Color(0xb8, 0xc4, 0xd6, 200));
        r.setSeriesPaint(1, d ? new Color(0x4f, 0xa3, 0xe0) : new Color(0x1f, 0x5f, 0xa8));
    }
}
