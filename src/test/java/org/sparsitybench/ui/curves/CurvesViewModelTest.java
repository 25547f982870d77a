package org.sparsitybench.ui.curves;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.project.Project;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.ui.common.ChartTheme;

/** The curves' model and charts without the FX toolkit. */
class CurvesViewModelTest {
    private static SweepPoint sweep(String method, double level, double accuracy, double latency, double compact) {
        return new SweepPoint(method, "uniform", level, level, accuracy, 1, 0.5, latency, compact, Double.NaN, 100, 1000, 4096);
    }

    private static final List<SweepPoint> SWEEP = List.of(
            sweep("magnitude", 0.0, 0.90, 2.0, Double.NaN), sweep("magnitude", 0.5, 0.88, 2.0, Double.NaN),
            sweep("random", 0.0, 0.90, 2.1, Double.NaN), sweep("random", 0.5, 0.40, 2.0, Double.NaN),
            sweep("l1-structured", 0.5, 0.70, 2.2, 1.0));

    @Test
    void aSweepGivesOneSeriesPerMethodAndStructuredPointsTakeTheirCompactedLatency() {
        List<CurveSeries> series = CurvesViewModel.fromSweep(SWEEP);
        assertEquals(List.of("magnitude / uniform", "random / uniform", "l1-structured / uniform"),
                series.stream().map(CurveSeries::name).toList());
        assertEquals(2, series.get(0).points().size());
        assertEquals(1.0, series.get(2).points().get(0).latencyMs());
        assertEquals(2.0, series.get(0).points().get(1).latencyMs());
    }

    @Test
    void eachSnapshotIsItsOwnNamedSeriesAndAnUnmeasuredAccuracyIsNaN() {
        PruningConfig c = PruningConfig.of(GlobalSettings.of(0.5, "magnitude", Allocation.UNIFORM));
        List<CurveSeries> s = CurvesViewModel.fromSnapshots(List.of(new Project.Snapshot("a", c, 0.5, 0.8, 0.4),
                new Project.Snapshot("a", c, 0.6, null, null),
                new Project.Snapshot("b", c, 0.7, 0.75, 0.5, 1.25, 1000L, 4000L),
                new Project.Snapshot("c", c, 0.7, 0.75, 0.5, 1.25, 1000L, 4000L, null, null, null, 1.0, 1.5)));
        assertEquals(List.of("snapshot: a", "snapshot: a (2)", "snapshot: b", "snapshot: c"), s.stream().map(CurveSeries::name).toList());
        assertTrue(Double.isNaN(s.get(1).points().get(0).accuracy()));
        assertTrue(Double.isNaN(s.get(0).points().get(0).latencyMs()), "an older snapshot has no latency");
        assertEquals(1.25, s.get(2).points().get(0).latencyMs());
        assertFalse(s.get(2).points().get(0).hasSpread(), "no spread recorded, none drawn");
        CurvePoint c1 = s.get(3).points().get(0);
        assertEquals(List.of(1.0, 1.25, 1.5), List.of(c1.latencyLowMs(), c1.latencyMs(), c1.latencyHighMs()),
                "a snapshot's spread becomes its error bar");
    }

    @Test
    void togglingASeriesHidesItAndTogglingAgainShowsIt() {
        CurvesViewModel vm = new CurvesViewModel();
        AtomicInteger changes = new AtomicInteger();
        vm.addListener(changes::incrementAndGet);
        vm.setSeries(CurvesViewModel.fromSweep(SWEEP));
        vm.toggle("random / uniform");
        assertFalse(vm.isVisible("random / uniform"));
        assertEquals(List.of("magnitude / uniform", "l1-structured / uniform"),
                vm.visibleSeries().stream().map(CurveSeries::name).toList());
        vm.toggle("random / uniform");
        assertEquals(3, vm.visibleSeries().size());
        vm.toggle("no such series");
        assertEquals(3, changes.get(), "set, hide, show; an unknown name changes nothing");
    }

    @Test
    void aHiddenSeriesStaysHiddenWhenTheSweepGrows() {
        CurvesViewModel vm = new CurvesViewModel();
        vm.setSeries(CurvesViewModel.fromSweep(SWEEP.subList(0, 2)));
        vm.toggle("magnitude / uniform");
        vm.setSeries(CurvesViewModel.fromSweep(SWEEP));
        assertFalse(vm.isVisible("magnitude / uniform"));
    }

    @Test
    void twoSeriesWithOneNameAreRefused() {
        CurvesViewModel vm = new CurvesViewModel();
        CurveSeries s = new CurveSeries("x", List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vm.setSeries(List.of(s, s)));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }

    @Test
    void theFrontCoversVisibleSeriesAndTheCurrentPoint() {
        CurvesViewModel vm = new CurvesViewModel();
        vm.setSeries(CurvesViewModel.fromSweep(SWEEP));
        // magnitude 0.90 @ 2.0 and l1-structured 0.70 @ 1.0 are non-dominated.
        assertEquals(List.of(1.0, 2.0), vm.paretoFront().stream().map(CurvePoint::latencyMs).toList());
        vm.toggle("l1-structured / uniform");
        assertEquals(List.of(2.0), vm.paretoFront().stream().map(CurvePoint::latencyMs).toList());
        vm.setCurrent(new CurvePoint(0.3, 0.95, 0.2, 0.5));
        assertEquals(List.of(0.5), vm.paretoFront().stream().map(CurvePoint::latencyMs).toList());
    }

    @Test
    void chartsPlotTheVisibleSeriesWithPointsOnThemAndTheLegendListsEverySeries() {
        CurvesViewModel vm = new CurvesViewModel();
        vm.setSeries(CurvesViewModel.fromSweep(SWEEP));
        vm.toggle("random / uniform");
        vm.setCurrent(new CurvePoint(0.5, 0.88, 0.5, Double.NaN));
        JFreeChart accuracy = CurvesCharts.chart(CurveKind.ACCURACY_VS_SPARSITY, vm, ChartTheme.LIGHT);
        XYPlot plot = (XYPlot) accuracy.getPlot();
        assertEquals(3, plot.getDataset().getSeriesCount(), "magnitude, l1-structured, current");
        assertEquals(CurvesViewModel.CURRENT, plot.getDataset().getSeriesKey(2));
        LegendItemCollection legend = accuracy.getLegend().getSources()[0].getLegendItems();
        assertEquals(4, legend.getItemCount(), "three series (one hidden) and the current point");
        assertEquals("random / uniform (hidden)", legend.get(1).getLabel());

        JFreeChart pareto = CurvesCharts.chart(CurveKind.ACCURACY_VS_LATENCY, vm, ChartTheme.DARK);
        XYPlot p = (XYPlot) pareto.getPlot();
        assertEquals(2, p.getDataset().getSeriesCount(), "the current point has no latency");
        assertEquals(CurvesCharts.PARETO, p.getDataset(1).getSeriesKey(0));
        assertEquals(2, p.getDataset(1).getItemCount(0));
    }

    @Test
    void aChartWithNothingToPlotSaysWhy() {
        CurvesViewModel vm = new CurvesViewModel();
        vm.setSeries(CurvesViewModel.fromSweep(List.of(sweep("magnitude", 0.5, 0.8, Double.NaN, Double.NaN))));
        XYPlot latency = (XYPlot) CurvesCharts.chart(CurveKind.LATENCY_VS_SPARSITY, vm, ChartTheme.LIGHT).getPlot();
        assertEquals(0, latency.getDataset().getSeriesCount());
        assertEquals("no latency measured yet", latency.getNoDataMessage());
    }
}
