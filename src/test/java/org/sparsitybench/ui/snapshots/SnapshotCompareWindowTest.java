package org.sparsitybench.ui.snapshots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.canvas.Canvas;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.StackPane;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.project.Project;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.stats.MaskDiffGrid;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The snapshot comparison window under TestFX (headless Monocle) on fashion-lenet5. */
@ExtendWith(ApplicationExtension.class)
class SnapshotCompareWindowTest {
    private Stage owner;
    private final FxTaskExecutor executor = new FxTaskExecutor();

    @Start
    void start(Stage stage) {
        owner = stage;
        stage.setScene(new Scene(new StackPane(new Label("workbench")), 300, 200));
        stage.show();
    }

    @AfterEach
    void stop() {
        executor.shutdown();
    }

    private static int pixelsOf(Canvas canvas, Color color) {
        WritableImage img = canvas.snapshot(null, null);
        PixelReader r = img.getPixelReader();
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                Color c = r.getColor(x, y);
                if (Math.abs(c.getRed() - color.getRed()) < 0.02 && Math.abs(c.getGreen() - color.getGreen()) < 0.02
                        && Math.abs(c.getBlue() - color.getBlue()) < 0.02) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void twoSnapshotsShowATableDiffAndTheChosenLayersMaskDifference(FxRobot robot) throws Exception {
        Model m = ModelFiles.read(Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx"));
        List<Project.Snapshot> snaps = List.of(
                new Project.Snapshot("half", PruningConfig.of(GlobalSettings.of(0.5, "magnitude", Allocation.UNIFORM)),
                        0.5, 0.90, 0.3),
                new Project.Snapshot("eighty", PruningConfig.of(GlobalSettings.of(0.8, "magnitude", Allocation.UNIFORM)),
                        0.8, 0.86, 0.4));
        AtomicReference<Stage> stage = new AtomicReference<>();
        robot.interact(() -> stage.set(SnapshotCompareView.show(owner, m, snaps, executor)));
        SnapshotCompareViewModel vm = robot.lookup("#snapshotCompareView").queryAs(SnapshotCompareView.class).viewModel();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.loadedProperty().get()
                || !vm.errorProperty().get().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", vm.errorProperty().get());

        TableView<?> table = robot.lookup("#snapshotTable").queryAs(TableView.class);
        assertEquals(m.prunableTensors().size() + 8, table.getItems().size(), "layers, method, allocation, six measures");
        assertEquals(3, table.getColumns().size());
        assertTrue(robot.lookup(".table-cell." + SnapshotCompareView.CHANGED).queryAll().size() >= 3,
                "changed cells are highlighted");

        ComboBox<?> layer = robot.lookup("#diffLayer").queryAs(ComboBox.class);
        robot.interact(() -> layer.getSelectionModel().select(2));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("fc1.weight", vm.layerProperty().get());
        Canvas canvas = robot.lookup("#diffCanvas").queryAs(Canvas.class);
        int[] counts = new int[4];
        robot.interact(() -> {
            for (MaskDiffGrid.Kind k : MaskDiffGrid.Kind.values()) {
                counts[k.ordinal()] = pixelsOf(canvas, SnapshotCompareView.COLORS[k.ordinal()]);
            }
        });
        assertTrue(counts[MaskDiffGrid.Kind.ONLY_A.ordinal()] > 0, "weights kept at 50 % but pruned at 80 % are painted");
        assertEquals(0, counts[MaskDiffGrid.Kind.ONLY_B.ordinal()], "none kept only at 80 %");
        assertTrue(counts[MaskDiffGrid.Kind.KEPT_BOTH.ordinal()] > 0);
        assertTrue(counts[MaskDiffGrid.Kind.PRUNED_BOTH.ordinal()] > 0);
        Node legend = robot.lookup("#diffLegend").query();
        assertEquals(4, ((javafx.scene.layout.HBox) legend).getChildren().size());
        assertTrue(robot.lookup("#diffSummary").queryAs(Label.class).getText().contains("kept only in half"));

        String shot = System.getProperty("sb.screenshotDir");
        if (shot != null) {
            robot.interact(() -> {
                try {
                    javax.imageio.ImageIO.write(javafx.embed.swing.SwingFXUtils.fromFXImage(
                            stage.get().getScene().getRoot().snapshot(null, null), null), "png",
                            java.nio.file.Path.of(shot, "snapshot-compare.png").toFile());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }

        // Escape closes the window, as a dialog's (without a window manager there is no title bar to close it by).
        robot.clickOn("#diffSummary");
        robot.type(javafx.scene.input.KeyCode.ESCAPE);
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(stage.get().isShowing(), "Escape closed the comparison");
    }
}
