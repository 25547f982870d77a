package org.sparsitybench.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javafx.application.Platform;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.project.Project;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.Styles;
import org.sparsitybench.ui.snapshots.SnapshotPicker;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The window's title, menus, dialogs and tiles as a desktop user meets them (issue 18, items 10, 12, 14). */
@ExtendWith(ApplicationExtension.class)
class WorkbenchDesktopTest {
    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");

    @TempDir
    Path dir;

    private WorkbenchViewModel vm;
    private MainView view;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        vm = new WorkbenchViewModel(new FxTaskExecutor());
        view = new MainView(vm);
        stage.setScene(new Scene(view, 1280, 800));
        stage.titleProperty().bind(view.titleBinding());
        stage.show();
    }

    private void openDigits(FxRobot robot) throws Exception {
        robot.interact(() -> vm.open(DIGITS));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.modelProperty().get() != null
                && vm.frameProperty().get() != null && vm.isIdle() && !vm.executor().busyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static List<MenuItem> withAccelerators(List<MenuItem> items) {
        List<MenuItem> out = new ArrayList<>();
        for (MenuItem i : items) {
            if (i instanceof Menu m) {
                out.addAll(withAccelerators(m.getItems()));
            } else if (i.getAccelerator() != null) {
                out.add(i);
            }
        }
        return out;
    }

    @Test
    void helpShortcutsListsEveryAcceleratorAndTheHeatmapKeys(FxRobot robot) {
        MenuBar bar = robot.lookup("#menuBar").queryAs(MenuBar.class);
        String help = WorkbenchMenus.shortcutsHelp(bar);
        List<MenuItem> keyed = new ArrayList<>();
        bar.getMenus().forEach(m -> keyed.addAll(withAccelerators(m.getItems())));
        assertTrue(keyed.size() >= 12, "accelerators: " + keyed.size());
        for (MenuItem i : keyed) {
            assertTrue(help.contains(i.getAccelerator().getDisplayText() + " — "), i.getText() + " missing:\n" + help);
            assertTrue(help.contains(i.getText()), i.getText());
        }
        assertTrue(help.contains("arrow keys pan") && help.contains("0 resets"), help);
    }

    @Test
    void aWindowExportsReportTimesTheEngineRunThatChoseItsMasks(FxRobot robot) throws Exception {
        openDigits(robot);
        WorkbenchFrame frame = vm.frameProperty().get();
        assertTrue(frame.pruneMillis() > 0 && Double.isFinite(frame.pruneMillis()), "engine run: " + frame.pruneMillis());
        robot.interact(() -> view.export());
        var export = robot.lookup("#exportView").queryAs(org.sparsitybench.ui.export.ExportView.class).viewModel();
        robot.interact(() -> export.folderProperty().set(dir)); // not beside the bundled sample
        robot.clickOn("#exportButton");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !export.runningProperty().get()
                && !export.written().isEmpty() || !export.errorProperty().get().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", export.errorProperty().get());
        var timings = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                org.sparsitybench.eval.PruneExport.reportFile(export.modelFile()).toFile()).get("timingsMs");
        assertEquals(frame.pruneMillis(), timings.get("prune").asDouble(), "the run behind the masks on screen");
        assertTrue(timings.get("write").asDouble() > 0 && timings.has("report"), timings.toString());
        robot.clickOn("#exportClose");
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void theTitleNamesTheModelAndTheProject(FxRobot robot) throws Exception {
        assertEquals("SparsityBench", stage.getTitle());
        openDigits(robot);
        assertEquals("SparsityBench — model.onnx", stage.getTitle());
        Path project = dir.resolve("study.sbproj");
        robot.interact(() -> vm.project().saveProject(project));
        assertEquals("SparsityBench — model.onnx · study.sbproj", stage.getTitle());
    }

    @Test
    void clickingAnAllLayersTileSelectsThatLayer(FxRobot robot) throws Exception {
        openDigits(robot);
        robot.clickOn("All layers");
        int layers = vm.layers().rows().size();
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.isIdle()
                && vm.distribution().tilesProperty().get().size() == layers);
        WaitForAsyncUtils.waitForFxEvents();
        var tiles = robot.lookup("#smallMultiples").queryAs(org.sparsitybench.ui.distribution.SmallMultiplesView.class)
                .canvases();
        Node last = tiles.get(tiles.size() - 1);
        String name = (String) last.getUserData();
        assertFalse(name.equals(vm.layers().selectedProperty().get().name()), "another layer was selected before");
        robot.clickOn(last);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(name, vm.layers().selectedProperty().get().name());
    }

    @Test
    void excludingALayerKeepsTheOfNDenominator(FxRobot robot) throws Exception {
        openDigits(robot);
        java.util.function.Supplier<String> ofN = () -> vm.totalsProperty().get().replaceAll(".*kept [0-9,]+ of ([0-9,]+).*", "$1");
        String before = ofN.get();
        assertTrue(before.matches("[0-9,]+"), vm.totalsProperty().get());
        robot.interact(() -> vm.layers().setExcluded(vm.layers().rows().get(0).name(), true));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.isIdle() && vm.frameProperty().get() != null
                && vm.frameProperty().get().result().layers().get(0).status()
                == org.sparsitybench.prune.LayerResult.Status.EXCLUDED);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(before, ofN.get(), vm.totalsProperty().get());
    }

    @Test
    void oneSpellingOfLayerNormalizedEverywhere() {
        assertEquals("layer-normalized", Allocation.LAYER_NORMALIZED.label());
        assertEquals(Allocation.LAYER_NORMALIZED, Allocation.parse("layer-normalised"), "older projects still open");
        assertFalse(WorkbenchMenus.METHODS_HELP.contains("normalised"));
        assertTrue(WorkbenchMenus.METHODS_HELP.contains("layer-normalized"));
    }

    @Test
    void theComparePickerShowsFourSnapshotsWithItsButtonsIsResizableAndEnterAccepts(FxRobot robot) throws Exception {
        openDigits(robot);
        List<Project.Snapshot> four = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            four.add(new Project.Snapshot("snapshot " + i, vm.configProperty().get(), 0.1 * i, 0.9, 0.3));
        }
        AtomicReference<Optional<List<Project.Snapshot>>> picked = new AtomicReference<>();
        Platform.runLater(() -> picked.set(SnapshotPicker.pick(view.dialogs(), four)));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#compareDialog").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        DialogPane pane = robot.lookup("#compareDialog").queryAs(DialogPane.class);
        Window w = pane.getScene().getWindow();
        assertTrue(((Stage) w).isResizable(), "the picker can be made larger");
        Node ok = pane.lookupButton(ButtonType.OK);
        Bounds b = ok.localToScene(ok.getBoundsInLocal());
        assertTrue(ok.isVisible() && b.getMaxY() <= pane.getScene().getHeight() && b.getMaxX() <= pane.getScene()
                .getWidth(), "OK inside the dialog: " + b + " in " + pane.getScene().getWidth() + "×"
                + pane.getScene().getHeight());
        @SuppressWarnings("unchecked")
        var list = (javafx.scene.control.ListView<Project.Snapshot>) pane.lookup("#compareChoice");
        assertTrue(list.getLayoutBounds().getHeight() >= 4 * 24, "all four rows fit: " + list.getLayoutBounds());
        robot.interact(() -> {
            list.getSelectionModel().clearSelection(0);
            list.requestFocus();
        });
        robot.type(KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> picked.get() != null);
        assertTrue(picked.get().isPresent(), "Enter pressed OK");
        assertEquals(3, picked.get().get().size(), "snapshot 1 left out: " + picked.get().get());
    }

    @Test
    void dialogsFollowTheDarkTheme(FxRobot robot) throws Exception {
        robot.interact(view::toggleTheme);
        Platform.runLater(() -> view.info("Shortcuts", "x"));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane").tryQuery().isPresent());
        DialogPane pane = robot.lookup(".dialog-pane").queryAs(DialogPane.class);
        assertTrue(pane.getStyleClass().contains(Styles.DARK), pane.getStyleClass().toString());
        robot.interact(() -> pane.getScene().getWindow().hide());
    }
}
