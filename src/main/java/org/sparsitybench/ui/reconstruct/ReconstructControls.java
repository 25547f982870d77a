package org.sparsitybench.ui.reconstruct;

import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import org.sparsitybench.ui.common.Styles;

/**
 * The global bar's Reconstruct row: the toggle, a progress bar and Cancel while reconstruction runs, and the
 * line saying which weights are on screen. All state lives in {@link ReconstructViewModel}.
 */
public final class ReconstructControls {
    private ReconstructControls() {
    }

    /** The row, bound to {@code vm}. */
    public static HBox bar(ReconstructViewModel vm) {
        return bar(vm, new javafx.beans.property.SimpleStringProperty(""));
    }

    /**
     * The row, bound to {@code vm}; while {@code otherWeights} is not empty it names the weights on screen instead
     * (recovered weights replace the mask-only ones without reconstruction).
     */
    public static HBox bar(ReconstructViewModel vm, javafx.beans.value.ObservableStringValue otherWeights) {
        CheckBox toggle = new CheckBox("Reconstruct");
        toggle.setId("reconstructToggle");
        toggle.selectedProperty().bindBidirectional(vm.enabledProperty());
        toggle.setTooltip(new Tooltip("When the sliders settle, refit each layer's kept weights by least squares "
                + "(with bias correction) so its output on calibration samples stays close to the dense layer's. "
                + "Calibration reads the first 128 samples of the validation split (the card's validation file, or "
                + "10 % of its training data held out), never the test set."));
        ProgressBar progress = new ProgressBar();
        progress.setId("reconstructProgress");
        progress.setPrefWidth(120);
        progress.progressProperty().bind(vm.progressProperty());
        progress.visibleProperty().bind(vm.runningProperty());
        progress.managedProperty().bind(vm.runningProperty());
        Button cancel = new Button("Cancel");
        cancel.setId("reconstructCancel");
        cancel.setOnAction(e -> vm.cancel());
        cancel.visibleProperty().bind(vm.runningProperty());
        cancel.managedProperty().bind(vm.runningProperty());
        Label status = new Label();
        status.setId("reconstructStatus");
        status.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> otherWeights.get() == null
                || otherWeights.get().isEmpty() ? vm.statusProperty().get() : otherWeights.get(), vm.statusProperty(),
                otherWeights));
        HBox row = new HBox(8, toggle, progress, cancel, status);
        row.setAlignment(Pos.CENTER_LEFT);
        row.getStyleClass().add(Styles.GLOBAL_BAR);
        return row;
    }
}
