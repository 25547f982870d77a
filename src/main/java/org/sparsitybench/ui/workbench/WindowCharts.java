package org.sparsitybench.ui.workbench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.jfree.chart.JFreeChart;
import org.sparsitybench.ui.common.ChartExport;
import org.sparsitybench.ui.curves.CurveKind;
import org.sparsitybench.ui.curves.CurvesView;
import org.sparsitybench.ui.distribution.DistributionView;
import org.sparsitybench.ui.export.ChartExporter;
import org.sparsitybench.ui.overview.OverviewView;
import org.sparsitybench.ui.sensitivity.SensitivityView;

/** The window's charts as the export dialog offers them: each as PNG and SVG, 1200 × 800. */
final class WindowCharts {
    /** Pixel size of an exported chart. */
    static final int WIDTH = 1200;
    static final int HEIGHT = 800;

    private WindowCharts() {
    }

    /**
     * Every chart the panes show now; the sensitivity charts only after an analysis.
     *
     * @param withSensitivity whether the sensitivity pane has curves
     */
    static List<ChartExporter> of(DistributionView distribution, OverviewView overview, CurvesView curves,
                                  SensitivityView sensitivity, boolean withSensitivity,
                                  org.sparsitybench.ui.quantize.PrecisionCurvesView precision) {
        List<ChartExporter> charts = new ArrayList<>();
        charts.add(chart("Distribution chart", "distribution", distribution::chart));
        charts.add(chart("Overview chart", "overview", overview::chart));
        for (CurveKind kind : CurveKind.values()) {
            charts.add(chart(kind.title() + " chart", "curves-" + CurvesView.id(kind).substring("curves".length())
                    .replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT), () -> curves.chart(kind)));
        }
        charts.add(chart("Accuracy vs compressed size chart", "curves-accuracy-vs-compressed-size", precision::chart));
        if (withSensitivity) {
            charts.add(chart("Sensitivity curves chart", "sensitivity-curves", sensitivity::curvesChart));
            charts.add(chart("Sensitivity table chart", "sensitivity-table", sensitivity::tableChart));
        }
        return charts;
    }

    private static ChartExporter chart(String name, String file, Supplier<JFreeChart> chart) {
        return new ChartExporter() {
            @Override
            public String name() {
                return name + " (PNG and SVG)";
            }

            @Override
            public List<Path> export(Path folder, String baseName) throws IOException {
                Path png = folder.resolve(baseName + "-" + file + ".png");
                Path svg = folder.resolve(baseName + "-" + file + ".svg");
                ChartExport.png(chart.get(), WIDTH, HEIGHT, png);
                ChartExport.svg(chart.get(), WIDTH, HEIGHT, svg);
                return List.of(png, svg);
            }
        };
    }
}
