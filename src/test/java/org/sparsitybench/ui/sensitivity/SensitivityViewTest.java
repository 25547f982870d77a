package org.sparsitybench.ui.sensitivity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.geom.Rectangle2D;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import org.jfree.chart.fx.ChartCanvas;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.ui.render.DigitsMeasurements;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The sensitivity view in a real window, fed with a real sensitivity analysis of the digits MLP. */
@ExtendWith(ApplicationExtension.class)
class SensitivityViewTest {
    private final SensitivityViewModel vm = new SensitivityViewModel();
    private SensitivityView view;

    @Start
    void start(Stage stage) {
        view = new SensitivityView(vm);
        stage.setScene(new Scene(view, 1000, 800));
        stage.show();
    }

    @Test
    void oneCurvePerLayerAndTableCellsColouredByTheirDrop(FxRobot robot) throws Exception {
        List<Sensitivity.LayerCurve> curves = DigitsMeasurements.atHalf().sensitivity();
        robot.interact(() -> vm.setCurves(curves));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(curves.size(), ((XYPlot) view.curvesChart().getPlot()).getDataset().getSeriesCount());

        // The most and the least damaging cells at the highest level, as painted on screen.
        int top = vm.levels().size() - 1;
        int worst = 0;
        int mildest = 0;
        for (int l = 0; l < curves.size(); l++) {
            worst = vm.drop(l, top) > vm.drop(worst, top) ? l : worst;
            mildest = vm.drop(l, top) < vm.drop(mildest, top) ? l : mildest;
        }
        assertTrue(vm.drop(worst, top) - vm.drop(mildest, top) > 0.01, "digits layers differ in sensitivity");
        ChartCanvas canvas = view.tableViewer().getCanvas();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> canvas.getRenderingInfo() != null
                && canvas.getRenderingInfo().getPlotInfo().getDataArea().getWidth() > 0);
        WritableImage shot = snapshot(robot, canvas);
        int worstRgb = pixel(shot, canvas, top, worst);
        int mildestRgb = pixel(shot, canvas, top, mildest);
        int levelZero = pixel(shot, canvas, 0, worst);
        assertNotEquals(worstRgb, mildestRgb);
        assertNear(vm.color(worst, top), worstRgb);
        assertNear(vm.color(mildest, top), mildestRgb);
        assertNear(vm.color(worst, 0), levelZero);
    }

    private static WritableImage snapshot(FxRobot robot, ChartCanvas canvas) {
        WritableImage[] out = new WritableImage[1];
        robot.interact(() -> out[0] = canvas.snapshot(null, null));
        return out[0];
    }

    /** The colour at a quarter into cell (level, layer), clear of the value written at its centre. */
    private int pixel(WritableImage shot, ChartCanvas canvas, int level, int layer) {
        XYPlot plot = (XYPlot) view.tableChart().getPlot();
        Rectangle2D area = canvas.getRenderingInfo().getPlotInfo().getDataArea();
        double x = plot.getDomainAxis().valueToJava2D(level - 0.3, area, plot.getDomainAxisEdge());
        double y = plot.getRangeAxis().valueToJava2D(layer - 0.3, area, plot.getRangeAxisEdge());
        return shot.getPixelReader().getArgb((int) Math.round(x), (int) Math.round(y)) & 0xffffff;
    }

    private static void assertNear(int expected, int actual) {
        for (int shift : new int[] {16, 8, 0}) {
            int e = (expected >> shift) & 0xff;
            int a = (actual >> shift) & 0xff;
            assertTrue(Math.abs(e - a) <= 3, String.format("expected #%06x, painted #%06x", expected, actual));
        }
    }
}
