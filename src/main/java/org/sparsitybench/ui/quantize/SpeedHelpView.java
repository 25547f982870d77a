package org.sparsitybench.ui.quantize;

import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;

/** The content of Help ▸ Speed and size on this CPU: the guide, the figures measured here, the button to measure. */
public final class SpeedHelpView {
    private SpeedHelpView() {
    }

    /**
     * @param measure starts the measurement on the open model (the window supplies it)
     * @param canRun  whether it can run now (a model with a validation split, nothing else running)
     */
    public static Node content(SpeedHelpViewModel vm, Runnable measure, javafx.beans.value.ObservableBooleanValue canRun) {
        Label guide = new Label(SpeedHelpViewModel.GUIDE);
        guide.setId("speedHelpGuide");
        guide.setWrapText(true);
        Label measured = new Label();
        measured.setId("speedHelpMeasured");
        measured.setWrapText(true);
        measured.textProperty().bind(vm.measuredProperty());
        // Room for the measured lines from the start: the dialog is sized when shown, before they arrive.
        measured.setMinHeight(130);
        measured.setAlignment(javafx.geometry.Pos.TOP_LEFT);
        Button run = new Button("Measure INT8 against float on this model");
        run.setId("speedHelpMeasure");
        run.setTooltip(new Tooltip("Quantizes the open model to static INT8 (calibrated on the validation split) and "
                + "times both at batch 1 and 32, one thread, " + SpeedHelpViewModel.RUNS + " runs each."));
        run.setOnAction(e -> measure.run());
        run.disableProperty().bind(javafx.beans.binding.Bindings.not(canRun));
        VBox box = new VBox(10, guide, run, measured);
        box.setPrefWidth(640);
        return box;
    }
}
