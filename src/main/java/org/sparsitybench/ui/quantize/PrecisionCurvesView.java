package org.sparsitybench.ui.quantize;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.sparsitybench.ui.common.ChartTheme;

/**
 * The Curves tab's accuracy-against-compressed-size chart over sparsity × precision, with the button that measures
 * it. Paints a {@link PrecisionSweepViewModel}; computes nothing.
 */
public final class PrecisionCurvesView extends BorderPane {
    private final PrecisionSweepViewModel vm;
    private final ChartViewer viewer;
    private final Button measure = new Button("Measure");
    private final BooleanProperty dark = new SimpleBooleanProperty(this, "dark", false);

    /** @param run starts the sweep (the window supplies the model and its validation split) */
    public PrecisionCurvesView(PrecisionSweepViewModel vm, Runnable run) {
        this.vm = vm;
        setId("precisionCurves");
        measure.setId("precisionSweepButton");
        measure.setTooltip(new Tooltip("Prune at " + levels() + " (magnitude, global), keep float32 or quantize to "
                + "INT8 (static) or INT4 (weights), and measure each in ONNX Runtime on the validation split, with "
                + "the file's compressed size as exported."));
        measure.setOnAction(e -> run.run());
        Label note = new Label("sparsity × precision, validation split");
        note.setTooltip(new Tooltip("Accuracy on the validation split; size = DEFLATE of each model file as exported."));
        note.setId("precisionCurvesNote");
        HBox top = new HBox(8, measure, note);
        top.setAlignment(Pos.CENTER_LEFT);
        top.setPadding(new Insets(2, 4, 2, 4));
        setTop(top);
        viewer = new ChartViewer(PrecisionCurves.chart(vm, ChartTheme.LIGHT));
        viewer.setId("curvesAccuracyVsCompressedSize");
        viewer.setMinSize(120, 100);
        setCenter(viewer);
        vm.addListener(this::refresh);
        dark.addListener(o -> refresh());
    }

    private static String levels() {
        return PrecisionSweepViewModel.LEVELS.stream().map(l -> String.format(java.util.Locale.ROOT, "%.0f %%", 100 * l))
                .reduce((a, b) -> a + ", " + b).orElse("");
    }

    public BooleanProperty darkProperty() {
        return dark;
    }

    /** The measure button, for the window to disable while it cannot run. */
    public Button measureButton() {
        return measure;
    }

    public JFreeChart chart() {
        return viewer.getChart();
    }

    private void refresh() {
        viewer.setChart(PrecisionCurves.chart(vm, dark.get() ? ChartTheme.DARK : ChartTheme.LIGHT));
    }
}
