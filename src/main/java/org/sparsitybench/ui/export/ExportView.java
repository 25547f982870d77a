package org.sparsitybench.ui.export;

import java.nio.file.Path;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.sparsitybench.ui.common.DialogService;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.Styles;

/**
 * The export dialog: folder and base name, what to write (pruned model with compaction and sparse-storage
 * options, report, curves CSV, the caller's charts), progress with cancel, the compaction check's result and
 * errors naming the file. Binds to {@link ExportViewModel}.
 *
 * <p>Entry point for the window: {@code ExportView.show(owner, source, vm.executor())}.
 */
public final class ExportView extends VBox {
    /** The workbench's stylesheet, shared by its dialogs. */
    static final String THEME = "/org/sparsitybench/ui/workbench/workbench.css";

    private final ExportViewModel vm;

    public ExportView(ExportViewModel vm, FxTaskExecutor executor) {
        this.vm = vm;
        setId("exportView");
        getStyleClass().add(Styles.ROOT);
        // The window's theme (colours as CSS variables), so the dialog looks like the window it belongs to.
        getStylesheets().add(ExportView.class.getResource(THEME).toExternalForm());
        setSpacing(10);
        setPadding(new Insets(14));

        TextField folder = new TextField();
        folder.setId("exportFolder");
        folder.setPrefColumnCount(36);
        folder.setText(vm.folderProperty().get().toString());
        folder.textProperty().addListener((o, a, b) -> {
            if (!b.isBlank()) {
                vm.folderProperty().set(Path.of(b.trim()));
            }
        });
        folder.setTooltip(new Tooltip("Folder the files go to; it is created if missing."));
        Button choose = new Button("Choose…");
        choose.setTooltip(new Tooltip("Pick the folder with a file chooser."));
        DialogService dialogs = new DialogService(() -> getScene() == null ? null : getScene().getWindow());
        choose.setOnAction(e -> dialogs.chooseFolder("Export folder", vm.folderProperty().get().getParent())
                .ifPresent(f -> folder.setText(f.toString())));
        TextField name = new TextField();
        name.setId("exportName");
        name.textProperty().bindBidirectional(vm.baseNameProperty());
        name.setTooltip(new Tooltip("Every written file's name starts with this."));
        GridPane where = new GridPane();
        where.setHgap(8);
        where.setVgap(6);
        where.addRow(0, new Label("Folder"), folder, choose);
        where.addRow(1, new Label("Name"), name);
        GridPane.setHgrow(folder, Priority.ALWAYS);

        CheckBox model = check("exportModel", "Pruned model (" + vm.modelFile().getFileName().toString()
                .replaceAll("^.*\\.", ".") + ", same format as the opened model)", vm.writeModelProperty(),
                "The model with pruned weights set to zero; the opened file is never overwritten.");
        CheckBox compact = check("exportCompact", "Compact: remove pruned channels", vm.compactProperty(),
                "Physically removes channels whose weights are all pruned; checked against the masked model in ONNX Runtime.");
        CheckBox sparse = check("exportSparse", "Sparse storage (sparse_initializer)", vm.sparseStorageProperty(),
                "Stores pruned weights as ONNX sparse initializers: a smaller file, not faster inference.");
        compact.disableProperty().bind(vm.writeModelProperty().not().or(Bindings.createBooleanBinding(
                () -> !vm.graphOptionsAvailable())));
        sparse.disableProperty().bind(compact.disableProperty());
        VBox modelOptions = new VBox(4, compact, sparse);
        modelOptions.setPadding(new Insets(0, 0, 0, 24));
        CheckBox report = check("exportReport", "Report (.report.json: per-layer and total results, config, mask hashes)",
                vm.writeReportProperty(), "The same report 'sparsitybench prune' writes.");
        CheckBox curves = check("exportCurves", "Curves as CSV (" + (vm.curvesAvailable() ? "measured points"
                : "no points measured yet") + ")", vm.writeCurvesProperty(), "Every measured sweep or snapshot point, one row each.");
        curves.setDisable(!vm.curvesAvailable());
        VBox what = new VBox(6, model, modelOptions, report, curves);
        for (Map.Entry<ChartExporter, BooleanProperty> c : vm.charts().entrySet()) {
            CheckBox box = check(null, c.getKey().name(), c.getValue(), "Writes this chart as image files.");
            box.getStyleClass().add("chart-exporter");
            what.getChildren().add(box);
        }
        if (!vm.charts().isEmpty()) {
            what.getChildren().add(chartOptions(vm));
        }

        Label compaction = new Label();
        compaction.setId("exportCompaction");
        compaction.setWrapText(true);
        compaction.textProperty().bind(vm.compactionProperty());
        Label validation = new Label();
        validation.setId("exportValidation");
        validation.setWrapText(true);
        validation.getStyleClass().add(Styles.WARNING);
        validation.textProperty().bind(vm.validationProperty());
        Label error = new Label();
        error.setId("exportError");
        error.setWrapText(true);
        error.getStyleClass().add(Styles.WARNING);
        error.textProperty().bind(vm.errorProperty());
        Label status = new Label();
        status.setId("exportStatus");
        status.textProperty().bind(vm.statusProperty());
        ListView<Path> files = new ListView<>(vm.written());
        files.setId("exportWritten");
        files.setPrefHeight(110);

        ProgressBar progress = new ProgressBar();
        progress.setId("exportProgress");
        progress.setMaxWidth(Double.MAX_VALUE);
        progress.progressProperty().bind(executor.progressProperty());
        progress.visibleProperty().bind(vm.runningProperty());
        HBox.setHgrow(progress, Priority.ALWAYS);
        Button export = new Button("Export");
        export.setId("exportButton");
        export.setDefaultButton(true);
        export.disableProperty().bind(vm.runningProperty().or(vm.validationProperty().isNotEmpty()));
        export.setOnAction(e -> vm.export());
        Button cancel = new Button("Cancel export");
        cancel.setId("exportCancel");
        cancel.disableProperty().bind(vm.runningProperty().not());
        cancel.setOnAction(e -> vm.cancel());
        Button close = new Button("Close");
        close.setId("exportClose");
        close.setCancelButton(true);
        close.disableProperty().bind(vm.runningProperty());
        close.setOnAction(e -> getScene().getWindow().hide());
        HBox buttons = new HBox(8, progress, export, cancel, close);

        for (Label l : new Label[] {compaction, validation, error, status}) {
            l.managedProperty().bind(l.textProperty().isNotEmpty());
            l.visibleProperty().bind(l.managedProperty());
        }
        getChildren().addAll(where, new Label("Write"), what, compaction, validation, error, status, files, buttons);
    }

