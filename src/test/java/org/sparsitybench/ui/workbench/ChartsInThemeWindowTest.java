package org.sparsitybench.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.TabPane;
import javafx.scene.image.Image;
import javafx.scene.image.PixelReader;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Issue 18 item 12 and issue 17 through the real window (headless Monocle): charts shown before anything was
 * measured are painted in the theme — light in the light theme, never black — and the Curves tab holds the
 * accuracy-against-compressed-size chart, which the sparsity × precision sweep fills.
 */
@ExtendWith(ApplicationExtension.class)
class ChartsInThemeWindowTest {
    private WorkbenchViewModel vm;
    private MainView main;

    @Start
    void start(Stage stage) {
        vm = new WorkbenchViewModel(new FxTaskExecutor(), null);
        main = new MainView(vm);
        stage.setScene(new Scene(main, 1200, 760));
        stage.show();
    }

    /** Mean brightness of the node as drawn, 0 (black) to 1 (white). */
    private static double brightness(FxRobot robot, String id) {
        Image img = snapshot(robot, robot.lookup(id).query());
        PixelReader r = img.getPixelReader();
        double sum = 0;
        int w = (int) img.getWidth();
        int h = (int) img.getHeight();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                sum += r.getColor(x, y).getBrightness();
            }
        }
        return sum / w / h;
    }

    private static Image snapshot(FxRobot robot, Node node) {
        Image[] out = new Image[1];
        robot.interact(() -> out[0] = node.snapshot(null, null));
        return out[0];
    }

    private static void select(FxRobot robot, String tabId) {
        robot.interact(() -> {
            TabPane tabs = robot.lookup("#viewTabs").queryAs(TabPane.class);
            tabs.getSelectionModel().select(tabs.getTabs().stream().filter(t -> tabId.equals(t.getId())).findFirst()
                    .orElseThrow());
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void chartsBeforeAnyModelOrAnalysisAreLightInTheLightThemeAndDarkInTheDark(FxRobot robot) {
        select(robot, "tabDistribution");
        assertTrue(brightness(robot, "#distributionChart") > 0.85, "distribution with no model");
        select(robot, "tabSensitivity");
        assertTrue(brightness(robot, "#sensitivityCurves") > 0.85, "sensitivity before any analysis");
        assertTrue(brightness(robot, "#sensitivityTable") > 0.8, "sensitivity table before any analysis");
        select(robot, "tabCurves");
        assertTrue(brightness(robot, "#curvesAccuracyVsCompressedSize") > 0.85, "precision curves, empty");

        robot.interact(main::toggleTheme);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(brightness(robot, "#curvesAccuracyVsCompressedSize") < 0.35, "dark theme");
        select(robot, "tabSensitivity");
        assertTrue(brightness(robot, "#sensitivityCurves") < 0.35, "dark theme");
        robot.interact(main::toggleTheme);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(brightness(robot, "#sensitivityCurves") > 0.85, "light again");
    }

    @Test
    void theCurvesTabMeasuresAccuracyAgainstCompressedSizeAndForgetsItForAnotherModel(FxRobot robot)
            throws Exception {
        robot.interact(() -> vm.open(Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx")));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.frameProperty().get() != null && vm.isIdle()
                && !vm.executor().busyProperty().get());
        select(robot, "tabCurves");
        // The tab scrolls (six charts at readable heights): the precision chart is below the four sweep charts.
        robot.interact(() -> robot.lookup("#curvesScroll").queryAs(javafx.scene.control.ScrollPane.class).setVvalue(1));
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#precisionSweepButton");
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> !vm.executor().busyProperty().get()
                && robot.lookup("#curvesAccuracyVsCompressedSize").queryAs(org.jfree.chart.fx.ChartViewer.class)
                .getChart().getXYPlot().getDataset(1) != null);
        var chart = robot.lookup("#curvesAccuracyVsCompressedSize").queryAs(org.jfree.chart.fx.ChartViewer.class)
                .getChart();
        assertEquals(3, chart.getXYPlot().getDataset(0).getSeriesCount());
        assertEquals(5, chart.getXYPlot().getDataset(0).getItemCount(0), "float32 at every level");
        assertEquals("accuracy (validation)", chart.getXYPlot().getRangeAxis().getLabel());

        robot.interact(() -> vm.open(Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx")));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.modelProperty().get() != null
                && vm.modelProperty().get().file().toString().contains("fashion-lenet5") && vm.isIdle());
        WaitForAsyncUtils.waitForFxEvents();
        chart = robot.lookup("#curvesAccuracyVsCompressedSize").queryAs(org.jfree.chart.fx.ChartViewer.class).getChart();
        assertEquals(0, chart.getXYPlot().getDataset(0).getSeriesCount(), "digits-mlp's points are gone");
    }
}
