package org.sparsitybench.ui.workbench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jfree.chart.JFreeChart;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.ui.common.ChartExport;
import org.sparsitybench.ui.common.ChartTheme;
import org.sparsitybench.ui.curves.CurveKind;
import org.sparsitybench.ui.curves.CurvesCharts;
import org.sparsitybench.ui.curves.CurvesView;
import org.sparsitybench.ui.curves.CurvesViewModel;
import org.sparsitybench.ui.distribution.DistributionViewModel;
import org.sparsitybench.ui.export.ChartExporter;
import org.sparsitybench.ui.export.ChartOptions;
import org.sparsitybench.ui.overview.OverviewCharts;
import org.sparsitybench.ui.overview.OverviewViewModel;
import org.sparsitybench.ui.quantize.PrecisionCurves;
import org.sparsitybench.ui.quantize.PrecisionSweepViewModel;
import org.sparsitybench.ui.render.DistributionChart;
import org.sparsitybench.ui.render.ViewRenderer;
import org.sparsitybench.ui.sensitivity.SensitivityCharts;
import org.sparsitybench.ui.sensitivity.SensitivityViewModel;

/**
 * The window's charts as the export dialog offers them: each as PNG and SVG, drawn afresh from its pane's view
 * model at the size and in the theme the dialog asks for (light for a paper while the window is dark), its title
 * naming the model. The distribution can be written for every layer, not only the selected one.
 */
final class WindowCharts {
    private WindowCharts() {
    }

    /** What the charts are drawn from: the panes' view models and the model with its current result. */
    record Panes(Model model, PruningResult result, DistributionViewModel distribution, OverviewViewModel overview,
                 CurvesViewModel curves, SensitivityViewModel sensitivity, PrecisionSweepViewModel precision) {
    }

    /** Every chart the panes show now; the sensitivity charts only after an analysis. */
    static List<ChartExporter> of(Panes p) {
        String model = ViewRenderer.displayName(p.model().file());
        List<ChartExporter> charts = new ArrayList<>();
        DistributionViewModel d = p.distribution();
        charts.add(chart(model, "Distribution chart (" + d.layerProperty().get() + ")", "distribution",
                t -> DistributionChart.chart(d.layerProperty().get(), d.histogramProperty().get(),
                        d.thresholdProperty().get(), t, d.logCountsProperty().get())));
        charts.add(allLayers(model, p));
        charts.add(chart(model, "Overview chart", "overview",
                t -> OverviewCharts.chart(p.overview().rows(), p.overview().summary(), t)));
        for (CurveKind kind : CurveKind.values()) {
            charts.add(chart(model, kind.title() + " chart", "curves-" + CurvesView.id(kind).substring("curves".length())
                    .replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT),
                    t -> CurvesCharts.chart(kind, p.curves(), t)));
        }
        charts.add(chart(model, "Accuracy vs compressed size chart", "curves-accuracy-vs-compressed-size",
                t -> PrecisionCurves.chart(p.precision(), t)));
        if (!p.sensitivity().curves().isEmpty()) {
            charts.add(chart(model, "Sensitivity curves chart", "sensitivity-curves",
                    t -> SensitivityCharts.curves(p.sensitivity(), t)));
            charts.add(chart(model, "Sensitivity table chart", "sensitivity-table",
                    t -> SensitivityCharts.table(p.sensitivity(), t)));
        }
        return charts;
    }

    /** {@code chart} with "MODEL — " before its title, so a figure says which model it shows. */
    static JFreeChart titled(String model, JFreeChart chart) {
        if (chart.getTitle() != null) {
            chart.getTitle().setText(model + " — " + chart.getTitle().getText());
        }
        return chart;
    }

    /** "fc1.weight" → "fc1-weight": a layer name as part of a file name. */
    static String fileSafe(String layer) {
        return layer.replaceAll("[^A-Za-z0-9_-]+", "-").replaceAll("^-+|-+$", "");
    }

    private static ChartExporter chart(String model, String name, String file, Function<ChartTheme, JFreeChart> chart) {
        return new ChartExporter() {
            @Override
            public String name() {
                return name + " (PNG and SVG)";
            }

            @Override
            public List<Path> export(Path folder, String baseName) throws IOException {
                return export(folder, baseName, ChartOptions.DEFAULT);
            }

            @Override
            public List<Path> export(Path folder, String baseName, ChartOptions o) throws IOException {
                return write(titled(model, chart.apply(o.theme())), folder.resolve(baseName + "-" + file), o);
            }
        };
    }

    /** The distribution of every prunable layer under the current masks, one PNG and SVG each. */
    private static ChartExporter allLayers(String model, Panes p) {
        return new ChartExporter() {
            @Override
            public String name() {
                return "Distribution of every layer (" + p.result().layers().size() + " × PNG and SVG)";
            }

            @Override
            public List<Path> export(Path folder, String baseName) throws IOException {
                return export(folder, baseName, ChartOptions.DEFAULT);
            }

            @Override
            public List<Path> export(Path folder, String baseName, ChartOptions o) throws IOException {
                List<Path> out = new ArrayList<>();
                boolean signed = p.distribution().signedProperty().get();
                for (var layer : p.result().layers()) {
                    WeightTensor t = p.model().tensor(layer.name()).orElse(null);
                    Mask mask = p.result().masks().get(layer.name());
                    if (t == null || mask == null) {
                        continue;
                    }
                    JFreeChart c = DistributionChart.chart(layer.name(), DistributionViewModel.histogram(t, mask, signed,
                                    CancellationToken.NONE), DistributionViewModel.threshold(mask), o.theme(),
                            p.distribution().logCountsProperty().get());
                    out.addAll(write(titled(model, c), folder.resolve(baseName + "-distribution-"
                            + fileSafe(layer.name())), o));
                }
                return out;
            }
        };
    }

    private static List<Path> write(JFreeChart chart, Path stem, ChartOptions o) throws IOException {
        Path png = stem.resolveSibling(stem.getFileName() + ".png");
        Path svg = stem.resolveSibling(stem.getFileName() + ".svg");
        ChartExport.png(chart, o.width(), o.height(), png);
        ChartExport.svg(chart, o.width(), o.height(), svg);
        return List.of(png, svg);
    }
}