    private static CheckBox check(String id, String text, BooleanProperty property, String tip) {
        CheckBox box = new CheckBox(text);
        box.setMnemonicParsing(false);
        if (id != null) {
            box.setId(id);
        }
        box.selectedProperty().bindBidirectional(property);
        box.setTooltip(new Tooltip(tip));
        return box;
    }

    public ExportViewModel viewModel() {
        return vm;
    }

    /**
     * Opens the export dialog over {@code owner} (window-modal) for the window's current state.
     *
     * @param owner    the workbench window
     * @param source   model, current result, curve points and chart exporters
     * @param executor the window's task executor, so the export is its foreground task (progress, cancel, no
     *                 conflicting task at the same time)
     * @return the dialog's stage, already shown
     */
    public static Stage show(Window owner, ExportRequestSource source, FxTaskExecutor executor) {
        ExportView view = new ExportView(new ExportViewModel(source, executor), executor);
        Stage stage = new Stage();
        stage.setTitle("Export — " + source.model().file().getFileName());
        if (owner != null) {
            stage.initOwner(owner);
            stage.initModality(Modality.WINDOW_MODAL);
        }
        stage.setScene(new Scene(view));
        org.sparsitybench.ui.common.DialogService.followTheme(owner, view);
        stage.setOnCloseRequest(e -> {
            if (view.vm.runningProperty().get()) {
                e.consume();
            }
        });
        stage.show();
        return stage;
    }

    /** Size and theme of the exported charts: light by default, whatever the window shows. */
    private static javafx.scene.layout.HBox chartOptions(ExportViewModel vm) {
        javafx.scene.control.Spinner<Integer> w = new javafx.scene.control.Spinner<>(ChartOptions.MIN, ChartOptions.MAX,
                vm.chartWidthProperty().get(), 100);
        w.setId("exportChartWidth");
        javafx.scene.control.Spinner<Integer> h = new javafx.scene.control.Spinner<>(ChartOptions.MIN, ChartOptions.MAX,
                vm.chartHeightProperty().get(), 100);
        h.setId("exportChartHeight");
        for (javafx.scene.control.Spinner<Integer> s : java.util.List.of(w, h)) {
            s.setEditable(true);
            s.setPrefWidth(96);
        }
        w.valueProperty().addListener((o, a, b) -> vm.chartWidthProperty().set(b));
        h.valueProperty().addListener((o, a, b) -> vm.chartHeightProperty().set(b));
        javafx.scene.control.ComboBox<org.sparsitybench.ui.common.ChartTheme> theme = new javafx.scene.control.ComboBox<>();
        theme.setId("exportChartTheme");
        theme.getItems().setAll(org.sparsitybench.ui.common.ChartTheme.values());
        theme.setConverter(org.sparsitybench.ui.common.Converters.showing(t -> t.name().toLowerCase(java.util.Locale.ROOT)));
        theme.valueProperty().bindBidirectional(vm.chartThemeProperty());
        theme.setTooltip(new javafx.scene.control.Tooltip("The charts' look in the files, whatever the window shows: "
                + "light for a paper."));
        javafx.scene.layout.HBox row = new javafx.scene.layout.HBox(6, new Label("Charts:"), w, new Label("×"), h,
                new Label("pixels, theme"), theme);
        row.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        row.setPadding(new Insets(0, 0, 0, 24));
        return row;
    }
}
