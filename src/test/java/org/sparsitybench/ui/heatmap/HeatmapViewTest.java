package org.sparsitybench.ui.heatmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.stats.HeatmapGrid;
import org.sparsitybench.task.CancellationToken;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The heatmap pane in a tab pane, as in the window: keys, zoom reset, axes and the pruned colour. */
@ExtendWith(ApplicationExtension.class)
class HeatmapViewTest {
    private HeatmapView view;
    private TabPane tabs;

    @Start
    void start(Stage stage) {
        view = new HeatmapView();
        tabs = new TabPane(new Tab("Distribution", new Label("d")), new Tab("Heatmap", view), new Tab("Overview",
                new Label("o")));
        tabs.getSelectionModel().select(1);
        stage.setScene(new Scene(tabs, 700, 500));
        stage.show();
    }

    private static HeatmapGrid grid(int rows, int cols) {
        float[] w = new float[rows * cols];
        boolean[] kept = new boolean[w.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 7) - 3;
            kept[i] = i % 3 != 0;
        }
        return HeatmapGrid.of(TensorData.ofFloats(w), new long[] {rows, cols}, BitMask.ofKept(kept),
                HeatmapViewModel.cells(rows), HeatmapViewModel.cells(cols), CancellationToken.NONE);
    }

    @Test
    void plusMinusZeroAndArrowsZoomAndPanWithoutSwitchingTabs(FxRobot robot) {
        robot.interact(() -> view.gridProperty().set(grid(20, 30)));
        robot.clickOn("#heatmapCanvas");
        double fitted = view.zoom();
        robot.type(KeyCode.EQUALS);
        assertTrue(view.zoom() > fitted * 1.1, "+ zooms in: " + view.zoom() + " vs " + fitted);
        robot.type(KeyCode.MINUS).type(KeyCode.MINUS);
        assertTrue(view.zoom() < fitted, "- zooms out");
        double[] before = view.offset();
        robot.type(KeyCode.RIGHT);
        assertNotEquals(before[0], view.offset()[0], "right pans");
        robot.type(KeyCode.DOWN);
        assertNotEquals(before[1], view.offset()[1], "down pans");
        robot.type(KeyCode.LEFT).type(KeyCode.UP);
        assertEquals(1, tabs.getSelectionModel().getSelectedIndex(), "arrows stay in the heatmap");
        robot.type(KeyCode.DIGIT0);
        assertTrue(view.isFitted(), "0 resets");
        assertEquals(fitted, view.zoom(), 1e-9);
    }

    @Test
    void anotherLayerOrCellModeResetsZoomAndTheAxesAndTitleNameIt(FxRobot robot) {
        robot.interact(() -> {
            view.layerProperty().set("fc1.weight");
            view.gridProperty().set(grid(20, 30));
        });
        robot.clickOn("#heatmapCanvas").type(KeyCode.EQUALS).type(KeyCode.RIGHT);
        assertFalse(view.isFitted());
        robot.interact(() -> view.gridProperty().set(grid(20, 30)));
        assertFalse(view.isFitted(), "the same matrix re-pruned keeps the zoom");
        robot.interact(() -> view.gridProperty().set(grid(10, 30)));
        assertTrue(view.isFitted(), "another shape (layer, cell mode) shows the whole matrix");
        robot.clickOn("#heatmapCanvas").type(KeyCode.EQUALS);
        robot.interact(() -> view.layerProperty().set("fc2.weight"));
        assertTrue(view.isFitted(), "another layer of the same shape too");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#heatmapTitle").queryAs(Label.class).getText().startsWith("fc2.weight"));
        assertEquals("columns 0 … 29 (input) →", robot.lookup("#heatmapColumnAxis").queryAs(Label.class).getText());
        assertTrue(robot.lookup("#heatmapRowAxis").queryAs(Label.class).getText().contains("rows 0 … 9"));
    }

    @Test
    void aFullyPrunedCellIsFarFromEveryViridisColour() {
        for (int i = 0; i <= 255; i++) {
            int pruned = Viridis.cellRgb(i, 255, 0);
            for (int j = 0; j <= 255; j++) {
                int v = Viridis.argb(j / 255.0) & 0xffffff;
                assertTrue(distance(pruned, v) > 90, "pruned " + Integer.toHexString(pruned) + " vs viridis "
                        + Integer.toHexString(v));
            }
        }
    }

    @Test
    void narrowSidesGetOneCellPerWeightAndWideOnesEvenBlocks() {
        assertEquals(288, HeatmapViewModel.cells(288));
        assertEquals(512, HeatmapViewModel.cells(512));
        assertEquals(196, HeatmapViewModel.cells(784)); // 4 columns a cell
        assertEquals(256, HeatmapViewModel.cells(1024));
        assertEquals(1, HeatmapViewModel.cells(1));
    }

    private static double distance(int a, int b) {
        double dr = ((a >> 16) & 0xff) - ((b >> 16) & 0xff);
        double dg = ((a >> 8) & 0xff) - ((b >> 8) & 0xff);
        double db = (a & 0xff) - (b & 0xff);
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }
}
