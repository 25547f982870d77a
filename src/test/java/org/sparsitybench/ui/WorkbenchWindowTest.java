package org.sparsitybench.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.distribution.DistributionView;
import org.sparsitybench.ui.heatmap.HeatmapView;
import org.sparsitybench.ui.layers.LayerRow;
import org.sparsitybench.ui.workbench.MainView;
import org.sparsitybench.ui.workbench.WorkbenchViewModel;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The real window under TestFX (headless Monocle): a user opening a model and moving sliders. */
@ExtendWith(ApplicationExtension.class)
class WorkbenchWindowTest {
    @TempDir
    Path dir;

    private WorkbenchViewModel vm;

    @Start
    void start(Stage stage) {
        vm = new WorkbenchViewModel(new FxTaskExecutor());
        stage.setScene(new Scene(new MainView(vm), 1200, 760));
        stage.show();
    }

    private void openAndWait(FxRobot robot, Path model) throws Exception {
        robot.interact(() -> vm.open(model));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.modelProperty().get() != null
                && vm.frameProperty().get() != null && vm.frameProperty().get().histogram() != null
                && vm.isIdle() && !vm.executor().busyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void waitIdle() throws Exception {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.isIdle());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static long keptTotal(DistributionView d) {
        var kept = d.dataset().getSeries(1);
        long sum = 0;
        for (int i = 0; i < kept.getItemCount(); i++) {
            sum += Math.round(kept.getYValue(i) >= 1 ? kept.getYValue(i) : 0);
        }
        return sum;
    }

    @Test
    void typingAGlobalTargetPrunesEveryLayerAndRedrawsTheViews(FxRobot robot) throws Exception {
        openAndWait(robot, Fixtures.torch("cnn_bn.onnx"));
        TableView<?> table = robot.lookup("#layerTable").queryAs(TableView.class);
        assertEquals(3, table.getItems().size());
        DistributionView dist = robot.lookup("#distributionView").queryAs(DistributionView.class);
        long before = keptTotal(dist);

        robot.clickOn("#globalField").eraseText(8).write("0.5").type(javafx.scene.input.KeyCode.ENTER);
        waitIdle();

        Label totals = robot.lookup("#totalsLabel").queryAs(Label.class);
        assertTrue(totals.getText().startsWith("achieved 50.0%"), totals.getText());
        for (LayerRow row : vm.layers().rows()) {
            assertEquals(0.5, row.achievedProperty().get(), 0.02, row.name());
        }
        assertTrue(keptTotal(dist) < before, "the kept series lost weights");
        assertEquals(0.5, robot.lookup("#globalSlider").queryAs(Slider.class).getValue(), 1e-9);
        HeatmapView heat = robot.lookup("#heatmapView").queryAs(HeatmapView.class);
        assertTrue(heat.gridProperty().get() != null);
    }

    @Test
    void draggingALayerSliderChangesOnlyThatLayerAndUndoRestoresIt(FxRobot robot) throws Exception {
        openAndWait(robot, Fixtures.torch("cnn_bn.onnx"));
        Node slider = robot.lookup(".sb-row-slider").nth(2).query();
        LayerRow gemm = vm.layers().rows().get(2);
        assertEquals(0.0, gemm.achievedProperty().get());
        robot.drag(slider.lookup(".thumb")).moveBy(60, 0).release(javafx.scene.input.MouseButton.PRIMARY);
        waitIdle();
        double achieved = gemm.achievedProperty().get();
        assertTrue(achieved > 0.2, "achieved " + achieved);
        assertEquals(0.0, vm.layers().rows().get(0).achievedProperty().get(), "other layers untouched");
        assertTrue(vm.canUndoProperty().get());

        robot.press(javafx.scene.input.KeyCode.CONTROL).type(javafx.scene.input.KeyCode.Z)
                .release(javafx.scene.input.KeyCode.CONTROL);
        waitIdle();
        assertEquals(0.0, gemm.achievedProperty().get(), "undo restored the dense layer");
        assertTrue(vm.canRedoProperty().get());
    }

    @Test
    void theBundledSampleIsEvaluatedAndPruningItCostsAccuracy(FxRobot robot) throws Exception {
        Path sample = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");
        openAndWait(robot, sample);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.evaluation().isIdle() && vm.evaluation().evaluationProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents(); // the FX runnable that delivered the result has finished its work
        double dense = vm.evaluation().evaluationProperty().get().accuracy();
        var card = org.sparsitybench.eval.ModelCard.read(sample.resolveSibling("model-card.json"));
        assertEquals(card.accuracy(), dense, 1e-12, "level 0 reproduces the card");
        Label acc = robot.lookup("#accuracyLabel").queryAs(Label.class);
        assertTrue(acc.getText().startsWith("test accuracy 90.41%"), acc.getText());

        robot.clickOn("#globalField").eraseText(8).write("0.95").type(javafx.scene.input.KeyCode.ENTER);
        waitIdle();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.evaluation().isIdle()
                && vm.evaluation().evaluationProperty().get() != null && vm.evaluation().evaluationProperty().get().accuracy() != dense);
        assertTrue(vm.evaluation().evaluationProperty().get().accuracy() < dense - 0.01,
                "95% sparsity: " + vm.evaluation().evaluationProperty().get().accuracy());
        assertEquals(10_000, vm.evaluation().evaluationProperty().get().samples());
    }

