package org.sparsitybench.ui.workbench;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Slider;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.project.Project;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.PruningMethods;
import org.sparsitybench.ui.common.ChartExport;
import org.sparsitybench.ui.common.Styles;
import org.sparsitybench.ui.common.UserFiles;
import org.sparsitybench.ui.curves.CurveKind;
import org.sparsitybench.ui.curves.CurvePoint;
import org.sparsitybench.ui.curves.CurvesView;
import org.sparsitybench.ui.distribution.DistributionView;
import org.sparsitybench.ui.distribution.SmallMultiplesView;
import org.sparsitybench.ui.export.ChartExporter;
import org.sparsitybench.ui.export.ExportRequestSource;
import org.sparsitybench.ui.export.ExportView;
import org.sparsitybench.ui.heatmap.HeatmapView;
import org.sparsitybench.ui.layers.LayerTableView;
import org.sparsitybench.ui.overview.OverviewView;
import org.sparsitybench.ui.overview.OverviewViewModel;
import org.sparsitybench.ui.sensitivity.SensitivityView;
import org.sparsitybench.ui.sensitivity.SensitivityViewModel;
import org.sparsitybench.ui.snapshots.SnapshotCompareView;

/**
 * The workbench window's content: menus, the global bar (target slider and exact field, method, allocation,
 * live totals), the layer table on the left, the views on the right, and a status bar with progress and
 * cancel. Binds to {@link WorkbenchViewModel}; holds no state of its own beyond layout.
 */
public final class MainView extends BorderPane {
    private final WorkbenchViewModel vm;
    private final Slider target = new Slider(0, 1, 0);
    private final TextField targetField = new TextField("0.0");
    private final DistributionView distribution = new DistributionView();
    private final HeatmapView heatmap = new HeatmapView();
    private final CheckBox logCounts = new CheckBox("log counts");
    private final CurvesView curves;
    private final SmallMultiplesView smallMultiples =
            new SmallMultiplesView();
    private final OverviewView overview =
            new OverviewView(new OverviewViewModel());
    private final SensitivityView sensitivity =
            new SensitivityView(new SensitivityViewModel());
    private boolean dark;

    public MainView(WorkbenchViewModel vm) {
        this.vm = vm;
        this.curves = new CurvesView(vm.sweepPoints(), vm.snapshots());
        getStyleClass().add(Styles.ROOT);
        getStylesheets().add(MainView.class.getResource("workbench.css").toExternalForm());
        Label accuracy = new Label();
        accuracy.setId("accuracyLabel");
        accuracy.getStyleClass().add(Styles.TOTALS);
        accuracy.textProperty().bind(vm.accuracyProperty());
        setTop(new VBox(menuBar(), toolBar(), globalBar(), totals(), accuracy));
        SplitPane split = new SplitPane(layerTable(), views());
        split.setOrientation(Orientation.HORIZONTAL);
        split.setDividerPositions(0.58);
        setCenter(split);
        setBottom(statusBar());
        vm.errorProperty().addListener((o, a, b) -> {
            if (b != null && !b.isEmpty()) {
                showError(b);
            }
        });
        setOnDragOver(e -> {
            if (e.getDragboard().hasFiles()) {
                e.acceptTransferModes(TransferMode.COPY);
            }
            e.consume();
        });
        setOnDragDropped(e -> {
            List<File> files = e.getDragboard().getFiles();
            if (files != null && !files.isEmpty()) {
                openAny(files.get(0).toPath());
            }
            e.setDropCompleted(true);
            e.consume();
        });
    }

