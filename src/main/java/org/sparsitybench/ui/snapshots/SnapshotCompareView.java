package org.sparsitybench.ui.snapshots;

import java.util.List;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.sparsitybench.model.Model;
import org.sparsitybench.project.Project;
import org.sparsitybench.prune.stats.MaskDiffGrid;
import org.sparsitybench.ui.common.DialogService;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.Styles;

/**
 * Compares two or more snapshots: a table (a row per layer with each snapshot's achieved sparsity, then accuracy,
 * loss, latency, kept parameters and size), cells that differ from the first snapshot highlighted; below, the
 * chosen layer's mask difference between snapshots A and B painted from the engine's {@link MaskDiffGrid} in four
 * colours with a legend. Binds to {@link SnapshotCompareViewModel}.
 *
 * <p>Entry point for the window: {@code SnapshotCompareView.show(owner, model, vm.snapshots(), vm.executor())}.
 */
public final class SnapshotCompareView extends BorderPane {
    /** Style class of a table cell whose value differs from the first snapshot's. */
    public static final String CHANGED = "sb-changed";
    /** Cell colours by {@link MaskDiffGrid.Kind} ordinal: kept both, pruned both, only A, only B (Okabe–Ito). */
    static final Color[] COLORS = {Color.web("#0072b2"), Color.web("#d9d9d9"), Color.web("#e69f00"), Color.web("#009e73")};

    private final SnapshotCompareViewModel vm;
    private final Canvas canvas = new Canvas();

