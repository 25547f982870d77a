package org.sparsitybench.ui.sensitivity;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.ui.common.ChartTheme;

/**
 * The sensitivity charts (AWT and JFreeChart only, shared by the window and the headless renderer): each layer's
 * accuracy against its own sparsity, and the layer × level table as coloured cells with the drop written in
 * each and a colour legend.
 */
public final class SensitivityCharts {
    /** Pixels per table row. */
    public static final int PIXELS_PER_LAYER = 26;
    /** Layers up to which the curves chart has a legend (beyond, tooltips name the layer). */
    public static final int LEGEND_LIMIT = 16;
    private static final int TABLE_CHROME = 150;

    private SensitivityCharts() {
    }

    /** Height at which every table row is legible. */
    public static int preferredTableHeight(int layers) {
        return Math.max(260, TABLE_CHROME + PIXELS_PER_LAYER * layers);
    }

    /** Accuracy against the layer's sparsity, one line per layer, the others dense. */
    public static JFreeChart curves(SensitivityViewModel vm, ChartTheme theme) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        List<Sensitivity.LayerCurve> curves = vm.curves();
        for (int i = 0; i < curves.size(); i++) {
            XYSeries s = new XYSeries(curves.get(i).name(), true, true);
            curves.get(i).points().forEach(p -> s.add(p.level(), p.accuracy()));
            data.addSeries(s);
            r.setSeriesPaint(i, theme.series(i));
            r.setSeriesStroke(i, new BasicStroke(2f));
            r.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
        }
        r.setDefaultToolTipGenerator((d, s, item) -> String.format(Locale.ROOT, "%s at %.0f%%: validation accuracy %.2f%%",
                d.getSeriesKey(s), 100 * d.getXValue(s, item), 100 * d.getYValue(s, item)));
        NumberAxis x = new NumberAxis("sparsity of this layer (the others dense)");
        x.setRange(0, 1);
        x.setNumberFormatOverride(NumberFormat.getPercentInstance(Locale.ROOT));
        NumberAxis y = new NumberAxis("validation accuracy");
        y.setAutoRangeIncludesZero(false);
        y.setNumberFormatOverride(NumberFormat.getPercentInstance(Locale.ROOT));
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setNoDataMessage("no sensitivity measured yet");
        plot.setNoDataMessagePaint(theme.muted());
        JFreeChart chart = new JFreeChart("Sensitivity (validation split): accuracy when one layer is pruned",
                ChartTheme.TITLE_FONT, plot,
                curves.size() <= LEGEND_LIMIT);
        if (chart.getLegend() != null) {
            chart.getLegend().setPosition(RectangleEdge.RIGHT);
        }
        theme.apply(chart);
        return chart;
    }

    /**
     * The layer × level table: cell (level, layer) coloured by {@link SensitivityViewModel#color}, the drop in
     * accuracy points written in it, layers top to bottom in model order.
     */
    public static JFreeChart table(SensitivityViewModel vm, ChartTheme theme) {
        List<String> layers = vm.layers();
        List<Double> levels = vm.levels();
        int n = layers.size() * levels.size();
        double[][] xyz = new double[3][n];
        int k = 0;
        for (int l = 0; l < layers.size(); l++) {
            for (int v = 0; v < levels.size(); v++) {
                xyz[0][k] = v;
                xyz[1][k] = l;
                xyz[2][k] = vm.drop(l, v);
                k++;
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("accuracy drop", xyz);
        double scale = vm.scale();
        PaintScale paints = new DropScale(scale);
        XYBlockRenderer r = new XYBlockRenderer();
        r.setPaintScale(paints);
        r.setDefaultToolTipGenerator((d, s, item) -> {
            int l = (int) d.getYValue(s, item);
            int v = (int) d.getXValue(s, item);
            return String.format(Locale.ROOT, "%s at %.0f%%: drop %+.2f points", layers.get(l), 100 * levels.get(v),
                    100 * vm.drop(l, v));
        });
        String[] levelNames = levels.stream().map(v -> String.format(Locale.ROOT, "%.0f%%", 100 * v)).toArray(String[]::new);
        SymbolAxis x = new SymbolAxis("sparsity of the layer", levelNames);
        x.setGridBandsVisible(false);
        SymbolAxis y = new SymbolAxis(null, layers.toArray(String[]::new));
        y.setGridBandsVisible(false);
        y.setInverted(true);
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setDomainAxisLocation(AxisLocation.TOP_OR_LEFT);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setNoDataMessage("no sensitivity measured yet");
        plot.setNoDataMessagePaint(theme.muted());
        Font cellFont = new Font("SansSerif", Font.PLAIN, levels.size() > 10 ? 10 : 11);
        for (int l = 0; l < layers.size(); l++) {
            for (int v = 0; v < levels.size(); v++) {
                double d = vm.drop(l, v);
                String text = Double.isNaN(d) ? "–" : String.format(Locale.ROOT, "%+.1f", 100 * d);
                XYTextAnnotation a = new XYTextAnnotation(text, v, l);
                a.setFont(cellFont);
                a.setTextAnchor(TextAnchor.CENTER);
                a.setPaint(new Color(DropColors.textOn(vm.color(l, v))));
                r.addAnnotation(a);
            }
        }
        JFreeChart chart = new JFreeChart("Validation accuracy drop (points) when one layer is pruned",
                ChartTheme.TITLE_FONT, plot, false);
        NumberAxis legendAxis = new NumberAxis("accuracy drop (points; red = worse, blue = better)");
        legendAxis.setRange(-100 * scale, 100 * scale);
        PaintScaleLegend legend = new PaintScaleLegend(new DropScale(scale, 100), legendAxis);
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setMargin(new RectangleInsets(4, 40, 4, 40));
        legend.setStripWidth(12);
        legend.setBackgroundPaint(theme.background());
        legend.setAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        chart.addSubtitle(legend);
        if (layers.isEmpty()) {
            chart.addSubtitle(new TextTitle(""));
        }
        theme.apply(chart);
        for (NumberAxis a : new NumberAxis[] {legendAxis}) {
            a.setLabelPaint(theme.foreground());
            a.setTickLabelPaint(theme.foreground());
            a.setLabelFont(ChartTheme.LABEL_FONT);
            a.setTickLabelFont(ChartTheme.TICK_FONT);
        }
        return chart;
    }

    /** {@link DropColors} as a JFreeChart paint scale over drops in {@code [-scale, scale]} (times {@code unit}). */
    static final class DropScale implements PaintScale {
        private final double scale;
        private final double unit;

        DropScale(double scale) {
            this(scale, 1);
        }

        DropScale(double scale, double unit) {
            this.scale = scale;
            this.unit = unit;
        }

        @Override
        public double getLowerBound() {
            return -scale * unit;
        }

        @Override
        public double getUpperBound() {
            return scale * unit;
        }

        @Override
        public Paint getPaint(double value) {
            return new Color(DropColors.rgb(value / unit, scale));
        }
    }
}
