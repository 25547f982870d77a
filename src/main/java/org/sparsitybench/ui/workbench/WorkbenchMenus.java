package org.sparsitybench.ui.workbench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Separator;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.HBox;
import org.sparsitybench.session.UserFiles;
import org.sparsitybench.ui.common.Styles;

/** The window's menu bar and tool bar: each entry calls one of the window's {@link Actions}. */
final class WorkbenchMenus {
    /** What the menus and buttons do; the window implements them. */
    interface Actions {
        void chooseModel();

        void chooseDataset();

        void chooseProject();

        void saveProject();

        void saveSnapshot();

        void export();

        void compareSnapshots();

        void runSweep();

        void runSensitivity();

        /** Opens the Recover pane (fine-tuning the current pruned configuration). */
        void recover();

        void toggleTheme();

        void quit();

        void open(Path file);

        void info(String title, String text);

        /** Help ▸ Speed and size on this CPU: the guide and the INT8-vs-float figures measured here. */
        void speedHelp();
    }

    /** The bundled samples the Samples menu lists. */
    static final List<String> SAMPLES = List.of("fashion-lenet5", "fashion-lenet-300-100", "fashion-resnet-mini",
            "digits-mlp");

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
                    + " (Sun et al. 2023); calibrates on the validation split (held out of the card's training data), never the test data.",
            "",
            "Allocation shares the global target among layers: uniform (every layer the same), global threshold,"
                    + " layer-normalized (each layer's scores divided by its RMS first), ERK (denser where a layer"
                    + " has few weights per fan), or sensitivity-guided (after Run ▸ Sensitivity: steps go to the"
                    + " layers that lose least).",
            "",
            "Unstructured zeros shrink a sparse-stored or compressed file but do not speed up a dense runtime:"
                    + " the latency shown is what ONNX Runtime measures on the exported file.");

    /** Keys that are no menu's accelerator, listed after the menus' own in Help ▸ Shortcuts. */
    static final String OTHER_KEYS = String.join("\n",
            "Enter — apply the target typed in the global field",
            "Heatmap (click it first): + / − zoom, arrow keys pan, 0 resets; mouse wheel zooms, drag pans",
            "Layer table: arrow keys move between rows; a focused slider moves with the arrow keys",
            "Compare picker: Ctrl+click leaves a snapshot out, Enter compares");

    /**
     * Help ▸ Shortcuts, read from the menu bar itself so no accelerator goes unlisted: "KEYS — Menu ▸ Item" per
     * line, then {@link #OTHER_KEYS}.
     */
    static String shortcutsHelp(MenuBar bar) {
        StringBuilder b = new StringBuilder();
        for (Menu m : bar.getMenus()) {
            listAccelerators(m, m.getText(), b);
        }
        return b.append('\n').append(OTHER_KEYS).toString();
    }

    private static void listAccelerators(Menu menu, String path, StringBuilder b) {
        for (MenuItem i : menu.getItems()) {
            if (i instanceof Menu sub) {
                listAccelerators(sub, path + " ▸ " + sub.getText(), b);
            } else if (i.getAccelerator() != null) {
                b.append(i.getAccelerator().getDisplayText()).append(" — ").append(path).append(" ▸ ")
                        .append(i.getText()).append('\n');
            }
        }
    }

    private WorkbenchMenus() {
    }

    static MenuBar menuBar(WorkbenchViewModel vm, Actions a) {
        MenuItem open = item("Open model…", "Shortcut+O", a::chooseModel);
        open.setId("menuOpen");
        MenuItem openProject = item("Open project…", "Shortcut+Shift+O", a::chooseProject);
        MenuItem saveProject = item("Save project…", "Shortcut+S", a::saveProject);
        saveProject.setId("menuSaveProject");
        MenuItem snapshot = item("Save snapshot", "Shortcut+Shift+S", a::saveSnapshot);
        MenuItem quit = item("Quit", "Shortcut+Q", a::quit);
        MenuItem openData = item("Open dataset…", "Shortcut+D", a::chooseDataset);
        openData.setId("menuOpenDataset");
        Menu recent = new Menu("Open recent");
        recent.setId("menuRecent");
        Runnable fillRecent = () -> {
            recent.getItems().clear();
            for (Path p : vm.project().recentFiles()) {
                recent.getItems().add(item(p.toString(), null, () -> a.open(p)));
            }
            recent.setDisable(recent.getItems().isEmpty());
        };
        vm.project().recentFiles().addListener((ListChangeListener<Path>) c -> fillRecent.run());
        fillRecent.run();
        MenuItem export = item("Export…", "Shortcut+E", a::export);
        export.setId("menuExport");
        MenuItem compare = item("Compare snapshots…", "Shortcut+Shift+C", a::compareSnapshots);
        compare.setId("menuCompare");
        Menu restore = new Menu("Restore snapshot");
        restore.setId("menuRestoreSnapshot");
        Runnable fillRestore = () -> {
            restore.getItems().setAll(vm.project().snapshots().stream()
                    .map(s -> item(s.name(), null, () -> vm.project().restoreSnapshot(s))).toList());
            restore.setDisable(restore.getItems().isEmpty());
        };
        vm.project().snapshots().addListener((ListChangeListener<org.sparsitybench.project.Project.Snapshot>) c
                -> fillRestore.run());
        fillRestore.run();
        Menu file = new Menu("File", null, open, openData, recent, openProject, saveProject, new SeparatorMenuItem(),
                export, new SeparatorMenuItem(), snapshot, restore, compare, new SeparatorMenuItem(), quit);
        MenuItem undo = item("Undo", "Shortcut+Z", vm::undo);
        undo.disableProperty().bind(vm.canUndoProperty().not());
        MenuItem redo = item("Redo", "Shortcut+Shift+Z", vm::redo);
        redo.disableProperty().bind(vm.canRedoProperty().not());
        Menu edit = new Menu("Edit", null, undo, redo);
        MenuItem sweep = item("Run sweep (the methods picked in the Curves tab)", "Shortcut+R", a::runSweep);
        sweep.setId("menuSweep");
        MenuItem sens = item("Run sensitivity analysis", "Shortcut+Shift+R", a::runSensitivity);
        sens.setId("menuSensitivity");
        sweep.disableProperty().bind(vm.cannotMeasureProperty().isNotEmpty());
        sens.disableProperty().bind(vm.cannotMeasureProperty().isNotEmpty());
        javafx.scene.control.CheckMenuItem keep = new javafx.scene.control.CheckMenuItem(
                "Keep previous sweeps (a new sweep sits beside them)");
        keep.setId("menuKeepSweeps");
        keep.selectedProperty().bindBidirectional(vm.sweep().keepPreviousProperty());
        MenuItem recover = item("Recover (fine-tune, masks fixed)…", null, a::recover);
        recover.setId("menuRecover");
        recover.disableProperty().bind(vm.cannotMeasureProperty().isNotEmpty());
        Menu run = new Menu("Run", null, sweep, sens, recover, new SeparatorMenuItem(), keep);
        MenuItem theme = item("Toggle light/dark theme", "Shortcut+T", a::toggleTheme);
        theme.setId("menuTheme");
        Menu view = new Menu("View", null, theme);
        MenuBar[] built = new MenuBar[1];
        MenuItem shortcuts = item("Shortcuts", "F1", () -> a.info("Shortcuts", shortcutsHelp(built[0])));
        shortcuts.setId("menuShortcuts");
        MenuItem methods = item("Pruning methods", null, () -> a.info("Pruning methods", METHODS_HELP));
        MenuItem speed = item("Speed and size on this CPU…", null, a::speedHelp);
        speed.setId("menuSpeedHelp");
        Menu help = new Menu("Help", null, shortcuts, methods, speed);
        Menu samples = new Menu("Samples");
        samples.setId("menuSamples");
        for (String name : SAMPLES) {
            Path model = UserFiles.samples().resolve(name).resolve("model.onnx");
            MenuItem i = item(name, null, () -> a.open(model)); // asks before unsaved snapshots go
            i.setDisable(!Files.exists(model));
            samples.getItems().add(i);
        }
        MenuBar bar = new MenuBar(file, edit, run, samples, view, help);
        bar.setId("menuBar");
        built[0] = bar;
        return bar;
    }

    static HBox toolBar(WorkbenchViewModel vm, Actions a) {
        Button open = tool("Open", "Open an ONNX or SafeTensors model (Ctrl+O).", a::chooseModel);
        Button data = tool("Dataset", "Open a dataset to measure accuracy on (IDX, NPZ, image folder, CSV).",
                a::chooseDataset);
        Button openProject = tool("Open project", "Open a saved .sbproj project (Ctrl+Shift+O).", a::chooseProject);
        Button save = tool("Save project", "Save model, dataset, configuration and snapshots as .sbproj (Ctrl+S).",
                a::saveProject);
        Button undo = tool("Undo", "Undo the last configuration change (Ctrl+Z).", vm::undo);
        undo.setId("undoButton");
        undo.disableProperty().bind(vm.canUndoProperty().not());
        Button redo = tool("Redo", "Redo the change just undone (Ctrl+Shift+Z).", vm::redo);
        redo.setId("redoButton");
        redo.disableProperty().bind(vm.canRedoProperty().not());
        Button snap = tool("Snapshot", "Save the current configuration and its measured results under a name.",
                a::saveSnapshot);
        snap.setId("snapshotButton");
        Button sweep = tool("Sweep", "Measure accuracy at 0–90 % sparsity for the methods picked in the Curves tab (Ctrl+R).",
                a::runSweep);
        Button sens = tool("Sensitivity", "Prune each layer alone at several levels and measure the validation accuracy it costs.",
                a::runSensitivity);
        Button export = tool("Export", "Write the pruned model, its report, the curves as CSV and the charts (Ctrl+E).",
                a::export);
        export.setId("toolbarExport");
        Button recover = tool("Recover", "Fine-tune the current pruned configuration with its masks fixed.",
                a::recover);
        recover.setId("toolbarRecover");
        Button compare = tool("Compare", "Compare two or more snapshots: per-layer table and mask differences.",
                a::compareSnapshots);
        compare.setId("toolbarCompare");
        var busy = vm.executor().busyProperty();
        export.disableProperty().bind(vm.frameProperty().isNull().or(busy));
        compare.disableProperty().bind(Bindings.size(vm.project().snapshots()).lessThan(2).or(busy));
        data.disableProperty().bind(vm.modelProperty().isNull().or(busy));
        recover.disableProperty().bind(vm.modelProperty().isNull().or(busy));
        for (Button b : List.of(sweep, sens)) {
            // Offered only when it can run; the tooltip says why not (shown through the wrapper below).
            String tip = b.getTooltip().getText();
            b.disableProperty().bind(vm.cannotMeasureProperty().isNotEmpty().or(busy));
            b.getTooltip().textProperty().bind(Bindings.createStringBinding(() -> vm.cannotMeasureProperty().get()
                    .isEmpty() ? tip : "Not available: " + vm.cannotMeasureProperty().get(), vm.cannotMeasureProperty()));
        }
        sweep.setId("toolbarSweep");
        sens.setId("toolbarSensitivity");
        save.disableProperty().bind(vm.modelProperty().isNull());
        snap.disableProperty().bind(vm.modelProperty().isNull());
        // Each button in a wrapper that shows its tooltip while it is disabled (JavaFX shows none on the button).
        java.util.function.Function<Button, javafx.scene.Node> w = org.sparsitybench.ui.common.DisabledTips::wrap;
        HBox bar = new HBox(w.apply(open), w.apply(data), w.apply(openProject), w.apply(save),
                new Separator(Orientation.VERTICAL), w.apply(undo), w.apply(redo), w.apply(snap), w.apply(compare),
                new Separator(Orientation.VERTICAL), w.apply(sweep), w.apply(sens), w.apply(recover),
                new Separator(Orientation.VERTICAL), w.apply(export));
        bar.setId("toolBar");
        bar.getStyleClass().add(Styles.TOOL_BAR);
        bar.setAlignment(Pos.CENTER_LEFT);
        return bar;
    }

    private static Button tool(String text, String tip, Runnable action) {
        Button b = new Button(text);
        b.setTooltip(new Tooltip(tip));
        b.setFocusTraversable(false);
        b.setOnAction(e -> action.run());
        return b;
    }

    private static MenuItem item(String text, String accelerator, Runnable action) {
        MenuItem i = new MenuItem(text);
        if (accelerator != null) {
            i.setAccelerator(KeyCombination.keyCombination(accelerator));
        }
        i.setOnAction(e -> action.run());
        return i;
    }
}
