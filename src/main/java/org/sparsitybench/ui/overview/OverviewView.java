package org.sparsitybench.ui.overview;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.BorderPane;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.sparsitybench.ui.common.ChartTheme;

/**
 * Per-layer requested vs achieved sparsity and remaining weights as horizontal bars in a scroll pane: the chart
 * is as tall as its layers need ({@link OverviewCharts#preferredHeight}), so 200 layers scroll instead of
 * squeezing their names. Paints an {@link OverviewViewModel}; computes nothing.
 */
public final class OverviewView extends BorderPane {
    private final OverviewViewModel vm;
    private final ChartViewer viewer;
    private final ScrollPane scroll;
    private final BooleanProperty dark = new SimpleBooleanProperty(this, "dark", false);

    public OverviewView(OverviewViewModel vm) {
        this.vm = vm;
        setId("overviewView");
        viewer = new ChartViewer(build());
        viewer.setId("overviewChart");
        scroll = new ScrollPane(viewer);
        scroll.setId("overviewScroll");
        scroll.setFitToWidth(true);
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        // Short models fill the pane; tall ones keep their legible height and scroll.
        scroll.viewportBoundsProperty().addListener(o -> size());
        setCenter(scroll);
        vm.addListener(this::refresh);
        dark.addListener(o -> refresh());
        size();
    }

    public OverviewViewModel viewModel() {
        return vm;
    }

    public BooleanProperty darkProperty() {
        return dark;
    }

    public JFreeChart chart() {
        return viewer.getChart();
    }

    public ChartViewer viewer() {
        return viewer;
    }

    private JFreeChart build() {
        return OverviewCharts.chart(vm.rows(), vm.summary(), dark.get() ? ChartTheme.DARK : ChartTheme.LIGHT);
    }

    private void refresh() {
        viewer.setChart(build());
        size();
    }

    private void size() {
        double need = OverviewCharts.preferredHeight(vm.rows().size());
        double h = Math.max(need, scroll.getViewportBounds().getHeight());
        viewer.setMinHeight(h);
        viewer.setPrefHeight(h);
    }
}
