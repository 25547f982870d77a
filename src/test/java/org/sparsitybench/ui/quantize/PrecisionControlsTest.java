package org.sparsitybench.ui.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TableView;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.quantize.Precision;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.layers.LayerRow;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Precision column and the global chooser in a real (headless) window, bound to the view model. */
@ExtendWith(ApplicationExtension.class)
class PrecisionControlsTest {
    private final PrecisionViewModel vm = new PrecisionViewModel();
    private TableView<LayerRow> table;
    private Model model;

    @Start
    void start(Stage stage) throws Exception {
        model = ModelFiles.read(Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx"));
        vm.setModel(model);
        table = new TableView<>();
        table.getColumns().add(PrecisionControls.column(vm));
        model.tensors().stream().filter(t -> t.name().endsWith("weight")).forEach(t -> table.getItems().add(new LayerRow(t)));
        stage.setScene(new Scene(new VBox(PrecisionControls.chooser(vm), table), 600, 500));
        stage.show();
    }

    @SuppressWarnings("unchecked")
    private ComboBox<Precision> rowBox(FxRobot robot, String name) {
        return robot.lookup("#precisionColumn").queryAll().stream().filter(n -> n instanceof javafx.scene.control.TableCell<?, ?>)
                .map(n -> (javafx.scene.control.TableCell<LayerRow, LayerRow>) n)
                .filter(c -> c.getItem() != null && c.getItem().name().equals(name))
                .map(c -> (ComboBox<Precision>) c.getGraphic()).findFirst().orElseThrow();
    }

    @Test
    void theGlobalChooserSetsEveryQuantizableRowAndARowCanDiffer(FxRobot robot) {
        ComboBox<Precision> global = robot.lookup("#globalPrecision").queryComboBox();
        robot.interact(() -> global.setValue(Precision.INT8));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(Precision.INT8, rowBox(robot, "fc1.weight").getValue());
        assertEquals(Precision.FLOAT32, rowBox(robot, "bn1.weight").getValue(), "a BatchNorm weight stays float");
        assertTrue(rowBox(robot, "bn1.weight").isDisabled());
        robot.interact(() -> rowBox(robot, "fc1.weight").setValue(Precision.INT4));
        assertEquals(Precision.INT4, vm.precision("fc1.weight"));
        assertEquals(Precision.INT8, vm.precision("fc2.weight"));
        robot.interact(() -> vm.setGlobal(Precision.FLOAT32));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(Precision.FLOAT32, global.getValue());
        assertEquals(Precision.FLOAT32, rowBox(robot, "fc2.weight").getValue());
        assertEquals(Precision.INT4, rowBox(robot, "fc1.weight").getValue(), "the override stays");
    }
}
