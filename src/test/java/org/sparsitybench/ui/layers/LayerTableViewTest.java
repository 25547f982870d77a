package org.sparsitybench.ui.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.UndoableConfig;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The layer table as wide as it is in a 1280 px window (58 % of it), on the digits sample. */
@ExtendWith(ApplicationExtension.class)
class LayerTableViewTest {
    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");

    private LayerTableViewModel vm;

    @Start
    void start(Stage stage) throws Exception {
        vm = new LayerTableViewModel(new UndoableConfig(PruningConfig.of(GlobalSettings.of(0, "magnitude",
                Allocation.UNIFORM))));
        Model model = ModelFiles.read(DIGITS);
        vm.setTensors(model.prunableTensors());
        stage.setScene(new Scene(new LayerTableView(vm), 0.58 * 1280, 500));
        stage.show();
    }

    @Test
    void rowSlidersAreWideEnoughToDragAt1280Pixels(FxRobot robot) {
        WaitForAsyncUtils.waitForFxEvents();
        var sliders = robot.lookup(".sb-row-slider").queryAll();
        assertFalse(sliders.isEmpty());
        for (Node s : sliders) {
            assertTrue(s.getLayoutBounds().getWidth() >= 120, "slider " + s.getLayoutBounds().getWidth() + " px");
        }
    }

    @Test
    void aLongNameIsEllipsisedWithTheWholeNameInItsTooltip(FxRobot robot) {
        WaitForAsyncUtils.waitForFxEvents();
        String first = vm.rows().get(0).name();
        TableCell<?, ?> cell = robot.lookup(".table-cell").match(n -> n instanceof TableCell<?, ?> c
                && first.equals(c.getItem())).queryAs(TableCell.class);
        assertEquals(first, cell.getTooltip().getText());
        assertEquals(javafx.scene.control.OverrunStyle.LEADING_ELLIPSIS, cell.getTextOverrun());
    }

    @Test
    void requestedAndAchievedShareAPrecisionAndAGainShowsNegative(FxRobot robot) {
        assertEquals("81.6% / 81.6%", LayerTableView.sparsityText(0.816, 0.8158));
        assertEquals("-0.5", LayerTableView.sensitivityText(-0.005));
        assertEquals("0.0", LayerTableView.sensitivityText(-0.0001));
        String first = vm.rows().get(0).name();
        robot.interact(() -> vm.setSensitivity(Map.of(first, -0.005)));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#layerTable .label").queryAllAs(Label.class).stream()
                .anyMatch(l -> "-0.5".equals(l.getText())), "the Sensitivity column shows the gain as -0.5");
    }
}
