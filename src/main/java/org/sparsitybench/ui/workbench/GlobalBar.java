package org.sparsitybench.ui.workbench;

import javafx.beans.value.ObservableValue;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningMethods;
import org.sparsitybench.ui.common.Converters;
import org.sparsitybench.ui.common.EditSlider;
import org.sparsitybench.ui.common.Styles;

/**
 * The global bar: target sparsity (slider and exact field), method, N:M pattern, allocation and seed. Binds to a
 * {@link GlobalBarViewModel}; the choosers show the configuration and send the user's choice.
 */
final class GlobalBar extends HBox {
    GlobalBar(GlobalBarViewModel vm, ObservableValue<PruningConfig> config) {
        EditSlider target = new EditSlider();
        target.setId("globalSlider");
        target.setPrefWidth(260);
        target.setMajorTickUnit(0.25);
        target.setShowTickMarks(true);
        target.setBlockIncrement(0.05);
        target.setTooltip(new Tooltip("Target sparsity of all selected layers: the share of weights set to zero."));
        target.link(vm.targetProperty(), vm::setGlobalTarget);
        TextField field = new TextField();
        field.setId("globalField");
        field.setPrefColumnCount(5);
        field.setTooltip(new Tooltip("Exact target sparsity, 0 to 1 (or a percentage such as 85%)."));
        field.textProperty().bindBidirectional(vm.targetTextProperty());
        field.setOnAction(e -> vm.commitTargetText());

        PruningConfig now = config.getValue();
        ComboBox<String> method = new ComboBox<>();
        method.setId("methodChooser");
        method.getItems().addAll(PruningMethods.ids());
        method.setValue(now.global().method());
        method.setTooltip(new Tooltip("How weights are scored within a layer."));
        method.setOnAction(e -> vm.setMethod(method.getValue()));
        ComboBox<Allocation> allocation = new ComboBox<>();
        allocation.setId("allocationChooser");
        allocation.getItems().addAll(Allocation.values());
        allocation.setValue(now.global().allocation());
        allocation.setConverter(Converters.showing(Allocation::label));
        allocation.setTooltip(new Tooltip("How the global target is shared among layers."));
        // The guided allocation is offered only after an analysis: its entry is greyed out with the reason.
        javafx.util.Callback<javafx.scene.control.ListView<Allocation>, javafx.scene.control.ListCell<Allocation>> cells =
                lv -> new javafx.scene.control.ListCell<>() {
                    @Override
                    protected void updateItem(Allocation item, boolean empty) {
                        super.updateItem(item, empty);
                        setText(empty || item == null ? null : item.label());
                        boolean off = item == Allocation.SENSITIVITY && !vm.canUseSensitivity();
                        // Greyed, not disabled: a disabled cell would never show the tooltip that says why.
                        setOpacity(off ? 0.45 : 1);
                        setUserData(off);
                        setTooltip(off ? new Tooltip("Needs a sensitivity analysis of this model first: "
                                + "Run ▸ Sensitivity analysis") : null);
                    }

                    {
                        addEventFilter(javafx.scene.input.MouseEvent.MOUSE_RELEASED, e -> {
                            if (Boolean.TRUE.equals(getUserData())) {
                                e.consume(); // not chosen: the tooltip has said why
                            }
                        });
                    }
                };
        allocation.setCellFactory(cells);
        allocation.setOnShowing(e -> {
            allocation.setCellFactory(null);
            allocation.setCellFactory(cells);
        });
        allocation.setOnAction(e -> {
            if (allocation.getValue() != null) {
                vm.setAllocation(allocation.getValue());
                // A refused choice (no sensitivity analysis yet) shows the allocation in force again.
                javafx.application.Platform.runLater(() -> allocation.setValue(config.getValue().global().allocation()));
            }
        });
        ComboBox<String> nm = new ComboBox<>();
        nm.setId("nmChooser");
        nm.getItems().addAll("2:4", "4:8", "1:4", "2:8");
        nm.setEditable(true);
        nm.setPrefWidth(80);
        nm.setValue(now.global().nmPattern() == null ? "2:4" : now.global().nmPattern());
        nm.setTooltip(new Tooltip("N:M pattern for the nm method: keep N of every M weights along the input."));
        Label nmProblem = new Label();
        nmProblem.setId("nmProblem");
        nmProblem.getStyleClass().add("error-text");
        nmProblem.setStyle("-fx-text-fill: #c62828;");
        nmProblem.textProperty().bind(vm.nmProblemProperty());
        nmProblem.visibleProperty().bind(vm.nmProblemProperty().isNotEmpty());
        nmProblem.managedProperty().bind(nmProblem.visibleProperty());
        nm.setOnAction(e -> {
            if (nm.getValue() != null && !vm.setNmPattern(nm.getValue())) {
                // Refused inline: the field shows the pattern in effect again, the label says why.
                String inForce = config.getValue().global().nmPattern();
                javafx.application.Platform.runLater(() -> nm.setValue(inForce == null ? "2:4" : inForce));
            }
        });
        // sparsegpt-nm keeps N of M too, so the pattern applies to it as well.
        nm.disableProperty().bind(method.valueProperty().isNotEqualTo("nm")
                .and(method.valueProperty().isNotEqualTo("sparsegpt-nm")));
        // With nm the pattern decides each layer's level (N of every M kept): the target does nothing, so say so.
        Tooltip targetTip = target.getTooltip();
        String targetText = targetTip.getText();
        Runnable nmTarget = () -> {
            boolean nmOn = "nm".equals(method.getValue());
            target.setDisable(nmOn);
            field.setDisable(nmOn);
            String why = "Not used with nm: the N:M pattern decides each layer's sparsity (N kept of every M).";
            targetTip.setText(nmOn ? why : targetText);
            field.getTooltip().setText(nmOn ? why : "Exact target sparsity, 0 to 1 (or a percentage such as 85%).");
        };
        method.valueProperty().addListener((o, a, b) -> nmTarget.run());
        nmTarget.run();
        TextField seed = new TextField(Long.toString(now.global().seed()));
        seed.setId("seedField");
        seed.setPrefColumnCount(5);
        seed.setTooltip(new Tooltip("Seed of the random method: the same seed gives the same mask every time."));
        seed.setOnAction(e -> commitSeed(vm, seed, config));
        seed.focusedProperty().addListener((o, was, focused) -> {
            if (!focused) {
                commitSeed(vm, seed, config);
            }
        });
        config.addListener((o, a, b) -> {
            method.setValue(b.global().method());
            allocation.setValue(b.global().allocation());
            if (!seed.isFocused()) {
                seed.setText(Long.toString(b.global().seed()));
            }
        });
        // The target's tooltip says why it is off with nm, so it must show while they are disabled.
        getChildren().addAll(new Label("Target sparsity"), org.sparsitybench.ui.common.DisabledTips.wrap(target),
                org.sparsitybench.ui.common.DisabledTips.wrap(field), new Label("Method"), method, new Label("N:M"),
                org.sparsitybench.ui.common.DisabledTips.wrap(nm), nmProblem, new Label("Allocation"), allocation, new Label("Seed"), seed);
        getStyleClass().add(Styles.GLOBAL_BAR);
    }

    private static void commitSeed(GlobalBarViewModel vm, TextField seed, ObservableValue<PruningConfig> config) {
        if (!vm.commitSeedText(seed.getText())) {
            seed.setText(Long.toString(config.getValue().global().seed()));
        }
    }
}
