package org.sparsitybench.ui.reconstruct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.heatmap.HeatmapView;
import org.sparsitybench.ui.layers.LayerRow;
import org.sparsitybench.ui.workbench.MainView;
import org.sparsitybench.ui.workbench.WorkbenchViewModel;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real window under TestFX on fashion-lenet5 at 70 %: the user ticks Reconstruct; once it has run the
 * distribution and heatmap say they show the reconstructed Ŵ, the layer table shows each layer's output error
 * before and after, and the heatmap's "|Ŵ − W| on kept cells" mode paints the change.
 */
@ExtendWith(ApplicationExtension.class)
class ReconstructWindowTest {
    private static final Path LENET5 = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");
    private WorkbenchViewModel vm;

    @Start
    void start(Stage stage) {
        vm = new WorkbenchViewModel(new FxTaskExecutor());
        stage.setScene(new Scene(new MainView(vm), 1280, 800));
        stage.show();
    }

    private void settle() throws Exception {
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> vm.isIdle() && !vm.executor().busyProperty().get()
                && !vm.reconstruct().runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    private static Set<Integer> colours(WritableImage image) {
        PixelReader r = image.getPixelReader();
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                seen.add(r.getArgb(x, y));
            }
        }
        return seen;
    }

    @Test
    void reconstructedWeightsReachEveryViewAndTheHeatmapShowsTheChange(FxRobot robot) throws Exception {
        robot.interact(() -> vm.open(LENET5));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.modelProperty().get() != null
                && vm.frameProperty().get() != null);
        LayerRow fc1 = vm.layers().rows().stream().filter(r -> r.op().equals("Gemm")).findFirst().orElseThrow();
        robot.interact(() -> {
            vm.bar().setGlobalTarget(0.7);
            vm.layers().selectedProperty().set(fc1);
        });
        settle();
        robot.clickOn("Distribution");
        assertEquals("Kept weights shown: " + ReconstructedWeights.MASK_ONLY, text(robot, "#distributionWeights"));

        robot.clickOn("#reconstructToggle");
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> vm.reconstruct().resultProperty().get() != null);
        settle();
        assertTrue(text(robot, "#reconstructStatus").endsWith("on 128 validation samples"),
                text(robot, "#reconstructStatus"));
        assertEquals("Kept weights shown: " + ReconstructedWeights.RECONSTRUCTED, text(robot, "#distributionWeights"));
        assertTrue(fc1.reconstructionProperty().get().contains("→"), fc1.reconstructionProperty().get());
        assertFalse(robot.lookup(".table-cell").queryAllAs(javafx.scene.control.TableCell.class).stream()
                .noneMatch(c -> c.getText() != null && c.getText().contains("→")), "the table shows an output error");

        robot.clickOn("Heatmap");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(text(robot, "#heatmapTitle").contains("of " + ReconstructedWeights.RECONSTRUCTED),
                text(robot, "#heatmapTitle"));
        robot.clickOn("#heatmapMode");
        robot.clickOn("|Ŵ − W| on kept cells (reconstruction)");
        settle();
        assertTrue(text(robot, "#heatmapTitle").contains("mean |Ŵ − W| on kept weights (the change)"),
                text(robot, "#heatmapTitle"));
        HeatmapView heatmap = robot.lookup("#heatmapView").queryAs(HeatmapView.class);
        // Changes of many sizes on kept cells, grey on pruned ones: far more than two colours.
        assertTrue(colours(heatmap.image()).size() > 20, "colours " + colours(heatmap.image()).size());

        robot.clickOn("#reconstructToggle");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> text(robot, "#heatmapTitle")
                .contains("no reconstruction on screen"));
        assertEquals("", fc1.reconstructionProperty().get());
    }
}
