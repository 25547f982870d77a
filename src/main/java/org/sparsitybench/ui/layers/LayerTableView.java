package org.sparsitybench.ui.layers;

import java.util.List;
import java.util.Locale;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.collections.transformation.SortedList;
import javafx.geometry.Insets;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import org.sparsitybench.ui.common.EditSlider;
import org.sparsitybench.ui.common.Styles;

/**
 * The layer table: one row per prunable tensor with its own sparsity slider (requested, with the achieved value
 * beside it), lock and exclude toggles; sortable, filterable by name. Binds to a {@link LayerTableViewModel}:
 * edits go to it, and the rows it shows come back from the engine through it.
 */
public final class LayerTableView extends BorderPane {
    private final TableView<LayerRow> table = new TableView<>();
    private final TextField filter = new TextField();

    public LayerTableView(LayerTableViewModel vm) {
        ObservableList<LayerRow> rows = vm.rows();
        setId("layerTableView");
        getStyleClass().add(Styles.LAYERS);
        getStylesheets().add(LayerTableView.class.getResource("layers.css").toExternalForm());
        table.setId("layerTable");
        filter.setId("layerFilter");
        filter.setPromptText("Filter layers by name");
        filter.setTooltip(new Tooltip("Show only layers whose name contains this text."));
        FilteredList<LayerRow> filtered = new FilteredList<>(rows, r -> true);
        filter.textProperty().addListener((o, a, b) -> filtered.setPredicate(r -> b == null || b.isBlank()
                || r.name().toLowerCase(Locale.ROOT).contains(b.toLowerCase(Locale.ROOT))));
        SortedList<LayerRow> sorted = new SortedList<>(filtered);
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);
        // Every column gives and takes width down to its minimum, so at 1280 px all nine fit without a scroll bar.
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_ALL_COLUMNS);
        table.setPlaceholder(new Label("Open a model to list its prunable layers."));

        TableColumn<LayerRow, String> name = new TableColumn<>("Layer");
        name.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().name()));
        // Long names (model.layers.17.mlp.down_proj.weight) differ at the end: cut them at the front.
        name.setCellFactory(c -> new TableCell<>() {
            {
                setTextOverrun(javafx.scene.control.OverrunStyle.LEADING_ELLIPSIS);
            }

            @Override
            protected void updateItem(String v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty ? null : v);
                setTooltip(empty || v == null ? null : new Tooltip(v));
            }
        });
        name.setPrefWidth(140);
        name.setMinWidth(84);
        TableColumn<LayerRow, String> op = new TableColumn<>("Op");
        op.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().op()));
        op.setPrefWidth(60);
        op.setMinWidth(38);
        TableColumn<LayerRow, String> shape = new TableColumn<>("Shape");
        shape.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().shape()));
        shape.setPrefWidth(90);
        shape.setMinWidth(38);
        TableColumn<LayerRow, Long> params = new TableColumn<>("Params");
        params.setCellValueFactory(c -> new SimpleObjectProperty<>(c.getValue().params()));
        params.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(Long v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty || v == null ? null : String.format(Locale.ROOT, "%,d", v));
            }
        });
        params.setPrefWidth(66);
        params.setMinWidth(48);
        TableColumn<LayerRow, LayerRow> sparsity = new TableColumn<>("Sparsity req. / ach.");
        sparsity.setCellValueFactory(c -> new SimpleObjectProperty<>(c.getValue()));
        sparsity.setCellFactory(c -> new SparsityCell(vm));
        sparsity.setComparator((a, b) -> Double.compare(a.achievedProperty().get(), b.achievedProperty().get()));
        sparsity.setPrefWidth(240);
        sparsity.setMinWidth(180);
        TableColumn<LayerRow, LayerRow> lock = new TableColumn<>("Lock");
        lock.setCellValueFactory(c -> new SimpleObjectProperty<>(c.getValue()));
        lock.setCellFactory(c -> new ToggleCell(true, vm::setLocked));
        lock.setSortable(false);
        lock.setPrefWidth(44);
        lock.setMinWidth(30);
        TableColumn<LayerRow, LayerRow> exclude = new TableColumn<>("Excl.");
        exclude.setCellValueFactory(c -> new SimpleObjectProperty<>(c.getValue()));
        exclude.setCellFactory(c -> new ToggleCell(false, vm::setExcluded));
        exclude.setSortable(false);
        exclude.setPrefWidth(44);
        exclude.setMinWidth(30);
        TableColumn<LayerRow, Number> sensitivity = new TableColumn<>("Sensitivity");
        sensitivity.setId("sensitivityColumn");
        sensitivity.setCellValueFactory(c -> c.getValue().sensitivityProperty());
        sensitivity.setCellFactory(c -> new SensitivityCell());
        sensitivity.setComparator((a, b) -> Double.compare(nanLow(a), nanLow(b)));
        sensitivity.setPrefWidth(80);
        sensitivity.setMinWidth(50);
        TableColumn<LayerRow, Number> zeros = new TableColumn<>("Zeros");
        zeros.setId("zerosColumn");
        zeros.setCellValueFactory(c -> c.getValue().zerosNowProperty());
        zeros.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(Number v, boolean empty) {
                super.updateItem(v, empty);
                LayerRow row = empty ? null : getTableRow().getItem();
                getStyleClass().remove(Styles.WARNING);
                setTooltip(row == null || Double.isNaN(row.zerosProperty().get()) ? null : new Tooltip(zerosTip(
                        row.zerosProperty().get(), v == null ? Double.NaN : v.doubleValue())));
                if (empty || v == null || row == null) {
                    setText(null);
                } else if (Double.isNaN(v.doubleValue())) {
                    setText("…");
                } else if (row.nonFinite() > 0) {
                    setText(String.format(Locale.ROOT, "%,d NaN/Inf", row.nonFinite()));
                    getStyleClass().add(Styles.WARNING);
                } else {
                    setText(String.format(Locale.ROOT, "%.1f%%", 100 * v.doubleValue()));
                }
            }
        });
        zeros.setComparator((a, b) -> Double.compare(nanLow(a), nanLow(b)));
        zeros.setPrefWidth(60);
        zeros.setMinWidth(46);
        header(zeros, "Share of the layer's weights that are zero now: those already zero in the file (read in the "
                + "background), then what pruning leaves; NaN/Inf weights are flagged.");
        header(name, "The weight tensor's name in the model file.");
        header(op, "The operator that uses the tensor (Gemm, MatMul, Conv, ...).");
        header(shape, "The tensor's shape; pruning removes entries, compaction removes whole output channels.");
        header(params, "Number of weights in the tensor.");
        header(sparsity, "Requested sparsity (the slider) and the share of weights actually zeroed.");
        header(lock, "Locked layers keep their sparsity when the global target moves.");
        header(exclude, "Excluded layers stay dense.");
        header(sensitivity, "Validation accuracy lost when this layer alone is pruned to 50 % (run Run ▸ Sensitivity).");
        TableColumn<LayerRow, String> reconstruction = new TableColumn<>("Output error");
        reconstruction.setId("reconstructionColumn");
        reconstruction.setCellValueFactory(c -> c.getValue().reconstructionProperty());
        reconstruction.setPrefWidth(110);
        reconstruction.setMinWidth(78); // "19.6% → 0.6%" whole; every minimum together fits the table at 1280 px
        header(reconstruction, "With Reconstruct on: the layer's relative output error ‖XWᵀ − XŴᵀ‖² / ‖XWᵀ‖² on the "
                + "validation samples it was calibrated on, mask only → reconstructed Ŵ. Empty while the mask alone is shown.");
        table.getColumns().addAll(List.of(name, op, shape, params, zeros, sparsity, lock, exclude, sensitivity,
                reconstruction));
        // Columns without figures yet give their width to the names: at 1280 px every pixel of the table counts.
        sensitivity.visibleProperty().bind(vm.sensitivityShownProperty());
        reconstruction.visibleProperty().bind(vm.reconstructionShownProperty());

        setTop(filter);
        BorderPane.setMargin(filter, new Insets(0, 0, 4, 0));
        setCenter(table);
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                vm.selectedProperty().set(b);
            }
        });
        vm.selectedProperty().addListener((o, a, b) -> {
            if (b != null) {
                table.getSelectionModel().select(b);
            }
        });
    }

    private static double nanLow(Number n) {
        double v = n == null ? Double.NaN : n.doubleValue();
        return Double.isNaN(v) ? -1 : v;
    }

    /** Moves a column's title into a label so it can carry a tooltip of one sentence. */
    private static void header(TableColumn<LayerRow, ?> column, String tip) {
        Label title = new Label(column.getText());
        title.setTooltip(new Tooltip(tip));
        column.setText("");
        column.setGraphic(title);
    }

    /** A bar as long as the layer's accuracy drop (full width = 20 points), with the number beside it. */
    private static final class SensitivityCell extends TableCell<LayerRow, Number> {
        private final javafx.scene.layout.Region bar = new javafx.scene.layout.Region();
        private final Label value = new Label();
        private final HBox box = new HBox(4, bar, value);

        SensitivityCell() {
            bar.getStyleClass().add(Styles.SENSITIVITY_BAR);
            bar.setMinHeight(8);
            bar.setMaxHeight(8);
            box.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
            value.getStyleClass().add(Styles.VALUE);
        }

        @Override
        protected void updateItem(Number v, boolean empty) {
            super.updateItem(v, empty);
            if (empty || v == null || Double.isNaN(v.doubleValue())) {
                setGraphic(null);
                setTooltip(null);
                return;
            }
            double drop = v.doubleValue();
            bar.setPrefWidth(Math.max(1, Math.min(1, drop / 0.2) * 40));
            bar.setMinWidth(bar.getPrefWidth());
            value.setText(sensitivityText(drop));
            setTooltip(new Tooltip(drop < 0 ? String.format(Locale.ROOT,
                    "Pruning this layer alone to 50 %% gained %.2f validation accuracy points.", -100 * drop)
                    : String.format(Locale.ROOT, "Pruning this layer alone to 50 %% costs %.2f validation accuracy points.",
                    100 * drop)));
            setGraphic(box);
        }
    }

    /** The Zeros column's tooltip: the file's share, and what the layer holds now when pruning changed it. */
    static String zerosTip(double inFile, double now) {
        String file = String.format(Locale.ROOT, "%.1f %% of the weights are zero in the file", 100 * inFile);
        return Double.isNaN(now) || Math.abs(now - inFile) < 5e-4 ? file + " (pruning has not added any)."
                : String.format(Locale.ROOT, "%s; %.1f %% after pruning.", file, 100 * now);
    }

    /** The Sensitivity column's number: accuracy points lost, negative for a gain ("-0.5", never clamped to 0). */
    static String sensitivityText(double drop) {
        String t = String.format(Locale.ROOT, "%.1f", 100 * drop);
        return t.equals("-0.0") ? "0.0" : t;
    }

    /** "81.6% / 81.6%": requested and achieved with the same precision, so equal values read as equal. */
    static String sparsityText(double requested, double achieved) {
        return String.format(Locale.ROOT, "%.1f%% / %.1f%%", 100 * requested, 100 * achieved);
    }

    public TableView<LayerRow> table() {
        return table;
    }

    /** The row's slider (linked to the row through the view model) and its "requested / achieved" text. */
    private static final class SparsityCell extends TableCell<LayerRow, LayerRow> {
        static final double SLIDER_MIN_WIDTH = 80;
        /** Half a thumb: where the track starts and ends inside the slider (Modena's thumb is about 12 px). */
        private static final double TRACK_INSET = 6;
        private final EditSlider slider = new EditSlider();
        private final Region marker = new Region();
        private final javafx.scene.layout.StackPane track = new javafx.scene.layout.StackPane(slider, marker);
        private final Label value = new Label();
        private final HBox box = new HBox(6, track, value);
        private final LayerTableViewModel vm;
        private final javafx.beans.InvalidationListener stateListener = o -> refresh();
        private LayerRow bound;

        SparsityCell(LayerTableViewModel vm) {
            this.vm = vm;
            HBox.setHgrow(track, Priority.ALWAYS);
            // The slider fills the pane; the marker sits over its track at the share of zeros in the file.
            track.setMinWidth(SLIDER_MIN_WIDTH);
            slider.setMaxWidth(Double.MAX_VALUE);
            track.heightProperty().addListener(o -> placeMarker());
            track.widthProperty().addListener(o -> placeMarker());
            marker.getStyleClass().add(Styles.ZEROS_MARKER);
            marker.setManaged(false);
            marker.setMouseTransparent(true);
            slider.setBlockIncrement(0.05);
            slider.getStyleClass().add(Styles.ROW_SLIDER);
            value.getStyleClass().add(Styles.VALUE);
            value.setMinWidth(Region.USE_PREF_SIZE);
            // Wide enough to drag on a projector at 1280 px; the column is sized to hold it and the text.
            slider.setMinWidth(SLIDER_MIN_WIDTH);
            slider.setTooltip(new Tooltip("This layer's sparsity: drag to override the global allocation."));
        }

        private void placeMarker() {
            double z = bound == null ? Double.NaN : bound.zerosProperty().get();
            marker.setVisible(z > 5e-4);
            double h = marker.minHeight(-1);
            marker.resizeRelocate(TRACK_INSET + (Double.isNaN(z) ? 0 : z) * (track.getWidth() - 2 * TRACK_INSET) - 1,
                    (track.getHeight() - h) / 2, 2, h);
            if (marker.isVisible()) {
                slider.getTooltip().setText(String.format(Locale.ROOT, "This layer's sparsity: drag to override the "
                        + "global allocation. %.1f %% of its weights are zero in the file (the mark): it starts there.",
                        100 * z));
            }
        }

        private void refresh() {
            if (bound == null) {
                return;
            }
            placeMarker();
            value.setText(bound.excludedProperty().get() ? "dense (excluded)" :
                    sparsityText(bound.requestedProperty().get(), bound.achievedProperty().get()));
            // Why the layer did not reach its level (an N:M pattern it cannot take): a mark and the reason.
            String note = bound.noteProperty().get();
            value.getStyleClass().remove(Styles.WARNING);
            if (note.isEmpty()) {
                value.setTooltip(null);
            } else {
                value.getStyleClass().add(Styles.WARNING);
                value.setTooltip(new Tooltip(note));
            }
            slider.setDisable(bound.excludedProperty().get() || bound.lockedProperty().get());
        }

        @Override
        protected void updateItem(LayerRow row, boolean empty) {
            super.updateItem(row, empty);
            if (bound != null) {
                slider.unlink();
                for (javafx.beans.Observable p : List.of(bound.requestedProperty(), bound.achievedProperty(),
                        bound.excludedProperty(), bound.lockedProperty(), bound.zerosProperty(), bound.noteProperty())) {
                    p.removeListener(stateListener);
                }
            }
            bound = empty ? null : row;
            if (bound == null) {
                setGraphic(null);
                return;
            }
            String name = row.name();
            slider.link(row.requestedProperty(), (v, dragging) -> vm.setLayerSparsity(name, v, dragging));
            for (javafx.beans.Observable p : List.of(row.requestedProperty(), row.achievedProperty(),
                    row.excludedProperty(), row.lockedProperty(), row.zerosProperty(), row.noteProperty())) {
                p.addListener(stateListener);
            }
            refresh();
            setGraphic(box);
        }
    }

    private static final class ToggleCell extends TableCell<LayerRow, LayerRow> {
        private final CheckBox box = new CheckBox();
        private final boolean lock;
        private final javafx.beans.value.ChangeListener<Boolean> listener = (o, a, b) -> box.setSelected(b);
        private LayerRow bound;

        ToggleCell(boolean lock, java.util.function.BiConsumer<String, Boolean> onChange) {
            this.lock = lock;
            box.setTooltip(new Tooltip(lock ? "Keep this layer's sparsity when the global target moves."
                    : "Keep this layer dense: never prune it."));
            box.setOnAction(e -> {
                if (bound != null) {
                    onChange.accept(bound.name(), box.isSelected());
                }
            });
        }

        private javafx.beans.property.ReadOnlyBooleanProperty property(LayerRow row) {
            return lock ? row.lockedProperty() : row.excludedProperty();
        }

        @Override
        protected void updateItem(LayerRow row, boolean empty) {
            super.updateItem(row, empty);
            if (bound != null) {
                property(bound).removeListener(listener);
            }
            bound = empty ? null : row;
            if (bound == null) {
                setGraphic(null);
                return;
            }
            box.setSelected(property(row).get());
            property(row).addListener(listener);
            setGraphic(box);
        }
    }
}
