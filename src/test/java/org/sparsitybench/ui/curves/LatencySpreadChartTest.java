package org.sparsitybench.ui.curves;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.ui.common.ChartTheme;

/**
 * Issue 18 item 4: latency points carry their spread as error bars, and no axis prints the same tick label twice
 * (the exported PNG showed "0.018 0.018 0.019 …"). The charts are the ones the window and {@code render} draw.
 */
class LatencySpreadChartTest {
    /** Unstructured pruning leaves the latency unchanged: medians 0.018–0.0195 ms, bands overlapping. */
    private static CurvesViewModel noisySweep() {
        List<SweepPoint> points = new ArrayList<>();
        double[] medians = {0.0185, 0.018, 0.0192, 0.0188, 0.0195};
        for (int i = 0; i < medians.length; i++) {
            points.add(new SweepPoint("magnitude", "uniform", 0.2 * i, 0.2 * i, 0.90 - 0.001 * i, 1, 0.3, medians[i],
                    Double.NaN, Double.NaN, 100, 1000, 4096,
                    new SweepPoint.Spread(medians[i] - 0.0006, medians[i] + 0.0009, 20), null));
        }
        CurvesViewModel vm = new CurvesViewModel();
        vm.setSeries(CurvesViewModel.fromSweep(points));
        return vm;
    }

    @Test
    void latencyChartsDrawEachPointsP10ToP90AsAnErrorBar() {
        CurvesViewModel vm = noisySweep();
        JFreeChart lat = CurvesCharts.chart(CurveKind.LATENCY_VS_SPARSITY, vm, ChartTheme.LIGHT);
        XYIntervalSeriesCollection bars = (XYIntervalSeriesCollection) lat.getXYPlot().getDataset(2);
        assertEquals(1, bars.getSeriesCount());
        assertEquals(5, bars.getItemCount(0));
        assertEquals(0.0185 - 0.0006, bars.getStartYValue(0, 0), 1e-12);
        assertEquals(0.0185 + 0.0009, bars.getEndYValue(0, 0), 1e-12);
        JFreeChart front = CurvesCharts.chart(CurveKind.ACCURACY_VS_LATENCY, vm, ChartTheme.LIGHT);
        XYIntervalSeriesCollection xBars = (XYIntervalSeriesCollection) front.getXYPlot().getDataset(2);
        assertEquals(0.018 - 0.0006, xBars.getStartXValue(0, 0), 1e-12, "along the latency axis, sorted by latency");
        assertEquals(1, vm.paretoFront().size(), "all latencies tie: the most accurate alone is the front");
    }

    @Test
    void noAxisOfTheCurvesRepeatsATickLabelAtExportSize() {
        CurvesViewModel vm = noisySweep();
        vm.setCurrent(new CurvePoint(0.5, 0.9041, 0.3, 0.0183, 0.0179, 0.0190));
        for (CurveKind kind : CurveKind.values()) {
            for (int[] size : new int[][] {{1200, 800}, {600, 430}, {2400, 1600}}) {
                JFreeChart chart = CurvesCharts.chart(kind, vm, ChartTheme.LIGHT);
                for (List<String> labels : tickLabels(chart, size[0], size[1])) {
                    assertEquals(labels.size(), new HashSet<>(labels).size(), kind + " at " + size[0] + "×" + size[1]
                            + " repeats a tick label: " + labels);
                    assertTrue(labels.size() >= 2, kind + ": " + labels);
                }
            }
        }
    }

    /** The tick labels of the domain and range axes as drawn at {@code width} × {@code height}. */
    static List<List<String>> tickLabels(JFreeChart chart, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height), info);
        Rectangle2D area = info.getPlotInfo().getDataArea();
        XYPlot plot = chart.getXYPlot();
        List<List<String>> out = new ArrayList<>();
        out.add(labels(((NumberAxis) plot.getDomainAxis()).refreshTicks(g, new AxisState(), area, RectangleEdge.BOTTOM)));
        out.add(labels(((NumberAxis) plot.getRangeAxis()).refreshTicks(g, new AxisState(), area, RectangleEdge.LEFT)));
        g.dispose();
        return out;
    }

    private static List<String> labels(List<?> ticks) {
        return ticks.stream().map(t -> ((ValueTick) t).getText()).filter(t -> t != null && !t.isEmpty()).toList();
    }
}
