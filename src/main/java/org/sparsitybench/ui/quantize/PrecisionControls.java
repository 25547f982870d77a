package org.sparsitybench.ui.quantize;

import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.util.StringConverter;
import org.sparsitybench.quantize.Precision;
import org.sparsitybench.quantize.QuantMode;
import org.sparsitybench.ui.layers.LayerRow;

/**
 * The precision controls the window adds to its layer table and global bar: a Precision column (one chooser per
 * row; a layer that cannot be quantized reads float32, disabled) and a global chooser with the mode beside it.
 * All state lives in {@link PrecisionViewModel}.
 */
public final class PrecisionControls {
    private PrecisionControls() {
    }

    private static final StringConverter<Precision> NAMES = new StringConverter<>() {
        @Override
        public String toString(Precision p) {
            return p == null ? "" : p == Precision.FLOAT32 ? "float32" : p.id();
        }

        @Override
        public Precision fromString(String s) {
            return Precision.parse(s);
        }
    };

    /** The layer table's Precision column. */
    public static TableColumn<LayerRow, LayerRow> column(PrecisionViewModel vm) {
        TableColumn<LayerRow, LayerRow> c = new TableColumn<>("Precision");
        c.setId("precisionColumn");
        c.setSortable(false);
        c.setMinWidth(96); // the chooser whole ("float32" unclipped): the layer table's constrained policy keeps every column at its minimum
        c.setCellValueFactory(f -> new ReadOnlyObjectWrapper<>(f.getValue()));
        c.setCellFactory(col -> new TableCell<>() {
            private final ComboBox<Precision> box = new ComboBox<>(FXCollections.observableArrayList(Precision.values()));
            private boolean updating;

            {
                box.setConverter(NAMES);
                box.valueProperty().addListener((o, a, b) -> {
                    LayerRow row = getItem();
                    if (!updating && row != null && b != null && vm.quantizable(row.name())) {
                        vm.setLayer(row.name(), b == vm.global() ? null : b);
                    }
                });
                vm.addListener(this::refresh);
            }

            private void refresh() {
                LayerRow row = getItem();
                if (row == null) {
                    return;
                }
                updating = true;
                box.setValue(vm.precision(row.name()));
                box.setDisable(!vm.quantizable(row.name()));
                updating = false;
            }

            @Override
            protected void updateItem(LayerRow row, boolean empty) {
                super.updateItem(row, empty);
                if (empty || row == null) {
                    setGraphic(null);
                    setTooltip(null);
                    return;
                }
                refresh();
                setGraphic(box);
                setTooltip(new Tooltip(vm.quantizable(row.name()) ? "Stored precision of this layer's weights"
                        : "Not a Conv, Gemm or MatMul weight: stays float32"));
            }
        });
        return c;
    }

    /** The global precision chooser and the mode, for the bar beside the method. */
    public static HBox chooser(PrecisionViewModel vm) {
        ComboBox<Precision> precision = new ComboBox<>(FXCollections.observableArrayList(Precision.values()));
        precision.setId("globalPrecision");
        precision.setConverter(NAMES);
        precision.setValue(vm.global());
        precision.valueProperty().addListener((o, a, b) -> {
            if (b != null && b != vm.global()) {
                vm.setGlobal(b);
            }
        });
        ComboBox<QuantMode> mode = new ComboBox<>(FXCollections.observableArrayList(QuantMode.values()));
        mode.setId("quantizationMode");
        mode.setConverter(new StringConverter<>() {
            @Override
            public String toString(QuantMode m) {
                return m == null ? "" : m == QuantMode.STATIC ? "static (int8 kernels)" : "weights only";
            }

            @Override
            public QuantMode fromString(String s) {
                return s.startsWith("static") ? QuantMode.STATIC : QuantMode.WEIGHTS;
            }
        });
        mode.setValue(vm.mode());
        mode.valueProperty().addListener((o, a, b) -> {
            if (b != null && b != vm.mode()) {
                vm.setMode(b);
            }
        });
        mode.setTooltip(new Tooltip("Static: INT8 weights and activations, so ONNX Runtime can use integer kernels. "
                + "Weights only: integer weights, float arithmetic (INT4 is always weights only)."));
        vm.addListener(() -> {
            precision.setValue(vm.global());
            mode.setValue(vm.mode());
        });
        HBox box = new HBox(6, new Label("Precision"), precision, mode);
        box.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return box;
    }
}
