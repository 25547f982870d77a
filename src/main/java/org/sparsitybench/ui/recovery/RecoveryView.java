package org.sparsitybench.ui.recovery;

import java.util.Arrays;
import java.util.stream.Collectors;
import javafx.beans.property.DoubleProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;
import org.sparsitybench.train.LrSchedule;
import org.sparsitybench.train.Recovery;

/**
 * The Recover pane: epochs, learning rate and distillation; Start, Cancel and Export; one chart of training loss
 * (train split) and one of validation accuracy (hold-out) per epoch, growing while the run goes; and the line that
 * says which weights the figures belong to.
 */
public final class RecoveryView extends BorderPane {
    private final RecoveryViewModel vm;
    private final XYChart.Series<Number, Number> loss = new XYChart.Series<>();
    private final XYChart.Series<Number, Number> accuracy = new XYChart.Series<>();

    /** @param vm the pane's view model */
    public RecoveryView(RecoveryViewModel vm) {
        this.vm = vm;
        setId("recoveryPane");
        getStyleClass().add("recovery");
        getStylesheets().add(RecoveryView.class.getResource("recovery.css").toExternalForm());

        Spinner<Integer> epochs = new Spinner<>(1, RecoveryViewModel.MAX_EPOCHS, vm.epochsProperty().get());
        epochs.setId("recoverEpochs");
        epochs.setEditable(true);
        epochs.setPrefWidth(80);
        epochs.valueProperty().addListener((o, a, b) -> vm.epochsProperty().set(b));
        vm.epochsProperty().addListener((o, a, b) -> epochs.getValueFactory().setValue(b.intValue()));
        TextField lr = numberField("recoverLearningRate", vm.learningRateProperty());
        lr.setPrefColumnCount(7);
        lr.setTooltip(new Tooltip("Initial Adam learning rate; the schedule beside it says how it moves over the run."));
        ComboBox<LrSchedule> schedule = new ComboBox<>(
                FXCollections.observableArrayList(LrSchedule.values()));
        schedule.setId("recoverSchedule");
        schedule.setConverter(new StringConverter<>() {
            @Override
            public String toString(LrSchedule s) {
                return s == null ? "" : s.id();
            }

            @Override
            public LrSchedule fromString(String id) {
                return LrSchedule.parse(id);
            }
        });
        schedule.valueProperty().bindBidirectional(vm.scheduleProperty());
        schedule.setTooltip(new Tooltip(Arrays.stream(LrSchedule.values()).map(s -> s.id() + ": "
                + s.description()).collect(Collectors.joining("\n"))));
        TextField decay = numberField("recoverWeightDecay", vm.weightDecayProperty());
        decay.setTooltip(new Tooltip("Decoupled weight decay (AdamW) on the kept weights; 0 is plain Adam."));
        CheckBox distill = new CheckBox("distil from the dense model");
        distill.setId("recoverDistill");
        distill.setTooltip(new Tooltip("Train toward the unpruned model's outputs (T = 4) as well as the labels (α = 0.5)."));
        distill.selectedProperty().bindBidirectional(vm.distillProperty());

        Button start = new Button("Start");
        start.setId("recoverStart");
        start.setDefaultButton(false);
        start.setOnAction(e -> vm.start());
        start.disableProperty().bind(vm.runningProperty());
        Button cancel = new Button("Cancel");
        cancel.setId("recoverCancel");
        cancel.setTooltip(new Tooltip("Stops after the current batch; the best completed epoch is kept."));
        cancel.setOnAction(e -> vm.cancel());
        cancel.disableProperty().bind(vm.runningProperty().not());
        Button export = new Button("Export recovered model…");
        export.setId("recoverExport");
        export.setTooltip(new Tooltip("Writes the model with the recovered weights beside it (NAME.recovered.onnx), "
                + "atomically; the opened model is never overwritten."));
        export.disableProperty().bind(vm.runningProperty().or(vm.outcomeProperty().isNull()));
        export.setOnAction(e -> {
            var o = vm.outcomeProperty().get();
            if (o != null) {
                vm.export(RecoveryViewModel.defaultExport(o.model()), p -> { });
            }
        });

        // The pane is narrow beside the layer table: the controls wrap instead of truncating to "...".
        FlowPane controls = new FlowPane(8, 6, new Label("Epochs"), epochs, new Label("Learning rate"), lr, schedule,
                new Label("Weight decay"), decay, distill, start, cancel, export);
        controls.setAlignment(Pos.CENTER_LEFT);
        for (javafx.scene.Node n : controls.getChildren()) {
            if (n instanceof javafx.scene.control.Control c) {
                c.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
            }
        }
        controls.setPadding(new Insets(6, 8, 6, 8));
        Label note = new Label("Masks stay fixed: pruned weights stay 0. Training uses the model card's train split, "
                + "validation a seeded " + RecoveryViewModel.VALIDATION_PERCENT + " % hold-out of it (it picks the "
                + "best epoch). Cancel keeps the best completed epoch.");
        note.setWrapText(true);
        note.getStyleClass().add("recovery-note");
        VBox top = new VBox(2, controls, note);
        top.setPadding(new Insets(0, 8, 4, 8));
        setTop(top);

        loss.setName("training loss (train split)");
        accuracy.setName("validation accuracy % (hold-out)");
        LineChart<Number, Number> lossChart = chart("Training loss per epoch", "loss", loss);
        lossChart.setId("recoverLossChart");
        LineChart<Number, Number> accChart = chart("Validation accuracy per epoch", "accuracy (%)", accuracy);
        accChart.setId("recoverAccuracyChart");
        HBox charts = new HBox(8, lossChart, accChart);
        HBox.setHgrow(lossChart, Priority.ALWAYS);
        HBox.setHgrow(accChart, Priority.ALWAYS);
        setCenter(charts);

        Label status = new Label();
        status.setId("recoverStatus");
        status.setWrapText(true);
        status.textProperty().bind(vm.statusProperty());
        status.setPadding(new Insets(4, 8, 6, 8));
        setBottom(status);

        // Appended point by point: redrawing every point per epoch would cost the FX thread O(epochs²) nodes.
        vm.history().addListener((ListChangeListener<Recovery.Epoch>) c -> {
            while (c.next()) {
                if (c.wasRemoved()) {
                    redraw();
                    return;
                }
                c.getAddedSubList().forEach(this::add);
            }
        });
        redraw();
    }

