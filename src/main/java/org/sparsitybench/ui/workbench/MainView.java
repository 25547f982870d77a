package org.sparsitybench.ui.workbench;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tooltip;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import org.sparsitybench.project.Project;
import org.sparsitybench.ui.common.DialogService;
import org.sparsitybench.ui.common.Styles;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.ui.curves.SweepViewModel;
import org.sparsitybench.ui.export.ExportRequestSource;
import org.sparsitybench.ui.export.ExportView;
import org.sparsitybench.ui.layers.LayerTableView;
import org.sparsitybench.ui.quantize.PrecisionControls;
import org.sparsitybench.ui.reconstruct.ReconstructControls;
import org.sparsitybench.ui.quantize.QuantizedExport;
import org.sparsitybench.ui.snapshots.SnapshotCompareView;
import org.sparsitybench.ui.snapshots.SnapshotPicker;

/**
 * The workbench window's content: menus and tool bar, the global bar, the totals and accuracy lines, the layer
 * table on the left, the views on the right, and a status bar with progress and cancel. Binds to
 * {@link WorkbenchViewModel}; holds no state of its own beyond layout and the theme.
 */
public final class MainView extends BorderPane implements WorkbenchMenus.Actions {
    private static final FileChooser.ExtensionFilter PROJECTS =
            new FileChooser.ExtensionFilter("SparsityBench projects", "*" + Project.EXTENSION);
    private static final FileChooser.ExtensionFilter ALL = new FileChooser.ExtensionFilter("All files", "*.*");

    private final WorkbenchViewModel vm;
    private final DialogService dialogs = new DialogService(() -> getScene() == null ? null : getScene().getWindow());
    private final WorkbenchTabs tabs;
    /** The header for an error raised while the user's current action runs on the FX thread; null between. */
    private String acting;

    public MainView(WorkbenchViewModel vm) {
        this.vm = vm;
        this.tabs = new WorkbenchTabs(vm);
        getStyleClass().add(Styles.ROOT);
        getStylesheets().add(MainView.class.getResource("workbench.css").toExternalForm());
        setTop(new VBox(WorkbenchMenus.menuBar(vm, this), WorkbenchMenus.toolBar(vm, this),
                new GlobalBar(vm.bar(), vm.configProperty()), PrecisionControls.chooser(vm.precision()),
                ReconstructControls.bar(vm.reconstruct(), Bindings.createStringBinding(() -> vm.frameProperty().get() == null
                        || vm.frameProperty().get().recovered() == null ? "" : "Weights on screen: "
                        + vm.frameProperty().get().recovered().described(), vm.frameProperty())),
                line("totalsLabel", vm.totalsProperty()), messagesLine(), statusLine(),
                line("accuracyLabel", vm.evaluation().textProperty()),
                line("quantizedLabel", vm.quantized().textProperty())));
        LayerTableView layers = new LayerTableView(vm.layers());
        layers.table().getColumns().add(PrecisionControls.column(vm.precision()));
        layers.setPadding(new Insets(6));
        SplitPane split = new SplitPane(layers, tabs);
        split.setOrientation(Orientation.HORIZONTAL);
        split.setDividerPositions(0.58);
        setCenter(split);
        setBottom(statusBar());
        vm.errorProperty().addListener((o, a, b) -> {
            if (b != null && !b.isEmpty()) {
                // What failed: the failing task's title, else the action the user just took.
                String header = DialogService.errorHeader(vm.executor().failingTitle());
                dialogs.error(header != null ? header : acting != null ? acting : DialogService.GENERIC_HEADER, b);
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
                open(files.get(0).toPath());
            }
            e.setDropCompleted(true);
            e.consume();
        });
    }

    /** The engine's messages, in the warning colour, where the user looks after a change; hidden when none. */
    private Label messagesLine() {
        Label label = line("engineMessages", vm.messagesProperty());
        label.setStyle("-fx-text-fill: #b71c1c;");
        label.setWrapText(true);
        label.visibleProperty().bind(vm.messagesProperty().isNotEmpty());
        label.managedProperty().bind(label.visibleProperty());
        return label;
    }

    /** What was last saved; hidden while empty so it takes no room. */
    private Label statusLine() {
        Label label = line("statusLabel", vm.project().statusProperty());
        label.visibleProperty().bind(vm.project().statusProperty().isNotEmpty());
        label.managedProperty().bind(label.visibleProperty());
        return label;
    }

    private static Label line(String id, javafx.beans.value.ObservableValue<String> text) {
        Label label = new Label();
        label.setId(id);
        label.getStyleClass().add(Styles.TOTALS);
        label.textProperty().bind(text);
        label.setMaxWidth(Double.MAX_VALUE);
        return label;
    }

