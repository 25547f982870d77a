package org.sparsitybench.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.testing.PythonOnnx;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.layers.LayerRow;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Issue 18 (items 6, 7, 8, 13) and issue 20 item 9 through the real 1280×800 window: the layer table, its Zeros
 * column and sliders, error headers, disabled controls' reasons, and the questions before work is discarded.
 */
@ExtendWith(ApplicationExtension.class)
class TrustInTheWindowTest {
    static final Path LENET5 = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");

    @TempDir
    Path dir;

    private WorkbenchViewModel vm;
    private MainView view;

    @Start
    void start(Stage stage) {
        vm = new WorkbenchViewModel(new FxTaskExecutor());
        view = new MainView(vm);
        stage.setScene(new Scene(view, 1280, 800));
        stage.show();
    }

    private void open(FxRobot robot, Path model) throws Exception {
        robot.interact(() -> vm.open(model));
        settle();
    }

    private void settle() throws Exception {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.modelProperty().get() != null
                && vm.frameProperty().get() != null && vm.isIdle() && !vm.executor().busyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @SuppressWarnings("unchecked")
    private TableView<LayerRow> table(FxRobot robot) {
        return robot.lookup("#layerTable").queryAs(TableView.class);
    }

    /** The text of the cell of {@code column} in the row of {@code layer}. */
    private static String cell(FxRobot robot, String columnId, String layer) {
        return robot.lookup(".table-cell").match(n -> n instanceof TableCell<?, ?> c && c.getTableColumn() != null
                        && columnId.equals(c.getTableColumn().getId()) && c.getTableRow() != null
                        && c.getTableRow().getItem() instanceof LayerRow r && r.name().equals(layer))
                .queryAs(TableCell.class).getText();
    }

    @Test
    void everyColumnOfTheLayerTableFitsAt1280Pixels(FxRobot robot) throws Exception {
        open(robot, LENET5);
        TableView<LayerRow> table = table(robot);
        TableColumn<LayerRow, ?> last = table.getColumns().get(table.getColumns().size() - 1);
        assertEquals("precisionColumn", last.getId());
        assertAllColumnsFit(table);
        // The Sensitivity and Output error columns appear with their figures; the Precision column stays in sight.
        robot.interact(() -> {
            vm.layers().setSensitivity(java.util.Map.of("fc1.weight", 0.05));
            vm.bar().setGlobalTarget(0.7);
            vm.reconstruct().enabledProperty().set(true);
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.reconstruct().resultProperty().get() != null
                && !vm.reconstruct().runningProperty().get());
        settle();
        assertTrue(table.getColumns().stream().filter(TableColumn::isVisible).count() == table.getColumns().size(),
                "every column shown");
        assertAllColumnsFit(table);
    }

    private static void assertAllColumnsFit(TableView<LayerRow> table) {
        Node header = table.lookup(".column-header-background");
        double right = 0;
        for (Node h : table.lookupAll(".column-header")) {
            if (h.isVisible()) {
                Bounds b = h.localToScene(h.getLayoutBounds());
                right = Math.max(right, b.getMaxX());
            }
        }
        Bounds inside = header.localToScene(header.getLayoutBounds());
        assertTrue(right <= inside.getMaxX() + 0.5, "last column ends at " + right + ", the table at " + inside.getMaxX());
        for (TableColumn<LayerRow, ?> c : table.getColumns()) {
            assertTrue(!c.isVisible() || c.getWidth() >= c.getMinWidth() - 0.5, c.getId() + " squeezed below its minimum");
        }
    }

    @Test
    void theZerosColumnFollowsPruning(FxRobot robot) throws Exception {
        open(robot, LENET5);
        assertEquals("0.0%", cell(robot, "zerosColumn", "fc1.weight"));
        robot.interact(() -> vm.bar().setGlobalTarget(0.7));
        settle();
        assertEquals("70.0%", cell(robot, "zerosColumn", "fc1.weight"));
    }

    @Test
    void zerosAlreadyInTheFileAreTheStartingPointOfTheTableAndItsSliders(FxRobot robot) throws Exception {
        Path model = PythonOnnx.copy("prezeroed.onnx", dir);
        open(robot, model);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> !Double.isNaN(vm.layers().row("fc.w").zerosProperty().get()));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("97.2%", cell(robot, "zerosColumn", "fc.w"), "before any pruning");
        robot.interact(() -> vm.bar().setGlobalTarget(0.5));
        settle();
        LayerRow row = vm.layers().row("fc.w");
        assertEquals(1 - 229.0 / 8192, row.achievedProperty().get(), 1e-12, "what the tensor holds, not 50 %");
        assertTrue(vm.totalsProperty().get().contains("achieved 97.2%"), "the totals agree with the row: "
                + vm.totalsProperty().get());
        robot.interact(() -> vm.layers().setLayerSparsity("fc.w", 0.1, false));
        settle();
        assertEquals(1 - 229.0 / 8192, vm.configProperty().get().layer("fc.w").sparsity(), 1e-9,
                "the row's slider stops at the zeros already there");
        assertTrue(robot.lookup(".sb-zeros-marker").tryQuery().map(Node::isVisible).orElse(false),
                "the slider marks the file's zeros");
    }

    /** The text of the tooltip showing now, waiting up to 10 s for one that contains {@code part}. */
    private static String tooltipShowing(FxRobot robot, String part) throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> text = new java.util.concurrent.atomic.AtomicReference<>("");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> {
            for (javafx.stage.Window w : robot.listWindows()) {
                if (w instanceof javafx.scene.control.Tooltip t && t.isShowing()) {
                    text.set(t.getText());
                }
            }
            return text.get().contains(part);
        });
        return text.get();
    }

    @Test
    void anErrorSaysWhatFailed(FxRobot robot) throws Exception {
        Path bad = dir.resolve("broken.onnx");
        java.nio.file.Files.write(bad, new byte[] {1, 2, 3, 4, 5});
        robot.interact(() -> view.open(bad));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> robot.lookup("#errorDialog").tryQuery().isPresent());
        javafx.scene.control.DialogPane pane = robot.lookup("#errorDialog").queryAs(javafx.scene.control.DialogPane.class);
        assertEquals("Could not open broken.onnx", pane.getHeaderText());
        assertTrue(pane.getContentText().contains("broken.onnx"), pane.getContentText());
        robot.interact(() -> pane.getScene().getWindow().hide());
        assertEquals("Sensitivity analysis failed", org.sparsitybench.ui.common.DialogService.errorHeader("Sensitivity"));
        assertEquals("Export failed", org.sparsitybench.ui.common.DialogService.errorHeader("Exporting to out"));
    }

    @Test
    void aDisabledSweepButtonShowsWhyOnAWeightOnlyFile(FxRobot robot) throws Exception {
        Path file = org.sparsitybench.tools.fuzz.SafeTensorsFiles.builder()
                .tensor("up.weight", "F32", new long[] {4, 3},
                        org.sparsitybench.tools.fuzz.SafeTensorsFiles.f32(new float[12]))
                .write(dir.resolve("w.safetensors"));
        open(robot, file);
        Node sweep = robot.lookup("#toolbarSweep").query();
        assertTrue(sweep.isDisabled());
        robot.moveTo(sweep);
        assertTrue(tooltipShowing(robot, "no graph to run").startsWith("Not available"));
    }

    @Test
    void theTargetSliderOffWithNmShowsWhy(FxRobot robot) throws Exception {
        open(robot, LENET5);
        robot.interact(() -> vm.bar().setMethod("nm"));
        settle();
        Node slider = robot.lookup("#globalSlider").query();
        assertTrue(slider.isDisabled());
        robot.moveTo(slider);
        assertTrue(tooltipShowing(robot, "N:M pattern decides").contains("nm"));
    }

    @Test
    void nmSaysWhichLayersCannotTakeThePatternAndWhy(FxRobot robot) throws Exception {
        open(robot, LENET5);
        robot.interact(() -> vm.bar().setMethod("nm"));
        settle();
        String shown = robot.lookup("#engineMessages").queryAs(javafx.scene.control.Label.class).getText();
        assertTrue(shown.contains("conv1.weight [6, 1, 5, 5]: N:M 2:4 groups run along its input dimension (axis 1, 1 "
                + "wide), which is not a multiple of 4"), shown);
        assertTrue(shown.contains("conv2.weight") && shown.contains("33.3 % instead of 50.0 %"), shown);
        assertTrue(vm.layers().row("conv1.weight").noteProperty().get().contains("not a multiple of 4"));
        assertEquals("", vm.layers().row("fc1.weight").noteProperty().get(), "fc1 takes 2:4 in full");
        javafx.scene.control.Label value = robot.lookup("#layerTable .sb-value").match(n -> n instanceof
                javafx.scene.control.Label l && l.getTooltip() != null && l.getTooltip().getText()
                .startsWith("conv1.weight")).queryAs(javafx.scene.control.Label.class);
        assertTrue(value.getStyleClass().contains(org.sparsitybench.ui.common.Styles.WARNING), value.getStyleClass() + " " + value.getText());
    }

    private void answer(FxRobot robot, String button) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#unsavedDialog").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.control.DialogPane pane = robot.lookup("#unsavedDialog").queryAs(javafx.scene.control.DialogPane.class);
        assertTrue(pane.getContentText().contains("1 snapshot of model.onnx is not saved"), pane.getContentText());
        robot.interact(() -> ((javafx.scene.control.Button) pane.lookup("#" + button)).fire());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void anotherModelOrQuittingWithUnsavedSnapshotsAsksFirst(FxRobot robot) throws Exception {
        open(robot, LENET5);
        robot.interact(() -> vm.project().saveSnapshot("half"));
        Path digits = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");
        javafx.application.Platform.runLater(() -> view.open(digits));
        answer(robot, "cancelButton");
        assertEquals(LENET5, vm.modelProperty().get().file(), "Cancel keeps the model");
        assertEquals(1, vm.project().snapshots().size(), "and its snapshots");

        javafx.application.Platform.runLater(view::quit);
        answer(robot, "cancelButton");
        assertTrue(view.getScene().getWindow().isShowing(), "Cancel keeps the window");

        javafx.application.Platform.runLater(() -> view.open(digits));
        answer(robot, "discardButton");
        settle();
        assertEquals(digits, vm.modelProperty().get().file());
        assertEquals(0, vm.project().snapshots().size());

        robot.interact(() -> vm.project().saveSnapshot("again"));
        Path project = dir.resolve("kept.sbproj");
        robot.interact(() -> vm.project().saveProject(project));
        assertTrue(!vm.project().hasUnsavedWork(), "saved in a project: nothing to ask about");
    }
}