    @Test
    void aSavedProjectReopensTheSameConfigurationAndSnapshotsAndAChangedModelIsReported(FxRobot robot) throws Exception {
        Path model = dir.resolve("m.onnx");
        Files.copy(Fixtures.torch("cnn_bn.onnx"), model);
        openAndWait(robot, model);
        robot.interact(() -> {
            vm.bar().setGlobalTarget(0.4);
            vm.layers().setLocked("6.weight", true);
        });
        waitIdle();
        robot.interact(() -> vm.project().saveSnapshot("forty"));
        Path project = dir.resolve("session.sbproj");
        robot.interact(() -> vm.project().saveProject(project));
        var saved = vm.configProperty().get();
        robot.interact(() -> vm.bar().setGlobalTarget(0.9));
        waitIdle();

        robot.interact(() -> vm.project().openProject(project));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.configProperty().get().equals(saved) && vm.isIdle()
                && !vm.executor().busyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, vm.project().snapshots().size());
        assertEquals("forty", vm.project().snapshots().get(0).name());
        assertTrue(vm.layers().rows().get(2).lockedProperty().get(), "the lock came back");
        assertEquals(0.4, robot.lookup("#globalSlider").queryAs(Slider.class).getValue(), 1e-9);

        // The model changes on disk: the project says so instead of using it.
        var m = new org.sparsitybench.formats.onnx.OnnxReader().read(model);
        Path other = dir.resolve("other.onnx");
        new org.sparsitybench.formats.onnx.OnnxWriter().write(m, java.util.Map.of(), java.util.Map.of("x", "y"), other);
        Files.move(other, model, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        robot.interact(() -> vm.project().openProject(project));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#errorDialog").tryQuery().isPresent());
        String text = ((javafx.scene.control.DialogPane) robot.lookup("#errorDialog").query()).getContentText();
        assertTrue(text.contains("changed since the project was saved"), text);
    }