    private HBox statusBar() {
        var executor = vm.executor();
        Label message = new Label();
        message.setId("statusMessage");
        message.textProperty().bind(executor.messageProperty());
        ProgressBar progress = new ProgressBar();
        progress.setPrefWidth(160);
        progress.progressProperty().bind(executor.progressProperty());
        progress.visibleProperty().bind(executor.busyProperty());
        Button cancel = new Button("Cancel");
        cancel.setId("cancelButton");
        cancel.setTooltip(new Tooltip("Stop the running operation; what was there before stays."));
        cancel.visibleProperty().bind(executor.busyProperty());
        cancel.setOnAction(e -> executor.cancelForeground());
        Label file = new Label();
        file.textProperty().bind(Bindings.createStringBinding(() -> vm.modelProperty().get() == null
                ? "No model open" : vm.modelProperty().get().file().toString(), vm.modelProperty()));
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox bar = new HBox(file, grow, message, progress, cancel);
        bar.getStyleClass().add(Styles.STATUS_BAR);
        return bar;
    }

    /** Runs {@code action}; an error it raises directly is shown under {@code header}. */
    private void acting(String header, Runnable action) {
        acting = header;
        try {
            action.run();
        } finally {
            acting = null;
        }
    }

    /** Opens a file as if dropped or chosen: a project, a model, or (with a model open) a data set. */
    @Override
    public void open(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean replaces = n.endsWith(Project.EXTENSION) || n.endsWith(".onnx") || n.endsWith(".safetensors");
        if (replaces && !mayDiscardWork("opening " + f.getFileName())) {
            return;
        }
        acting("Could not open " + f.getFileName(), () -> openNow(f));
    }

    /**
     * Whether the session's unsaved work may go before {@code doing} ("opening model.onnx", "quitting"): without
     * any, yes; else the user chooses Save (a project file; cancelling the file chooser cancels), Discard or
     * Cancel.
     */
    public boolean mayDiscardWork(String doing) {
        if (!vm.project().hasUnsavedWork()) {
            return true;
        }
        int n = vm.project().snapshots().size();
        var model = vm.modelProperty().get();
        DialogService.Choice c = dialogs.saveDiscardCancel("unsavedDialog", "Unsaved snapshots", String.format(
                Locale.ROOT, "%d snapshot%s of %s %s not saved in a project. Save %s before %s?", n, n == 1 ? "" : "s",
                model == null ? "this session" : model.file().getFileName(), n == 1 ? "is" : "are",
                n == 1 ? "it" : "them", doing));
        if (c == DialogService.Choice.SAVE) {
            var file = dialogs.saveFile("Save project", "pruning" + Project.EXTENSION, PROJECTS);
            file.ifPresent(f -> acting("Could not save " + f.getFileName(), () -> vm.project().saveProject(f)));
            return file.isPresent() && !vm.project().hasUnsavedWork();
        }
        return c == DialogService.Choice.DISCARD;
    }