    private MenuBar menuBar() {
        MenuItem open = item("Open model…", "Shortcut+O", this::chooseModel);
        open.setId("menuOpen");
        MenuItem openProject = item("Open project…", "Shortcut+Shift+O", this::chooseProject);
        MenuItem saveProject = item("Save project…", "Shortcut+S", this::saveProject);
        saveProject.setId("menuSaveProject");
        MenuItem snapshot = item("Save snapshot", "Shortcut+Shift+S",
                () -> vm.saveSnapshot("Snapshot " + (vm.snapshots().size() + 1)));
        MenuItem quit = item("Quit", "Shortcut+Q", () -> getScene().getWindow().hide());
        MenuItem openData = item("Open dataset…", "Shortcut+D", this::chooseDataset);
        openData.setId("menuOpenDataset");
        Menu recent = new Menu("Open recent");
        recent.setId("menuRecent");
        Runnable fillRecent = () -> {
            recent.getItems().clear();
            for (Path p : vm.recentFiles()) {
                MenuItem i = item(p.toString(), null, () -> openAny(p));
                recent.getItems().add(i);
            }
            recent.setDisable(recent.getItems().isEmpty());
        };
        vm.recentFiles().addListener((javafx.collections.ListChangeListener<Path>) c -> fillRecent.run());
        fillRecent.run();
        MenuItem export = item("Export…", "Shortcut+E", this::export);
        export.setId("menuExport");
        MenuItem compare = item("Compare snapshots…", "Shortcut+Shift+C", this::compareSnapshots);
        compare.setId("menuCompare");
        Menu file = new Menu("File", null, open, openData, recent, openProject, saveProject, new SeparatorMenuItem(),
                export, new SeparatorMenuItem(), snapshot, compare, new SeparatorMenuItem(), quit);
        MenuItem undo = item("Undo", "Shortcut+Z", vm::undo);
        undo.disableProperty().bind(vm.canUndoProperty().not());
        MenuItem redo = item("Redo", "Shortcut+Shift+Z", vm::redo);
        redo.disableProperty().bind(vm.canRedoProperty().not());
        Menu edit = new Menu("Edit", null, undo, redo);
        MenuItem sweep = item("Run sweep (magnitude vs random)", "Shortcut+R", () -> vm.runSweep(
                List.of("magnitude", "random"), List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)));
        sweep.setId("menuSweep");
        MenuItem sens = item("Run sensitivity analysis", "Shortcut+Shift+R", this::runSensitivity);
        sens.setId("menuSensitivity");
        Menu run = new Menu("Run", null, sweep, sens);
        MenuItem theme = item("Toggle light/dark theme", "Shortcut+T", this::toggleTheme);
        theme.setId("menuTheme");
        Menu view = new Menu("View", null, theme);
        MenuItem shortcuts = item("Shortcuts", null, () -> info("Shortcuts",
                "Ctrl+O open a model · Ctrl+Z undo · Ctrl+Shift+Z redo · Ctrl+T theme\n"
                        + "Heatmap: mouse wheel or +/- zooms, drag or arrow keys pan, 0 resets."));
        MenuItem methods = item("Pruning methods", null, () -> info("Pruning methods", METHODS_HELP));
        Menu help = new Menu("Help", null, shortcuts, methods);
        Menu samples = new Menu("Samples");
        samples.setId("menuSamples");
        for (String name : List.of("fashion-lenet5", "fashion-lenet-300-100", "fashion-resnet-mini", "digits-mlp")) {
            Path model = UserFiles.samples().resolve(name).resolve("model.onnx");
            MenuItem i = item(name, null, () -> vm.open(model));
            i.setDisable(!java.nio.file.Files.exists(model));
            samples.getItems().add(i);
        }
        MenuBar bar = new MenuBar(file, edit, run, samples, view, help);
        bar.setId("menuBar");
        return bar;
    }

    /** Help ▸ Pruning methods: what each method and allocation does, and what it buys at run time. */
    static final String METHODS_HELP = String.join("\n",
            "magnitude — zero the smallest |w| of each layer; ties broken by index, so the count is exact.",
            "random — zero a seeded random choice: the baseline every curve needs.",
            "nm — keep N of every M consecutive weights along the input (2:4 runs faster on sparse tensor cores,"
                    + " not on a CPU).",
            "l1-structured / l2-structured — remove whole output channels (Gemm rows, Conv filters) with the"
                    + " smallest L1/L2 norm; bias and BatchNorm go with them, residual and Concat joins are pruned"
                    + " together. Only this kind makes a dense runtime faster: export with compaction.",
            "wanda — |w| times the norm of the layer's input over calibration samples, compared within each row"
                    + " (Sun et al. 2023); needs the model's test data for calibration.",
            "",
            "Allocation shares the global target among layers: uniform (every layer the same), global threshold,"
                    + " layer-normalised (each layer's scores divided by its RMS first), ERK (denser where a layer"
                    + " has few weights per fan), or sensitivity-guided (after Run ▸ Sensitivity: steps go to the"
                    + " layers that lose least).",
            "",
            "Unstructured zeros shrink a sparse-stored or compressed file but do not speed up a dense runtime:"
                    + " the latency shown is what ONNX Runtime measures on the exported file.");

    private HBox toolBar() {
        Button open = tool("Open", "Open an ONNX or SafeTensors model (Ctrl+O).", this::chooseModel);
        Button data = tool("Dataset", "Open a dataset to measure accuracy on (IDX, NPZ, image folder, CSV).",
                this::chooseDataset);
        Button openProject = tool("Open project", "Open a saved .sbproj project (Ctrl+Shift+O).", this::chooseProject);
        Button save = tool("Save project", "Save model, dataset, configuration and snapshots as .sbproj (Ctrl+S).",
                this::saveProject);
        Button undo = tool("Undo", "Undo the last configuration change (Ctrl+Z).", vm::undo);
        undo.setId("undoButton");
        undo.disableProperty().bind(vm.canUndoProperty().not());
        Button redo = tool("Redo", "Redo the change just undone (Ctrl+Shift+Z).", vm::redo);
        redo.setId("redoButton");
        redo.disableProperty().bind(vm.canRedoProperty().not());
        Button snap = tool("Snapshot", "Save the current configuration and its measured results under a name.",
                () -> vm.saveSnapshot("Snapshot " + (vm.snapshots().size() + 1)));
        snap.setId("snapshotButton");
        Button sweep = tool("Sweep", "Measure accuracy at 0–90 % sparsity for magnitude and random (Ctrl+R).",
                () -> vm.runSweep(List.of("magnitude", "random"),
                        List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)));
        Button sens = tool("Sensitivity", "Prune each layer alone at several levels and measure the accuracy it costs.",
                this::runSensitivity);
        Button export = tool("Export", "Write the pruned model, its report, the curves as CSV and the charts (Ctrl+E).",
                this::export);
        export.setId("toolbarExport");
        Button compare = tool("Compare", "Compare two or more snapshots: per-layer table and mask differences.",
                this::compareSnapshots);
        compare.setId("toolbarCompare");
        export.disableProperty().bind(vm.snapshotProperty().isNull().or(vm.executor().busyProperty()));
        compare.disableProperty().bind(javafx.beans.binding.Bindings.size(vm.snapshots()).lessThan(2)
                .or(vm.executor().busyProperty()));
        for (Button b : List.of(data, sweep, sens)) {
            b.disableProperty().bind(vm.modelProperty().isNull().or(vm.executor().busyProperty()));
        }
        save.disableProperty().bind(vm.modelProperty().isNull());
        snap.disableProperty().bind(vm.modelProperty().isNull());
        HBox bar = new HBox(open, data, openProject, save, new javafx.scene.control.Separator(Orientation.VERTICAL),
                undo, redo, snap, compare, new javafx.scene.control.Separator(Orientation.VERTICAL), sweep, sens,
                new javafx.scene.control.Separator(Orientation.VERTICAL), export);
        bar.setId("toolBar");
        bar.getStyleClass().add("sb-tool-bar");
        bar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return bar;
    }

    private Button tool(String text, String tip, Runnable action) {
        Button b = new Button(text);
        b.setTooltip(new Tooltip(tip));
        b.setFocusTraversable(false);
        b.setOnAction(e -> action.run());
        return b;
    }

    /** Opens the export dialog on the current result, with every chart of the window as PNG and SVG. */
    private void export() {
        ViewSnapshot s = vm.snapshotProperty().get();
        if (vm.modelProperty().get() == null || s == null) {
            return;
        }
        List<ChartExporter> charts = new ArrayList<>();
        charts.add(chart("Distribution chart", "distribution", distribution::chart));
        charts.add(chart("Overview chart", "overview", overview::chart));
        for (CurveKind kind : CurveKind.values()) {
            charts.add(chart(kind.title() + " chart", "curves-" + CurvesView.id(kind)
                    .substring("curves".length()).replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT),
                    () -> curves.chart(kind)));
        }
        if (!vm.sensitivity().isEmpty()) {
            charts.add(chart("Sensitivity curves chart", "sensitivity-curves", sensitivity::curvesChart));
            charts.add(chart("Sensitivity table chart", "sensitivity-table", sensitivity::tableChart));
        }
        ExportView.show(window(), new ExportRequestSource(
                vm.modelProperty().get(), s.result(), List.copyOf(vm.sweepPoints()), charts), vm.executor());
    }

    private static ChartExporter chart(String name, String file,
                                                                  java.util.function.Supplier<org.jfree.chart.JFreeChart> chart) {
        return new ChartExporter() {
            @Override
            public String name() {
                return name + " (PNG and SVG)";
            }

            @Override
            public List<Path> export(Path folder, String baseName) throws java.io.IOException {
                Path png = folder.resolve(baseName + "-" + file + ".png");
                Path svg = folder.resolve(baseName + "-" + file + ".svg");
                ChartExport.png(chart.get(), 1200, 800, png);
                ChartExport.svg(chart.get(), 1200, 800, svg);
                return List.of(png, svg);
            }
        };
    }

    /** Compares the snapshots the user picks (all by default); needs two or more. */
    private void compareSnapshots() {
        if (vm.modelProperty().get() == null || vm.snapshots().size() < 2) {
            info("Compare snapshots", "Save at least two snapshots first (Snapshot in the toolbar, Ctrl+Shift+S).");
            return;
        }
        javafx.scene.control.ListView<Project.Snapshot> list =
                new javafx.scene.control.ListView<>(javafx.collections.FXCollections.observableArrayList(vm.snapshots()));
        list.setId("compareChoice");
        list.getSelectionModel().setSelectionMode(javafx.scene.control.SelectionMode.MULTIPLE);
        list.getSelectionModel().selectAll();
        list.setCellFactory(v -> new javafx.scene.control.ListCell<>() {
            @Override
            protected void updateItem(Project.Snapshot item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : String.format(Locale.ROOT, "%s — %.1f%% sparse%s", item.name(),
                        100 * item.achieved(), item.accuracy() == null ? ""
                                : String.format(Locale.ROOT, ", accuracy %.2f%%", 100 * item.accuracy())));
            }
        });
        list.setPrefHeight(Math.min(300, 28 * vm.snapshots().size() + 8));
        javafx.scene.control.Dialog<ButtonType> d = new javafx.scene.control.Dialog<>();
        d.setTitle("Compare snapshots");
        d.setHeaderText("Pick two or more snapshots (Ctrl+click).");
        d.getDialogPane().setContent(list);
        d.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        d.getDialogPane().setId("compareDialog");
        d.initOwner(window());
        d.showAndWait().filter(b -> b == ButtonType.OK).ifPresent(b -> {
            var picked = List.copyOf(list.getSelectionModel().getSelectedItems());
            if (picked.size() < 2) {
                info("Compare snapshots", "Pick at least two snapshots.");
                return;
            }
            SnapshotCompareView.show(window(), vm.modelProperty().get(), picked,
                    vm.executor(), Project.Snapshot::latencyMs);
        });
    }

    private void runSensitivity() {
        vm.runSensitivity(WorkbenchViewModel.SENSITIVITY_LEVELS, org.sparsitybench.eval.Sensitivity.DEFAULT_SAMPLES);
    }

    private void openAny(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".sbproj")) {
            vm.openProject(f);
        } else if (n.endsWith(".onnx") || n.endsWith(".safetensors")) {
            vm.open(f);
        } else if (vm.modelProperty().get() != null) {
            vm.openDataset(f);
        } else {
            vm.open(f);
        }
    }

    private void chooseDataset() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open dataset");
        chooser.getExtensionFilters().addAll(
                new FileChooser.ExtensionFilter("Datasets", "*-idx3-ubyte", "*-idx3-ubyte.gz", "*.npz", "*.csv", "*.csv.gz"),
                new FileChooser.ExtensionFilter("All files", "*.*"));
        File f = chooser.showOpenDialog(window());
        if (f != null) {
            vm.openDataset(f.toPath());
        }
    }

    private MenuItem item(String text, String accelerator, Runnable action) {
        MenuItem i = new MenuItem(text);
        if (accelerator != null) {
            i.setAccelerator(KeyCombination.keyCombination(accelerator));
        }
        i.setOnAction(e -> action.run());
        return i;
    }

    private HBox globalBar() {
        target.setId("globalSlider");
        target.setPrefWidth(260);
        target.setMajorTickUnit(0.25);
        target.setShowTickMarks(true);
        target.setBlockIncrement(0.05);
        target.setTooltip(new Tooltip("Target sparsity of all selected layers: the share of weights set to zero."));
        targetField.setId("globalField");
        targetField.setPrefColumnCount(5);
        targetField.setTooltip(new Tooltip("Exact target sparsity, 0 to 1 (or a percentage such as 85%)."));
        target.valueProperty().addListener((o, a, b) -> {
            targetField.setText(String.format(Locale.ROOT, "%.3f", b.doubleValue()));
            if (target.isValueChanging()) {
                vm.setGlobalTarget(b.doubleValue(), true);
            }
        });
        target.valueChangingProperty().addListener((o, was, now) -> {
            if (!now) {
                vm.setGlobalTarget(target.getValue(), false);
            }
        });
        target.setOnMouseReleased(e -> vm.setGlobalTarget(target.getValue(), false));
        target.setOnKeyReleased(e -> vm.setGlobalTarget(target.getValue(), false));
        targetField.setOnAction(e -> {
            try {
                String t = targetField.getText().trim();
                double v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
                if (!(v >= 0 && v <= 1)) {
                    throw new NumberFormatException();
                }
                target.setValue(v);
                vm.setGlobalTarget(v, false);
            } catch (NumberFormatException ex) {
                targetField.setText(String.format(Locale.ROOT, "%.3f", target.getValue()));
            }
        });
        vm.configProperty().addListener((o, a, b) -> {
            if (!target.isValueChanging() && Math.abs(target.getValue() - b.global().target()) > 1e-12) {
                target.setValue(b.global().target());
            }
        });
        ComboBox<String> method = new ComboBox<>();
        method.setId("methodChooser");
        method.getItems().addAll(PruningMethods.ids());
        method.setValue(vm.configProperty().get().global().method());
        method.setTooltip(new Tooltip("How weights are scored within a layer."));
        method.setOnAction(e -> vm.setMethod(method.getValue()));
        ComboBox<Allocation> allocation = new ComboBox<>();
        allocation.setId("allocationChooser");
        allocation.getItems().addAll(Allocation.UNIFORM, Allocation.GLOBAL, Allocation.LAYER_NORMALIZED, Allocation.ERK,
                Allocation.SENSITIVITY);
        allocation.setValue(vm.configProperty().get().global().allocation());
        allocation.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Allocation a) {
                return a == null ? "" : a.label();
            }

            @Override
            public Allocation fromString(String s) {
                return s == null || s.isBlank() ? null : Allocation.parse(s);
            }
        });
        allocation.setTooltip(new Tooltip("How the global target is shared among layers."));
        allocation.setOnAction(e -> {
            if (allocation.getValue() != null && allocation.getValue() != vm.configProperty().get().global().allocation()) {
                vm.setAllocation(allocation.getValue());
                javafx.application.Platform.runLater(() -> allocation.setValue(vm.configProperty().get().global().allocation()));
            }
        });
        vm.configProperty().addListener((o, a, b) -> {
            method.setValue(b.global().method());
            allocation.setValue(b.global().allocation());
        });
        ComboBox<String> nm = new ComboBox<>();
        nm.setId("nmChooser");
        nm.getItems().addAll("2:4", "4:8", "1:4", "2:8");
        nm.setEditable(true);
        nm.setPrefWidth(80);
        nm.setValue("2:4");
        nm.setTooltip(new Tooltip("N:M pattern for the nm method: keep N of every M weights along the input."));
        nm.setOnAction(e -> vm.setNmPattern(nm.getValue()));
        nm.disableProperty().bind(method.valueProperty().isNotEqualTo("nm"));
        TextField seed = new TextField(Long.toString(vm.configProperty().get().global().seed()));
        seed.setId("seedField");
        seed.setPrefColumnCount(5);
        seed.setTooltip(new Tooltip("Seed of the random method: the same seed gives the same mask every time."));
        seed.setOnAction(e -> {
            try {
                vm.setSeed(Long.parseLong(seed.getText().trim()));
            } catch (NumberFormatException ex) {
                seed.setText(Long.toString(vm.configProperty().get().global().seed()));
            }
        });
        seed.focusedProperty().addListener((o, was, now) -> {
            if (!now) {
                seed.getOnAction().handle(null);
            }
        });
        vm.configProperty().addListener((o, a, b) -> {
            if (!seed.isFocused()) {
                seed.setText(Long.toString(b.global().seed()));
            }
        });
        Label t = new Label("Target sparsity");
        HBox bar = new HBox(t, target, targetField, new Label("Method"), method, new Label("N:M"), nm,
                new Label("Allocation"), allocation, new Label("Seed"), seed);
        bar.getStyleClass().add(Styles.GLOBAL_BAR);
        return bar;
    }

    private Label totals() {
        Label totals = new Label();
        totals.setId("totalsLabel");
        totals.getStyleClass().add(Styles.TOTALS);
        totals.textProperty().bind(vm.totalsProperty());
        totals.setMaxWidth(Double.MAX_VALUE);
        return totals;
    }

    private LayerTableView layerTable() {
        LayerTableView view = new LayerTableView(vm.rows(), vm::setLayerSparsity, vm::setLocked, vm::setExcluded);
        view.setPadding(new Insets(6));
        view.table().getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                vm.selectedProperty().set(b);
            }
        });
        vm.selectedProperty().addListener((o, a, b) -> {
            if (b != null && view.table().getSelectionModel().getSelectedItem() != b) {
                view.table().getSelectionModel().select(b);
            }
        });
        return view;
    }

    private TabPane views() {
        logCounts.setId("logCounts");
        logCounts.setTooltip(new Tooltip("Count weights on a logarithmic axis, to see the tails."));
        distribution.logCountsProperty().bind(logCounts.selectedProperty());
        BorderPane dist = new BorderPane(distribution);
        CheckBox signed = new CheckBox("signed w");
        signed.setId("signedWeights");
        signed.setTooltip(new Tooltip("Show signed weights instead of their magnitudes (the threshold then sits at ±t)."));
        signed.selectedProperty().bindBidirectional(vm.signedWeightsProperty());
        HBox options = new HBox(12, logCounts, signed);
        options.setPadding(new Insets(4, 8, 4, 8));
        dist.setTop(options);
        vm.snapshotProperty().addListener((o, a, s) -> {
            if (s == null) {
                return;
            }
            distribution.histogramProperty().set(s.histogram());
            distribution.thresholdProperty().set(s.threshold());
            distribution.titleProperty().set(s.layer() == null ? "" : s.layer());
            heatmap.gridProperty().set(s.heatmap());
        });
        Tab d = new Tab("Distribution", dist);
        d.setId("tabDistribution");
        ComboBox<WorkbenchViewModel.HeatmapMode> mode = new ComboBox<>();
        mode.setId("heatmapMode");
        mode.getItems().addAll(WorkbenchViewModel.HeatmapMode.values());
        mode.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(WorkbenchViewModel.HeatmapMode m) {
                return m == null ? "" : switch (m) {
                    case WEIGHTS -> "weights [out × in·kh·kw]";
                    case KERNELS -> "one cell per kernel (Conv)";
                    case CHANNELS -> "one cell per output channel";
                };
            }

            @Override
            public WorkbenchViewModel.HeatmapMode fromString(String s) {
                return null;
            }
        });
        mode.valueProperty().bindBidirectional(vm.heatmapModeProperty());
        mode.setTooltip(new Tooltip("What one heatmap cell covers: weights, whole kernels, or whole output channels "
                + "as structured pruning removes them."));
        HBox heatOptions = new HBox(8, new Label("Cells"), mode);
        heatOptions.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        heatOptions.setPadding(new Insets(4, 8, 4, 8));
        BorderPane heat = new BorderPane(heatmap);
        heat.setTop(heatOptions);
        Tab h = new Tab("Heatmap", heat);
        h.setId("tabHeatmap");
        Tab c = new Tab("Curves", curves);
        c.setId("tabCurves");
        Runnable current = () -> {
            ViewSnapshot s = vm.snapshotProperty().get();
            var e = vm.evaluationProperty().get();
            var l = vm.latencyProperty().get();
            curves.viewModel().setCurrent(s == null || e == null ? null : new CurvePoint(
                    s.result().achievedSparsity(), e.accuracy(), e.loss(), l == null ? Double.NaN : l.medianMs()));
        };
        vm.evaluationProperty().addListener(o -> current.run());
        vm.latencyProperty().addListener(o -> current.run());
        vm.snapshotProperty().addListener((o, a, s) -> {
            if (s != null) {
                overview.viewModel().setRows(OverviewViewModel.fromResult(s.result()));
            }
        });
        Tab all = new Tab("All layers", smallMultiples);
        all.setId("tabAllLayers");
        vm.allLayersProperty().bind(all.selectedProperty());
        smallMultiples.tilesProperty().bind(vm.tilesProperty());
        Tab ov = new Tab("Overview", overview);
        ov.setId("tabOverview");
        vm.sensitivity().addListener((javafx.collections.ListChangeListener<Sensitivity.LayerCurve>)
                ch -> sensitivity.viewModel().setCurves(List.copyOf(vm.sensitivity())));
        Tab se = new Tab("Sensitivity", sensitivity);
        se.setId("tabSensitivity");
        TabPane tabs = new TabPane(d, all, h, ov, c, se);
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.setId("viewTabs");
        return tabs;
    }

    private HBox statusBar() {
        Label message = new Label();
        message.setId("statusMessage");
        message.textProperty().bind(vm.executor().messageProperty());
        ProgressBar progress = new ProgressBar();
        progress.setPrefWidth(160);
        progress.progressProperty().bind(vm.executor().progressProperty());
        progress.visibleProperty().bind(vm.executor().busyProperty());
        Button cancel = new Button("Cancel");
        cancel.setId("cancelButton");
        cancel.setTooltip(new Tooltip("Stop the running operation; what was there before stays."));
        cancel.visibleProperty().bind(vm.executor().busyProperty());
        cancel.setOnAction(e -> vm.executor().cancelForeground());
        Label file = new Label();
        file.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> vm.modelProperty().get() == null
                ? "No model open" : vm.modelProperty().get().file().toString(), vm.modelProperty()));
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox bar = new HBox(file, grow, message, progress, cancel);
        bar.getStyleClass().add(Styles.STATUS_BAR);
        return bar;
    }

    private void chooseModel() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open model");
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("Models", "*.onnx", "*.safetensors"),
                new FileChooser.ExtensionFilter("All files", "*.*"));
        File f = chooser.showOpenDialog(window());
        if (f != null) {
            vm.open(f.toPath());
        }
    }

    private void chooseProject() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open project");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("SparsityBench projects", "*.sbproj"));
        File f = chooser.showOpenDialog(window());
        if (f != null) {
            vm.openProject(f.toPath());
        }
    }

    private void saveProject() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Save project");
        chooser.setInitialFileName("pruning.sbproj");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("SparsityBench projects", "*.sbproj"));
        File f = chooser.showSaveDialog(window());
        if (f != null) {
            vm.saveProject(f.toPath());
        }
    }

    /** Opens a file as if dropped or chosen (for the launcher and tests). */
    public void open(Path file) {
        vm.open(file);
    }

    public void toggleTheme() {
        dark = !dark;
        if (dark) {
            getStyleClass().add(Styles.DARK);
        } else {
            getStyleClass().remove(Styles.DARK);
        }
        distribution.darkProperty().set(dark);
        curves.darkProperty().set(dark);
        smallMultiples.darkProperty().set(dark);
        overview.darkProperty().set(dark);
        sensitivity.darkProperty().set(dark);
    }

    private Window window() {
        return getScene() == null ? null : getScene().getWindow();
    }

    private void showError(String message) {
        Alert a = new Alert(Alert.AlertType.ERROR, message, ButtonType.OK);
        a.setHeaderText("Could not complete the operation");
        a.initOwner(window());
        a.getDialogPane().setId("errorDialog");
        a.show();
    }

    private void info(String title, String text) {
        Alert a = new Alert(Alert.AlertType.INFORMATION, text, ButtonType.OK);
        a.setHeaderText(title);
        a.initOwner(window());
        a.show();
    }
}
