package org.sparsitybench.ui.overview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.ScrollPane;
import javafx.stage.Stage;
import org.jfree.chart.entity.CategoryItemEntity;
import org.jfree.chart.fx.ChartCanvas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The model overview in a real window: bars drawn for the sample model, and 200 layers scroll. */
@ExtendWith(ApplicationExtension.class)
class OverviewViewTest {
    private final OverviewViewModel vm = new OverviewViewModel();
    private OverviewView view;

    @Start
    void start(Stage stage) {
        view = new OverviewView(vm);
        stage.setScene(new Scene(view, 900, 600));
        stage.show();
    }

    private static long bars(ChartCanvas canvas) {
        if (canvas.getRenderingInfo() == null) {
            return 0;
        }
        return canvas.getRenderingInfo().getEntityCollection().getEntities().stream()
                .filter(e -> e instanceof CategoryItemEntity).count();
    }

    @Test
    void theSampleModelAtHalfDrawsFourBarsPerLayer(FxRobot robot) throws Exception {
        Path file = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");
        Model m = ModelFiles.read(file);
        PruningResult r = new PruningEngine(m, new ScoreCache(false), null).run(
                PruningConfig.of(GlobalSettings.of(0.5, "magnitude", Allocation.ERK)), ProgressListener.NONE,
                CancellationToken.NONE);
        robot.interact(() -> vm.setRows(OverviewViewModel.fromResult(r)));
        ChartCanvas canvas = view.viewer().getCanvas();
        // requested + achieved, kept + pruned: four bars per layer, each a hoverable entity.
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> bars(canvas) == 4L * 5);
        assertEquals(20, bars(canvas));
        assertTrue(((org.jfree.chart.title.TextTitle) view.chart().getSubtitle(0)).getText().startsWith("5 layers"));
        ScrollPane scroll = robot.lookup("#overviewScroll").queryAs(ScrollPane.class);
        assertTrue(view.viewer().getHeight() <= scroll.getViewportBounds().getHeight() + 1, "five layers fit without scrolling");
    }

    @Test
    void twoHundredLayersKeepTheirLegibleHeightAndScroll(FxRobot robot) throws Exception {
        List<OverviewRow> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rows.add(new OverviewRow("encoder.layer." + i + ".mlp.weight", 0.6, 0.6, 1000, 400));
        }
        robot.interact(() -> vm.setRows(rows));
        WaitForAsyncUtils.waitForFxEvents();
        ScrollPane scroll = robot.lookup("#overviewScroll").queryAs(ScrollPane.class);
        double content = view.viewer().getHeight();
        assertTrue(content >= 200 * OverviewCharts.PIXELS_PER_LAYER, "chart height " + content);
        assertTrue(content > scroll.getViewportBounds().getHeight() * 5, "it scrolls");
        robot.interact(() -> scroll.setVvalue(1.0));
        assertEquals(1.0, scroll.getVvalue());
    }
}