    private void openNow(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(Project.EXTENSION)) {
            vm.project().openProject(f);
        } else if (n.endsWith(".onnx") || n.endsWith(".safetensors") || vm.modelProperty().get() == null) {
            vm.open(f);
        } else {
            vm.openDataset(f);
        }
    }

    @Override
    public void chooseModel() {
        dialogs.openFile("Open model", new FileChooser.ExtensionFilter("Models", "*.onnx", "*.safetensors"), ALL)
                .ifPresent(vm::open);
    }

    @Override
    public void chooseDataset() {
        dialogs.openFile("Open dataset", new FileChooser.ExtensionFilter("Datasets", "*-idx3-ubyte", "*-idx3-ubyte.gz",
                "*.npz", "*.csv", "*.csv.gz"), ALL).ifPresent(f -> acting("Could not open " + f.getFileName(),
                () -> vm.openDataset(f)));
    }

    @Override
    public void chooseProject() {
        dialogs.openFile("Open project", PROJECTS).ifPresent(this::open);
    }

    @Override
    public void saveProject() {
        dialogs.saveFile("Save project", "pruning" + Project.EXTENSION, PROJECTS).ifPresent(f -> acting(
                "Could not save " + f.getFileName(), () -> vm.project().saveProject(f)));
    }

    @Override
    public void saveSnapshot() {
        // A name prompt with the default offered; the status line confirms what was saved.
        javafx.scene.control.TextField name = new javafx.scene.control.TextField(vm.project().nextSnapshotName());
        name.setId("snapshotName");
        name.selectAll();
        dialogs.custom("snapshotDialog", "Snapshot", "Name this snapshot of the current configuration", name,
                        () -> name.getText().isBlank() ? vm.project().nextSnapshotName() : name.getText().trim())
                .ifPresent(n -> vm.project().saveSnapshot(n));
    }

    /** Opens the export dialog on the current result, with every chart of the window as PNG and SVG. */
    @Override
    public void export() {
        WorkbenchFrame f = vm.frameProperty().get();
        if (vm.modelProperty().get() != null && f != null) {
            var model = vm.modelProperty().get();
            List<SweepPoint> points = List.copyOf(vm.sweep().points());
            ExportView.show(dialogs.owner(), new ExportRequestSource(model, f.result(), points, tabs.charts(),
                    (pruned, progress, cancel) -> QuantizedExport.write(pruned, model, vm.precision(), progress, cancel),
                    vm.sweep().runLabels(points), vm.evaluation().reportFor(f.result(), shownValues(f)).orElse(null),
                    shownWeights(f), f.pruneMillis()), vm.executor());
        }
    }

    /** The values the accuracy line measured instead of the masked weights (recovered or reconstructed), or null. */
    private static java.util.Map<String, org.sparsitybench.model.TensorData> shownValues(WorkbenchFrame f) {
        return f.recovered() != null ? f.values() : f.reconstructed() != null ? f.reconstructed().values() : null;
    }

    /** The weights on screen when they are not the engine's masked ones: what the export writes. */
    private static ExportRequestSource.Weights shownWeights(WorkbenchFrame f) {
        return f.recovered() != null ? new ExportRequestSource.Weights(null, f.values(), f.recovered().described())
                : f.reconstructed() != null ? new ExportRequestSource.Weights(f.reconstructed(), null, f.weights())
                : null;
    }

    /** Compares the snapshots the user picks (all by default); needs two or more. */
    @Override
    public void compareSnapshots() {
        List<Project.Snapshot> snapshots = vm.project().snapshots();
        if (vm.modelProperty().get() == null || snapshots.size() < 2) {
            info("Compare snapshots", "Save at least two snapshots first (Snapshot in the toolbar, Ctrl+Shift+S).");
            return;
        }
        SnapshotPicker.pick(dialogs, List.copyOf(snapshots)).ifPresent(picked -> {
            if (picked.size() < 2) {
                info("Compare snapshots", "Pick at least two snapshots.");
            } else {
                SnapshotCompareView.show(dialogs.owner(), vm.modelProperty().get(), picked, vm.executor());
            }
        });
    }

    @Override
    public void recover() {
        tabs.showRecover();
    }

    @Override
    public void runSweep() {
        acting("Sweep failed", () -> vm.runSweep(List.copyOf(vm.sweep().methods()), SweepViewModel.LEVELS));
    }

    @Override
    public void runSensitivity() {
        acting("Sensitivity analysis failed", () -> vm.runSensitivity(WorkbenchViewModel.SENSITIVITY_LEVELS,
                WorkbenchViewModel.SENSITIVITY_SAMPLES));
    }

    @Override
    public void toggleTheme() {
        boolean dark = !tabs.darkProperty().get();
        if (dark) {
            getStyleClass().add(Styles.DARK);
        } else {
            getStyleClass().remove(Styles.DARK);
        }
        tabs.darkProperty().set(dark);
    }

    @Override
    public void speedHelp() {
        var speed = tabs.speedHelp();
        dialogs.custom("speedHelpDialog", "Speed and size on this CPU", "What is faster here, and what is only smaller",
                org.sparsitybench.ui.quantize.SpeedHelpView.content(speed, () -> speed.measure(vm.validationUnderTest()),
                        vm.cannotMeasureProperty().isEmpty().and(vm.executor().busyProperty().not())), () -> true);
    }

    @Override
    public void quit() {
        if (mayDiscardWork("quitting")) {
            getScene().getWindow().hide();
        }
    }

    @Override
    public void info(String title, String text) {
        dialogs.info(title, text);
    }

    /**
     * The window title: "SparsityBench — MODEL", with " · PROJECT" while the open model is the one the last saved
     * or opened project names (a model opened afterwards drops it).
     */
    public javafx.beans.binding.StringBinding titleBinding() {
        return Bindings.createStringBinding(() -> {
            var m = vm.modelProperty().get();
            if (m == null) {
                return "SparsityBench";
            }
            var p = vm.project().projectFileProperty().get();
            boolean inProject = p != null && p.model().toAbsolutePath().normalize()
                    .equals(m.file().toAbsolutePath().normalize());
            return "SparsityBench — " + m.file().getFileName() + (inProject ? " · " + p.file().getFileName() : "");
        }, vm.modelProperty(), vm.project().projectFileProperty());
    }

    /** The window's dialogs (for the application's recovery question). */
    public DialogService dialogs() {
        return dialogs;
    }
}
