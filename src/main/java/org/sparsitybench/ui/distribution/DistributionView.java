package org.sparsitybench.ui.distribution;

import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.sparsitybench.ui.common.ChartTheme;
import org.sparsitybench.ui.common.Styles;
import org.sparsitybench.ui.render.DistributionChart;

/**
 * The selected layer's weight distribution as the renderer draws it ({@link DistributionChart}): all weights as
 * a light ghost, kept weights solid on top, the pruning threshold as vertical markers, linear or log counts.
 * Paints what its {@link DistributionViewModel} shows; computes nothing.
 */
public final class DistributionView extends BorderPane {
    private final DistributionViewModel vm;
    private final BooleanProperty dark = new SimpleBooleanProperty(this, "dark", false);
    private final ChartViewer viewer;

    public DistributionView(DistributionViewModel vm) {
        this.vm = vm;
        setId("distributionView");
        viewer = new ChartViewer(build());
        viewer.setId("distributionChart");
        setCenter(viewer);
        Label weights = new Label(" ");
        weights.setId("distributionWeights");
        weights.getStyleClass().add(Styles.CAPTION);
        weights.textProperty().bind(Bindings.createStringBinding(() -> vm.weightsProperty().get().isEmpty() ? " "
                : "Kept weights shown: " + vm.weightsProperty().get(), vm.weightsProperty()));
        BorderPane.setAlignment(weights, Pos.CENTER);
        setTop(weights);
        // The view model sets the histogram last, and every frame brings a new one: one chart per frame.
        vm.histogramProperty().addListener(o -> refresh());
        vm.logCountsProperty().addListener(o -> refresh());
        dark.addListener(o -> refresh());
    }

    public BooleanProperty darkProperty() {
        return dark;
    }

    public JFreeChart chart() {
        return viewer.getChart();
    }

    /** Series 0: all weights; series 1: kept weights (for tests). */
    public XYIntervalSeriesCollection dataset() {
        return (XYIntervalSeriesCollection) chart().getXYPlot().getDataset();
    }

    private JFreeChart build() {
        return DistributionChart.chart(vm.layerProperty().get(), vm.histogramProperty().get(),
                vm.thresholdProperty().get(), dark.get() ? ChartTheme.DARK : ChartTheme.LIGHT,
                vm.logCountsProperty().get());
    }

    private void refresh() {
        viewer.setChart(build());
    }
}