    @Test
    void aSweepFromTheRunMenuDrawsOneCurvePerMethod(FxRobot robot) throws Exception {
        openAndWait(robot, Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx"));
        robot.press(javafx.scene.input.KeyCode.CONTROL).type(javafx.scene.input.KeyCode.R)
                .release(javafx.scene.input.KeyCode.CONTROL);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.sweep().points().size() == 20
                && !vm.executor().busyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        var curves = robot.lookup("#curvesView").queryAs(org.sparsitybench.ui.curves.CurvesView.class).dataset();
        assertEquals(3, curves.getSeriesCount(), "magnitude, random and the current configuration");
        assertEquals(10, curves.getSeries(0).getItemCount());
        double magnitudeAt90 = curves.getSeries(0).getY(9).doubleValue();
        double randomAt90 = curves.getSeries(1).getY(9).doubleValue();
        assertTrue(magnitudeAt90 > randomAt90, magnitudeAt90 + " vs " + randomAt90);
        var view = robot.lookup("#curvesView").queryAs(org.sparsitybench.ui.curves.CurvesView.class);
        var latency = ((org.jfree.chart.plot.XYPlot) view.chart(org.sparsitybench.ui.curves.CurveKind.LATENCY_VS_SPARSITY)
                .getPlot()).getDataset();
        assertTrue(latency.getSeriesCount() >= 2 && latency.getItemCount(0) == 10,
                "the window's sweep measures latency for every point");
    }

    @Test
    void sensitivityFromTheToolbarFillsItsViewTheTableBarsAndTheOverview(FxRobot robot) throws Exception {
        openAndWait(robot, Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx"));
        robot.interact(() -> vm.bar().setGlobalTarget(0.4));
        waitIdle();
        org.sparsitybench.ui.overview.OverviewView overviewView = (org.sparsitybench.ui.overview.OverviewView)
                ((javafx.scene.control.TabPane) robot.lookup("#viewTabs").query()).getTabs().stream()
                        .filter(t -> "tabOverview".equals(t.getId())).findFirst().orElseThrow().getContent();
        assertEquals(2, overviewView.viewModel().rows().size());
        assertEquals(0.4, overviewView.viewModel().achieved(), 1e-3);

        robot.clickOn("Sensitivity");
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> vm.sensitivity().curves().size() == 2
                && !vm.executor().busyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        org.sparsitybench.ui.sensitivity.SensitivityView sens = (org.sparsitybench.ui.sensitivity.SensitivityView)
                ((javafx.scene.control.TabPane) robot.lookup("#viewTabs").query()).getTabs().stream()
                        .filter(t -> "tabSensitivity".equals(t.getId())).findFirst().orElseThrow().getContent();
        assertEquals(2, sens.viewModel().layers().size());
        assertEquals(2, ((org.jfree.chart.plot.XYPlot) sens.curvesChart().getPlot()).getDataset().getSeriesCount());
        for (LayerRow row : vm.layers().rows()) {
            assertTrue(!Double.isNaN(row.sensitivityProperty().get()), row.name());
        }
    }

    @Test
    void exportFromTheToolbarWritesThePrunedModelReportAndAChartAndSnapshotsCompare(FxRobot robot) throws Exception {
        Path sample = Fixtures.projectDir().resolve("sample-models/digits-mlp");
        Path model = dir.resolve("model.onnx");
        Files.copy(sample.resolve("model.onnx"), model);
        String card = Files.readString(sample.resolve("model-card.json")).replace("../data/",
                Fixtures.projectDir().resolve("sample-models/data").toString().replace("\\", "/") + "/");
        Files.writeString(dir.resolve("model-card.json"), card);
        openAndWait(robot, model);
        robot.interact(() -> vm.bar().setGlobalTarget(0.6));
        waitIdle();
        robot.clickOn("#toolbarExport");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#exportView").tryQuery().isPresent());
        var export = robot.lookup("#exportView").queryAs(org.sparsitybench.ui.export.ExportView.class).viewModel();
        assertEquals(dir.resolve("model-export"), export.folderProperty().get());
        var overviewChart = export.charts().keySet().stream().filter(c -> c.name().startsWith("Overview")).findFirst()
                .orElseThrow();
        robot.interact(() -> export.charts().get(overviewChart).set(true));
        robot.clickOn("#exportButton");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !export.runningProperty().get() && !export.written().isEmpty()
                || !export.errorProperty().get().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", export.errorProperty().get());
        Path out = dir.resolve("model-export/model-pruned.onnx");
        var written = org.sparsitybench.formats.ModelFiles.read(out);
        assertEquals(vm.frameProperty().get().result().pruned(),
                written.prunableTensors().stream().mapToLong(t -> t.stats().zeros()).sum());
        assertTrue(Files.exists(dir.resolve("model-export/model-pruned.onnx.report.json")));
        Path png = dir.resolve("model-export/model-pruned-overview.png");
        assertTrue(Files.size(png) > 1000, "the overview chart as PNG");
        assertTrue(Files.readString(dir.resolve("model-export/model-pruned-overview.svg")).contains("<svg"));
        robot.clickOn("#exportClose");

        robot.interact(() -> vm.project().saveSnapshot("sixty"));
        robot.interact(() -> vm.bar().setGlobalTarget(0.9));
        waitIdle();
        robot.interact(() -> vm.project().saveSnapshot("ninety"));
        robot.clickOn("#toolbarCompare");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#compareDialog").tryQuery().isPresent());
        robot.type(javafx.scene.input.KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> robot.lookup("#snapshotCompareView").tryQuery().isPresent()
                && !vm.executor().busyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        var compare = robot.lookup("#snapshotCompareView").queryAs(org.sparsitybench.ui.snapshots.SnapshotCompareView.class)
                .viewModel();
        assertEquals(2, compare.snapshots().size());
        assertTrue(compare.rows().stream().anyMatch(r -> r.layer() && r.changed().contains(true)),
                "60 % and 90 % differ per layer");
    }

    @Test
    void draggingTheGlobalSliderPrunesEveryLayerAndTheAllLayersTabPaintsEachOne(FxRobot robot) throws Exception {
        openAndWait(robot, Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx"));
        Slider global = robot.lookup("#globalSlider").queryAs(Slider.class);
        robot.drag(global.lookup(".thumb")).moveBy(130, 0).release(javafx.scene.input.MouseButton.PRIMARY);
        waitIdle();
        double target = vm.configProperty().get().global().target();
        assertTrue(target > 0.2, "the drag moved the target: " + target);
        assertEquals(target, global.getValue(), 1e-9);
        for (LayerRow row : vm.layers().rows()) {
            assertEquals(target, row.achievedProperty().get(), 0.01, row.name());
        }
        assertTrue(vm.canUndoProperty().get(), "the drag is one undo step");
        robot.clickOn("All layers");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.isIdle() && vm.distribution().tilesProperty().get().size() == 5);
        WaitForAsyncUtils.waitForFxEvents();
        var view = robot.lookup("#smallMultiples").queryAs(org.sparsitybench.ui.distribution.SmallMultiplesView.class);
        assertEquals(5, view.canvases().size());
        // Tile titles keep the end of a long name (what tells layers apart) and leave room for the percentage.
        javafx.scene.text.Font font = javafx.scene.text.Font.font(11);
        String name = "model.layers.17.self_attn.q_proj.weight";
        assertEquals("conv1.weight", org.sparsitybench.ui.distribution.SmallMultiplesView.fitFromEnd("conv1.weight",
                font, 150));
        String fitted = org.sparsitybench.ui.distribution.SmallMultiplesView.fitFromEnd(name, font, 150);
        javafx.scene.text.Text measured = new javafx.scene.text.Text(fitted);
        measured.setFont(font);
        assertTrue(fitted.startsWith("…") && name.endsWith(fitted.substring(1)) && fitted.length() > 10
                && measured.getLayoutBounds().getWidth() <= 150, fitted);
    }

    @Test
    void aCorruptModelShowsAnErrorNamingTheFileAndKeepsTheSession(FxRobot robot) throws Exception {
        openAndWait(robot, Fixtures.torch("cnn_bn.onnx"));
        robot.interact(() -> vm.bar().setGlobalTarget(0.3));
        waitIdle();
        Path bad = dir.resolve("corrupt.onnx");
        byte[] good = Files.readAllBytes(Fixtures.torch("mlp.onnx"));
        Files.write(bad, java.util.Arrays.copyOf(good, good.length / 3));
        robot.interact(() -> vm.open(bad));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> robot.lookup("#errorDialog").tryQuery().isPresent());
        Node dialog = robot.lookup("#errorDialog").query();
        String text = ((javafx.scene.control.DialogPane) dialog).getContentText();
        assertTrue(text.contains("corrupt.onnx"), text);
        assertEquals(Fixtures.torch("cnn_bn.onnx"), vm.modelProperty().get().file(), "the open model stays");
        assertEquals(0.3, vm.configProperty().get().global().target(), 1e-12);
        assertNotEquals(0, vm.layers().rows().size());
        robot.interact(() -> ((Stage) dialog.getScene().getWindow()).close());
        assertTrue(Window.getWindows().size() >= 1);
    }
}
