package org.sparsitybench.ui.sensitivity;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.Orientation;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.layout.BorderPane;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.sparsitybench.ui.common.ChartTheme;

/**
 * Per-layer sensitivity: the layers' accuracy curves above, the layer × level table of accuracy drops below (in
 * a scroll pane, as tall as its rows need). Paints a {@link SensitivityViewModel}; computes nothing.
 */
public final class SensitivityView extends BorderPane {
    private final SensitivityViewModel vm;
    private final ChartViewer curves;
    private final ChartViewer table;
    private final ScrollPane scroll;
    private final BooleanProperty dark = new SimpleBooleanProperty(this, "dark", false);

    public SensitivityView(SensitivityViewModel vm) {
        this.vm = vm;
        setId("sensitivityView");
        curves = new ChartViewer(SensitivityCharts.curves(vm, theme()));
        curves.setId("sensitivityCurves");
        table = new ChartViewer(SensitivityCharts.table(vm, theme()));
        table.setId("sensitivityTable");
        scroll = new ScrollPane(table);
        scroll.setId("sensitivityScroll");
        scroll.setFitToWidth(true);
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        scroll.viewportBoundsProperty().addListener(o -> size());
        SplitPane split = new SplitPane(curves, scroll);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.45);
        setCenter(split);
        vm.addListener(this::refresh);
        dark.addListener(o -> refresh());
        size();
    }

    public SensitivityViewModel viewModel() {
        return vm;
    }

    public BooleanProperty darkProperty() {
        return dark;
    }

    public JFreeChart curvesChart() {
        return curves.getChart();
    }

    public JFreeChart tableChart() {
        return table.getChart();
    }

    public ChartViewer tableViewer() {
        return table;
    }

    private ChartTheme theme() {
        return dark.get() ? ChartTheme.DARK : ChartTheme.LIGHT;
    }

    private void refresh() {
        curves.setChart(SensitivityCharts.curves(vm, theme()));
        table.setChart(SensitivityCharts.table(vm, theme()));
        size();
    }

    private void size() {
        double h = Math.max(SensitivityCharts.preferredTableHeight(vm.layers().size()), scroll.getViewportBounds().getHeight());
        table.setMinHeight(h);
        table.setPrefHeight(h);
    }
}
