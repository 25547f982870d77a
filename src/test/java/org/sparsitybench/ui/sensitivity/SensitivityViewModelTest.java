package org.sparsitybench.ui.sensitivity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.ui.common.ChartTheme;

/** Drops, colours and charts of the sensitivity view without the FX toolkit. */
class SensitivityViewModelTest {
    private static final List<Sensitivity.LayerCurve> CURVES = List.of(
            new Sensitivity.LayerCurve("robust", 1000, List.of(new Sensitivity.Point(0, 0.90, 0.3, 0),
                    new Sensitivity.Point(0.5, 0.905, 0.3, 0.1), new Sensitivity.Point(0.9, 0.88, 0.4, 0.5))),
            new Sensitivity.LayerCurve("fragile", 100, List.of(new Sensitivity.Point(0, 0.90, 0.3, 0),
                    new Sensitivity.Point(0.5, 0.70, 0.9, 0.1), new Sensitivity.Point(0.75, 0.50, 1.5, 0.3))));

    private static SensitivityViewModel vm() {
        SensitivityViewModel vm = new SensitivityViewModel();
        vm.setCurves(CURVES);
        return vm;
    }

    @Test
    void levelsAreTheUnionOfAllLayersAscending() {
        assertEquals(List.of(0.0, 0.5, 0.75, 0.9), vm().levels());
    }

    @Test
    void aDropIsAgainstTheLayersOwnBaselineAndAnUnmeasuredCellIsNaN() {
        SensitivityViewModel vm = vm();
        assertEquals(0.0, vm.drop(0, 0), 1e-12);
        assertEquals(-0.005, vm.drop(0, 1), 1e-12, "a gain is a negative drop");
        assertEquals(0.20, vm.drop(1, 1), 1e-12);
        assertTrue(Double.isNaN(vm.drop(0, 2)), "robust was not measured at 75 %");
        assertTrue(Double.isNaN(vm.drop(1, 3)));
        assertEquals(0.40, vm.scale(), 1e-12);
    }

    @Test
    void biggerDropsAreRedderAndGainsAreBlue() {
        SensitivityViewModel vm = vm();
        int none = vm.color(0, 0);
        int small = vm.color(0, 3);
        int large = vm.color(1, 2);
        int gain = vm.color(0, 1);
        assertNotEquals(small, large);
        assertTrue(red(large) - blue(large) > red(small) - blue(small), "the larger drop is redder");
        assertTrue(blue(gain) > red(gain), "a gain leans blue");
        assertTrue(red(none) > 0xe0 && green(none) > 0xe0 && blue(none) > 0xe0, "no change is near white");
        assertEquals(DropColors.MISSING, vm.color(0, 2));
    }

    @Test
    void aTinyDropOnARobustModelStaysPale() {
        int c = DropColors.rgb(0.001, Math.max(SensitivityViewModel.MIN_SCALE, 0.001));
        assertTrue(green(c) > 0xc0, Integer.toHexString(c));
        assertEquals(0xffffff, DropColors.textOn(DropColors.rgb(1, 1)), "white text on deep red");
        assertEquals(0x000000, DropColors.textOn(DropColors.rgb(0, 1)), "black text on white");
    }

    @Test
    void theChartsHaveOneCurvePerLayerAndOneCellPerLayerAndLevel() {
        JFreeChart curves = SensitivityCharts.curves(vm(), ChartTheme.LIGHT);
        assertEquals(2, ((XYPlot) curves.getPlot()).getDataset().getSeriesCount());
        JFreeChart table = SensitivityCharts.table(vm(), ChartTheme.DARK);
        XYPlot plot = (XYPlot) table.getPlot();
        assertEquals(8, plot.getDataset().getItemCount(0));
        assertEquals(8, ((org.jfree.chart.renderer.xy.AbstractXYItemRenderer) plot.getRenderer()).getAnnotations().size(), "a value written in every cell");
    }

    private static int red(int rgb) {
        return (rgb >> 16) & 0xff;
    }

    private static int green(int rgb) {
        return (rgb >> 8) & 0xff;
    }

    private static int blue(int rgb) {
        return rgb & 0xff;
    }
}
