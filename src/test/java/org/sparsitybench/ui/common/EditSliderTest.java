package org.sparsitybench.ui.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.scene.Scene;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The one slider commit path under a real toolkit: the user's gestures reach the view model, the value it shows
 * back reaches nobody, and nothing is written back into the slider that sent a value.
 */
@ExtendWith(ApplicationExtension.class)
class EditSliderTest {
    /** One edit as the slider sent it. */
    private record Edit(double value, boolean dragging) {
    }

    private EditSlider slider;
    /** What a view model shows: here it takes every edit as it comes, as the workbench does. */
    private final DoubleProperty shown = new SimpleDoubleProperty(0);
    private final List<Edit> edits = new ArrayList<>();
    private final List<Double> values = new ArrayList<>();

    @Start
    void start(Stage stage) {
        slider = new EditSlider(); // a control needs the toolkit, which starts before this
        slider.setId("slider");
        slider.setBlockIncrement(0.1);
        slider.link(shown, (v, dragging) -> {
            edits.add(new Edit(v, dragging));
            shown.set(v);
        });
        slider.valueProperty().addListener((o, a, b) -> values.add(b.doubleValue()));
        stage.setScene(new Scene(new StackPane(slider), 400, 80));
        stage.show();
    }

    @Test
    void aValueTheViewModelShowsReachesNobody(FxRobot robot) {
        robot.interact(() -> {
            shown.set(0.25);
            shown.set(0.75);
        });
        assertEquals(0.75, slider.getValue());
        assertEquals(List.of(), edits);
    }

    @Test
    void aThumbDragSendsEachMoveThenOneEndAndNothingIsWrittenBack(FxRobot robot) {
        robot.drag(slider.lookup(".thumb")).moveBy(60, 0).moveBy(60, 0).release(MouseButton.PRIMARY);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(edits.size() >= 2, "moves and an end: " + edits);
        Edit last = edits.get(edits.size() - 1);
        assertFalse(last.dragging(), "the drag ends with one committing edit");
        assertEquals(1, edits.stream().filter(e -> !e.dragging()).count(), "exactly one: " + edits);
        assertTrue(edits.subList(0, edits.size() - 1).stream().allMatch(Edit::dragging));
        assertEquals(last.value(), shown.get());
        assertEquals(last.value(), slider.getValue());
        for (int i = 1; i < values.size(); i++) {
            assertTrue(values.get(i) > values.get(i - 1), "the slider only moved forward with the hand: " + values);
        }
    }

    @Test
    void aKeyMoveIsOneEdit(FxRobot robot) {
        robot.clickOn(slider.lookup(".thumb"));
        edits.clear();
        robot.type(KeyCode.RIGHT);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, edits.size(), edits.toString());
        assertFalse(edits.get(0).dragging());
        assertEquals(slider.getValue(), shown.get());
    }

    @Test
    void anUnlinkedSliderSendsNothing(FxRobot robot) {
        robot.interact(() -> {
            slider.unlink();
            slider.adjustValue(0.9);
            shown.set(0.1);
        });
        assertEquals(List.of(), edits);
        assertEquals(0.9, slider.getValue(), "no longer shows the old property");
    }
}
