package org.sparsitybench.ui.curves;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.scene.layout.BorderPane;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.project.Project;

/**
 * Accuracy against achieved sparsity: one line per swept method/allocation, and the saved snapshots as single
 * points. Paints what the sweeps and snapshots measured; computes nothing.
 */
public final class CurvesView extends BorderPane {
    private final XYSeriesCollection data = new XYSeriesCollection();
    private final ObservableList<SweepPoint> points;
    private final ObservableList<Project.Snapshot> snapshots;

    public CurvesView(ObservableList<SweepPoint> points, ObservableList<Project.Snapshot> snapshots) {
        setId("curvesView");
        this.points = points;
        this.snapshots = snapshots;
        NumberAxis x = new NumberAxis("achieved sparsity");
        x.setRange(0, 1);
        NumberAxis y = new NumberAxis("accuracy");
        y.setAutoRangeIncludesZero(true);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        plot.setRangeGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        JFreeChart chart = new JFreeChart("Accuracy vs sparsity", new Font("SansSerif", Font.PLAIN, 13), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartViewer viewer = new ChartViewer(chart);
        viewer.setId("curvesChart");
        setCenter(viewer);
        points.addListener((ListChangeListener<SweepPoint>) c -> refresh(r));
        snapshots.addListener((ListChangeListener<Project.Snapshot>) c -> refresh(r));
        refresh(r);
    }

    /** The plotted series (for tests): one per method/allocation, then "snapshots". */
    public XYSeriesCollection dataset() {
        return data;
    }

    private void refresh(XYLineAndShapeRenderer r) {
        data.removeAllSeries();
        Map<String, XYSeries> series = new LinkedHashMap<>();
        for (SweepPoint p : List.copyOf(points)) {
            series.computeIfAbsent(p.method() + " / " + p.allocation(), k -> new XYSeries(k, true, true))
                    .add(p.achieved(), p.accuracy());
        }
        series.values().forEach(data::addSeries);
        XYSeries snap = new XYSeries("snapshots", true, true);
        for (Project.Snapshot s : List.copyOf(snapshots)) {
            if (s.accuracy() != null) {
                snap.add(s.achieved(), s.accuracy().doubleValue());
            }
        }
        if (snap.getItemCount() > 0) {
            data.addSeries(snap);
            int i = data.getSeriesCount() - 1;
            r.setSeriesLinesVisible(i, false);
            r.setSeriesPaint(i, new Color(0xd6, 0x27, 0x28));
        }
        for (int i = 0; i < series.size(); i++) {
            r.setSeriesStroke(i, new BasicStroke(2f));
            r.setSeriesLinesVisible(i, true);
        }
    }
}
