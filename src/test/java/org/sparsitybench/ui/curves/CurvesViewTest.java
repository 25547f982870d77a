package org.sparsitybench.ui.curves;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.input.MouseButton;
import javafx.stage.Stage;
import org.jfree.chart.entity.LegendItemEntity;
import org.jfree.chart.fx.ChartCanvas;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.project.Project;
import org.sparsitybench.ui.render.DigitsMeasurements;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The curves view in a real window, fed with a real sweep of the digits MLP. */
@ExtendWith(ApplicationExtension.class)
class CurvesViewTest {
    private final ObservableList<SweepPoint> points = FXCollections.observableArrayList();
    private final ObservableList<Project.Snapshot> snapshots = FXCollections.observableArrayList();
    private CurvesView view;

    @Start
    void start(Stage stage) {
        view = new CurvesView(points, snapshots);
        stage.setScene(new Scene(view, 1100, 800));
        stage.show();
    }

    private void fill(FxRobot robot) throws Exception {
        var m = DigitsMeasurements.atHalf();
        robot.interact(() -> {
            points.setAll(m.sweep());
            view.viewModel().setCurrent(m.current());
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void aSweepDrawsOneSeriesPerMethodOnEveryChartAndTheFrontOnTheLatencyChart(FxRobot robot) throws Exception {
        fill(robot);
        assertEquals(3, view.dataset().getSeriesCount(), "magnitude, random, current");
        assertEquals(3, view.dataset().getSeries(0).getItemCount(), "levels 0, 50 and 90 %");
        assertEquals(CurvesViewModel.CURRENT, view.dataset().getSeriesKey(2));
        for (CurveKind kind : CurveKind.values()) {
            XYPlot plot = (XYPlot) view.chart(kind).getPlot();
            assertEquals(3, plot.getDataset().getSeriesCount(), kind + ": latency was measured for every point");
            assertTrue(robot.lookup("#" + CurvesView.id(kind)).tryQuery().isPresent(), kind.name());
        }
        XYPlot pareto = (XYPlot) view.chart(CurveKind.ACCURACY_VS_LATENCY).getPlot();
        assertTrue(pareto.getDataset(1).getItemCount(0) >= 1, "the front has a point");
    }

    @Test
    void clickingALegendItemHidesItsSeriesAndClickingAgainShowsIt(FxRobot robot) throws Exception {
        fill(robot);
        clickLegend(robot, "random / uniform");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !view.viewModel().isVisible("random / uniform"));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(2, view.dataset().getSeriesCount(), "magnitude and current");
        assertEquals("magnitude / uniform", view.dataset().getSeriesKey(0));
        XYPlot loss = (XYPlot) view.chart(CurveKind.LOSS_VS_SPARSITY).getPlot();
        assertEquals(2, loss.getDataset().getSeriesCount(), "hidden on every chart");

        clickLegend(robot, "random / uniform");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> view.viewModel().isVisible("random / uniform"));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(3, view.dataset().getSeriesCount());
    }

    @Test
    void eachSavedSnapshotAppearsAsItsOwnPoint(FxRobot robot) throws Exception {
        fill(robot);
        var config = DigitsMeasurements.atHalf().result().config();
        robot.interact(() -> snapshots.addAll(new Project.Snapshot("half", config, 0.5, 0.9, 0.3),
                new Project.Snapshot("unmeasured", config, 0.5, null, null)));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(4, view.dataset().getSeriesCount(), "two sweeps, the measured snapshot, the current point");
        assertEquals("snapshot: half", view.dataset().getSeriesKey(2));
    }

    /** Clicks the legend item of {@code series} on the accuracy chart where the canvas last drew it. */
    private void clickLegend(FxRobot robot, String series) throws Exception {
        ChartCanvas canvas = view.viewer(CurveKind.ACCURACY_VS_SPARSITY).getCanvas();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> legendEntity(canvas, series) != null);
        LegendItemEntity e = legendEntity(canvas, series);
        var bounds = e.getArea().getBounds2D();
        Point2D at = canvas.localToScreen(bounds.getCenterX(), bounds.getCenterY());
        robot.moveTo(at).clickOn(MouseButton.PRIMARY);
    }

    private static LegendItemEntity legendEntity(ChartCanvas canvas, String series) {
        if (canvas.getRenderingInfo() == null) {
            return null;
        }
        for (Object o : canvas.getRenderingInfo().getEntityCollection().getEntities()) {
            if (o instanceof LegendItemEntity l && series.equals(l.getSeriesKey())) {
                return l;
            }
        }
        return null;
    }
}
