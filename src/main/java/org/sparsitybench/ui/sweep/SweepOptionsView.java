package org.sparsitybench.ui.sweep;

import java.util.LinkedHashMap;
import java.util.Map;
import javafx.beans.value.ObservableBooleanValue;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Region;
import org.sparsitybench.ui.curves.SweepViewModel;

/**
 * The sweep's options above the curves: one checkbox per method a sweep can run ({@code #sweepMethod-ID}), "with
 * recovery, N epochs per point" ({@code #sweepRecover}, {@code #sweepRecoverEpochs}) and a button that runs the
 * sweep ({@code #sweepRun}). Binds to the window's {@link SweepViewModel}; runs nothing itself.
 */
public final class SweepOptionsView extends FlowPane {
    private final Map<String, CheckBox> boxes = new LinkedHashMap<>();

    /**
     * @param vm       the window's sweeps (its methods and recovery options are edited here)
     * @param run      starts a sweep with the options shown
     * @param disabled while true, the run button is disabled (nothing to measure, or a task runs)
     */
    public SweepOptionsView(SweepViewModel vm, Runnable run, ObservableBooleanValue disabled) {
        super(8, 4);
        setId("sweepOptions");
        setAlignment(Pos.CENTER_LEFT);
        setPadding(new Insets(4, 8, 4, 8));
        getChildren().add(new Label("Sweep methods:"));
        for (String id : SweepViewModel.SWEEPABLE) {
            CheckBox box = new CheckBox(id);
            box.setId("sweepMethod-" + id);
            box.setSelected(vm.methods().contains(id));
            box.selectedProperty().addListener((o, was, on) -> vm.choose(id, on));
            boxes.put(id, box);
            getChildren().add(box);
        }
        vm.methods().addListener((ListChangeListener<String>) c ->
                boxes.forEach((id, box) -> box.setSelected(vm.methods().contains(id))));
        boxes.get("wanda").setTooltip(new Tooltip("Calibrated on 128 samples of the validation split."));
        CheckBox recover = new CheckBox("with recovery,");
        recover.setId("sweepRecover");
        recover.setTooltip(new Tooltip("Each point is pruned and measured (one-shot), then fine-tuned N epochs on the "
                + "train split with its masks fixed (a seeded 10 % hold-out picks the best epoch) and measured again: "
                + "both series appear side by side."));
        recover.selectedProperty().bindBidirectional(vm.recoverProperty());
        Spinner<Integer> epochs = new Spinner<>(1, SweepViewModel.MAX_RECOVERY_EPOCHS,
                vm.recoveryEpochsProperty().get());
        epochs.setId("sweepRecoverEpochs");
        epochs.setEditable(true);
        epochs.setPrefWidth(70);
        epochs.valueProperty().addListener((o, a, b) -> vm.recoveryEpochsProperty().set(b));
        vm.recoveryEpochsProperty().addListener((o, a, b) -> epochs.getValueFactory().setValue(b.intValue()));
        epochs.disableProperty().bind(recover.selectedProperty().not());
        Button start = new Button("Run sweep");
        start.setId("sweepRun");
        start.setTooltip(new Tooltip("Measure accuracy at 0–90 % sparsity for the methods picked (Ctrl+R); Cancel "
                + "in the status bar keeps the points finished."));
        start.setOnAction(e -> run.run());
        start.disableProperty().bind(disabled);
        getChildren().addAll(recover, epochs, new Label("epochs per point"), start);
        for (var n : getChildren()) {
            if (n instanceof Region r) {
                r.setMinWidth(Region.USE_PREF_SIZE);
            }
        }
    }

    /** The checkbox of method {@code id} (tests). */
    CheckBox box(String id) {
        return boxes.get(id);
    }
}