    private void add(Recovery.Epoch e) {
        loss.getData().add(new XYChart.Data<>(e.epoch(), e.trainLoss()));
        accuracy.getData().add(new XYChart.Data<>(e.epoch(), 100 * e.validationAccuracy()));
    }

    private static LineChart<Number, Number> chart(String title, String y, XYChart.Series<Number, Number> s) {
        NumberAxis x = new NumberAxis();
        x.setLabel("epoch");
        x.setForceZeroInRange(false);
        x.setTickUnit(1);
        x.setMinorTickVisible(false);
        NumberAxis yAxis = new NumberAxis();
        yAxis.setLabel(y);
        yAxis.setForceZeroInRange(false);
        LineChart<Number, Number> c = new LineChart<>(x, yAxis);
        c.setTitle(title);
        c.setAnimated(false);
        c.setLegendVisible(true);
        c.getData().add(s);
        return c;
    }

    private void redraw() {
        loss.getData().clear();
        accuracy.getData().clear();
        vm.history().forEach(this::add);
    }

    /** Points the charts hold: training loss and validation accuracy per completed epoch (tests). */
    int plottedEpochs() {
        return Math.min(loss.getData().size(), accuracy.getData().size());
    }

    private static String format(double v) {
        return Double.toString(v);
    }

    /**
     * A field for a number property: what parses goes into the property, what does not marks the field and sets
     * NaN (the view model then refuses to start, naming the field).
     */
    private static TextField numberField(String id, DoubleProperty value) {
        TextField f = new TextField(format(value.get()));
        f.setId(id);
        f.setPrefColumnCount(5);
        f.textProperty().addListener((o, a, b) -> {
            try {
                value.set(Double.parseDouble(b.trim()));
                f.getStyleClass().remove("invalid");
            } catch (NumberFormatException e) {
                value.set(Double.NaN);
                if (!f.getStyleClass().contains("invalid")) {
                    f.getStyleClass().add("invalid");
                }
            }
        });
        value.addListener((o, a, b) -> {
            if (!Double.isNaN(b.doubleValue())) {
                try {
                    if (Double.parseDouble(f.getText().trim()) == b.doubleValue()) {
                        return;
                    }
                } catch (NumberFormatException e) {
                    // Replaced below by the model's value.
                }
                f.setText(format(b.doubleValue()));
            }
        });
        return f;
    }
}
