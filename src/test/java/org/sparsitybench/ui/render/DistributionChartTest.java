package org.sparsitybench.ui.render;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogTick;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.stats.WeightHistogram;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.ui.common.ChartTheme;

/** The count axis of the distribution chart: whole counts, and on a log scale whole powers of ten from 1. */
class DistributionChartTest {
    /** A few weights (bins of 0–3 counts) plus one far bin of thousands: what makes a log axis go fractional. */
    private static WeightHistogram histogram(int many) {
        float[] w = new float[many + 7];
        for (int i = 0; i < w.length; i++) {
            w[i] = i < many ? 0.01f : 0.1f * (i - many + 1);
        }
        return WeightHistogram.of(TensorData.ofFloats(w), null, 40, false, WeightHistogram.Scale.LINEAR,
                CancellationToken.NONE);
    }

    private record Tick(double getValue, String getText) {
    }

    /** Lays the chart out at 600×400 and returns its count axis' tick labels and values. */
    private static List<Tick> ticks(JFreeChart chart) {
        BufferedImage img = new BufferedImage(600, 400, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.draw(g, new java.awt.Rectangle(0, 0, 600, 400), info);
        ValueAxis y = ((XYPlot) chart.getPlot()).getRangeAxis();
        List<Tick> out = new ArrayList<>();
        for (Object t : y.refreshTicks(g, new AxisState(), info.getPlotInfo().getDataArea(), RectangleEdge.LEFT)) {
            if (t instanceof NumberTick n && !n.getText().isEmpty()) {
                out.add(new Tick(n.getValue(), n.getText()));
            } else if (t instanceof LogTick l && l.getAttributedLabel() != null) {
                StringBuilder b = new StringBuilder();
                var it = l.getAttributedLabel().getIterator();
                for (char ch = it.first(); ch != java.text.CharacterIterator.DONE; ch = it.next()) {
                    b.append(ch);
                }
                if (!b.isEmpty()) {
                    out.add(new Tick(((ValueTick) l).getValue(), b.toString()));
                }
            }
        }
        g.dispose();
        return out;
    }

    @Test
    void theLogAxisShowsWholePowersOfTenFromOne() {
        JFreeChart c = DistributionChart.chart("fc", histogram(5000), Double.NaN, ChartTheme.LIGHT, true);
        List<Tick> ticks = ticks(c);
        assertFalse(ticks.isEmpty());
        for (Tick t : ticks) {
            double exponent = Math.log10(t.getValue());
            assertTrue(t.getValue() >= 1, "no count below 1: " + t.getText());
            assertTrue(Math.abs(exponent - Math.rint(exponent)) < 1e-9, "a whole power of ten: " + t.getText());
            assertFalse(t.getText().contains("^") || t.getText().contains("."), t.getText());
        }
        assertTrue(((XYPlot) c.getPlot()).getRangeAxis().getLowerBound() >= 1 - 1e-9);
    }

    @Test
    void theLinearAxisTicksAtWholeCounts() {
        JFreeChart c = DistributionChart.chart("fc", histogram(3), Double.NaN, ChartTheme.LIGHT, false);
        List<Tick> ticks = ticks(c);
        assertFalse(ticks.isEmpty());
        for (Tick t : ticks) {
            assertTrue(t.getValue() == Math.rint(t.getValue()), "whole count: " + t.getText());
        }
    }
}