    public SnapshotCompareView(SnapshotCompareViewModel vm) {
        this.vm = vm;
        setId("snapshotCompareView");
        getStyleClass().add(Styles.ROOT);
        getStylesheets().add(SnapshotCompareView.class.getResource(
                "/org/sparsitybench/ui/workbench/workbench.css").toExternalForm());
        getStylesheets().add(SnapshotCompareView.class.getResource("snapshots.css").toExternalForm());
        setPadding(new Insets(10));

        TableView<SnapshotCompareViewModel.Row> table = new TableView<>(vm.rows());
        table.setId("snapshotTable");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        TableColumn<SnapshotCompareViewModel.Row, String> name = new TableColumn<>("layer / measure");
        name.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().label()));
        name.setPrefWidth(220);
        table.getColumns().add(name);
        List<Project.Snapshot> snaps = vm.snapshots();
        for (int i = 0; i < snaps.size(); i++) {
            int col = i;
            TableColumn<SnapshotCompareViewModel.Row, String> c = new TableColumn<>(snaps.get(i).name());
            c.setCellValueFactory(r -> new ReadOnlyStringWrapper(r.getValue().cells().get(col)));
            c.setCellFactory(x -> new TableCell<>() {
                @Override
                protected void updateItem(String item, boolean empty) {
                    super.updateItem(item, empty);
                    setText(empty ? null : item);
                    getStyleClass().remove(CHANGED);
                    SnapshotCompareViewModel.Row row = empty || getTableRow() == null ? null : getTableRow().getItem();
                    if (row != null && row.changed().get(col)) {
                        getStyleClass().add(CHANGED);
                    }
                }
            });
            table.getColumns().add(c);
        }
        table.setPlaceholder(new Label("recomputing each snapshot's masks…"));
        table.setPrefHeight(330);

        ComboBox<String> layer = new ComboBox<>(vm.layers());
        layer.setId("diffLayer");
        layer.valueProperty().bindBidirectional(vm.layerProperty());
        layer.setTooltip(new Tooltip("The layer whose masks are compared below."));
        ComboBox<String> a = snapshotChooser("diffA", vm.aProperty().get());
        a.setOnAction(e -> vm.aProperty().set(a.getSelectionModel().getSelectedIndex()));
        ComboBox<String> b = snapshotChooser("diffB", vm.bProperty().get());
        b.setOnAction(e -> vm.bProperty().set(b.getSelectionModel().getSelectedIndex()));
        HBox choosers = new HBox(8, new Label("Layer"), layer, new Label("A"), a, new Label("B"), b);
        choosers.setAlignment(Pos.CENTER_LEFT);

        Label summary = new Label();
        summary.setId("diffSummary");
        summary.setWrapText(true);
        summary.textProperty().bind(vm.gridSummaryProperty());
        HBox legend = new HBox(14, swatch(MaskDiffGrid.Kind.KEPT_BOTH, "kept in both"),
                swatch(MaskDiffGrid.Kind.PRUNED_BOTH, "pruned in both"), swatch(MaskDiffGrid.Kind.ONLY_A, "kept only in A"),
                swatch(MaskDiffGrid.Kind.ONLY_B, "kept only in B"));
        legend.setId("diffLegend");
        canvas.setId("diffCanvas");
        Pane holder = new Pane(canvas);
        holder.setMinSize(120, 120);
        holder.setPrefSize(640, 320);
        canvas.widthProperty().bind(holder.widthProperty());
        canvas.heightProperty().bind(holder.heightProperty());
        canvas.widthProperty().addListener(o -> paint());
        canvas.heightProperty().addListener(o -> paint());
        vm.gridProperty().addListener((o, x, y) -> paint());
        VBox.setVgrow(holder, Priority.ALWAYS);

        Label error = new Label();
        error.setId("compareError");
        error.getStyleClass().add(Styles.WARNING);
        error.textProperty().bind(vm.errorProperty());
        setTop(error);
        setCenter(new VBox(8, table, choosers, legend, summary, holder));
    }

    private ComboBox<String> snapshotChooser(String id, int selected) {
        ComboBox<String> c = new ComboBox<>();
        c.setId(id);
        vm.snapshots().forEach(s -> c.getItems().add(s.name()));
        c.getSelectionModel().select(selected);
        c.setTooltip(new Tooltip("The snapshot whose mask is compared."));
        return c;
    }

    private static HBox swatch(MaskDiffGrid.Kind kind, String text) {
        Rectangle r = new Rectangle(14, 14, COLORS[kind.ordinal()]);
        r.getStyleClass().add(Styles.SWATCH);
        HBox box = new HBox(5, r, new Label(text));
        box.setAlignment(Pos.CENTER_LEFT);
        return box;
    }

    public SnapshotCompareViewModel viewModel() {
        return vm;
    }

    /** Each grid cell as one rectangle of its dominant kind, the grid fitted to the canvas keeping cells square-ish. */
    private void paint() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        g.clearRect(0, 0, w, h);
        MaskDiffGrid grid = vm.gridProperty().get();
        if (grid == null || w <= 0 || h <= 0) {
            return;
        }
        double cell = Math.min(w / grid.gridCols(), h / grid.gridRows());
        double cw = grid.gridCols() * cell > w ? w / grid.gridCols() : cell;
        for (int r = 0; r < grid.gridRows(); r++) {
            for (int c = 0; c < grid.gridCols(); c++) {
                g.setFill(COLORS[grid.dominant(r, c).ordinal()]);
                g.fillRect(c * cw, r * cell, Math.ceil(cw), Math.ceil(cell));
            }
        }
    }

    /**
     * Opens the comparison of {@code snapshots} (two or more) over {@code owner} and starts recomputing their masks
     * as the window's foreground task.
     *
     * @return the stage, already shown
     */
    public static Stage show(Window owner, Model model, List<Project.Snapshot> snapshots, FxTaskExecutor executor) {
        SnapshotCompareViewModel vm = new SnapshotCompareViewModel(model, snapshots, executor);
        Stage stage = new Stage();
        stage.setTitle("Compare snapshots — " + model.file().getFileName());
        if (owner != null) {
            stage.initOwner(owner);
        }
        SnapshotCompareView view = new SnapshotCompareView(vm);
        DialogService.followTheme(owner, view);
        Scene scene = new Scene(view, 900, 720);
        // Escape closes it, as it closes a dialog: without a window manager it has no title bar to close it by.
        scene.addEventHandler(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ESCAPE) {
                e.consume();
                stage.close();
            }
        });
        stage.setScene(scene);
        stage.show();
        vm.load();
        return stage;
    }
}
