package org.sparsitybench.ui.overview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.junit.jupiter.api.Test;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.LayerSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.ChartTheme;

/** The model overview's rows and chart, from a real engine run, without the FX toolkit. */
class OverviewViewModelTest {
    static PruningResult lenetAtHalfWithFc1Dense() throws Exception {
        Path file = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");
        Model m = ModelFiles.read(file);
        PruningConfig c = PruningConfig.of(GlobalSettings.of(0.5, "magnitude", Allocation.UNIFORM))
                .withLayer("fc1.weight", LayerSettings.excludedLayer());
        return new PruningEngine(m, new ScoreCache(false), null).run(c, ProgressListener.NONE, CancellationToken.NONE);
    }

    @Test
    void rowsFollowTheEngineResultInModelOrder() throws Exception {
        PruningResult r = lenetAtHalfWithFc1Dense();
        OverviewViewModel vm = new OverviewViewModel();
        vm.setRows(OverviewViewModel.fromResult(r));
        assertEquals(List.of("conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight", "fc3.weight"),
                vm.rows().stream().map(OverviewRow::name).toList());
        OverviewRow fc1 = vm.rows().get(2);
        assertEquals(0.0, fc1.achieved());
        assertEquals(fc1.params(), fc1.kept());
        assertEquals(0.5, vm.rows().get(1).achieved(), 1e-3);
        assertEquals(r.layers().stream().mapToLong(l -> l.kept()).sum(), vm.totalKept());
        assertTrue(vm.summary().startsWith("5 layers"), vm.summary());
    }

    @Test
    void theChartHasTwoBarsPerLayerInEachPlotAndLaysThemHorizontally() throws Exception {
        OverviewViewModel vm = new OverviewViewModel();
        vm.setRows(OverviewViewModel.fromResult(lenetAtHalfWithFc1Dense()));
        JFreeChart chart = OverviewCharts.chart(vm.rows(), vm.summary(), ChartTheme.LIGHT);
        CombinedDomainCategoryPlot plot = (CombinedDomainCategoryPlot) chart.getPlot();
        assertEquals(PlotOrientation.HORIZONTAL, plot.getOrientation());
        CategoryPlot sparsity = (CategoryPlot) plot.getSubplots().get(0);
        CategoryPlot params = (CategoryPlot) plot.getSubplots().get(1);
        assertEquals(5, sparsity.getDataset().getColumnCount());
        assertEquals(List.of(OverviewCharts.REQUESTED, OverviewCharts.ACHIEVED), sparsity.getDataset().getRowKeys());
        assertEquals(List.of(OverviewCharts.KEPT, OverviewCharts.PRUNED), params.getDataset().getRowKeys());
        assertEquals(48_000L, params.getDataset().getValue(OverviewCharts.KEPT, "fc1.weight").longValue());
        assertEquals(0L, params.getDataset().getValue(OverviewCharts.PRUNED, "fc1.weight").longValue());
    }

    @Test
    void twoHundredLayersGetAChartTallEnoughForEveryName() {
        List<OverviewRow> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rows.add(new OverviewRow("blocks." + i + ".attention.query.weight", 0.5, 0.5 - i / 1000.0, 4096, 2048 + i));
        }
        int h = OverviewCharts.preferredHeight(rows.size());
        assertTrue(h >= 200 * OverviewCharts.PIXELS_PER_LAYER, "height " + h);
        JFreeChart chart = OverviewCharts.chart(rows, "", ChartTheme.DARK);
        BufferedImage img = chart.createBufferedImage(900, h);
        assertEquals(h, img.getHeight());
        CombinedDomainCategoryPlot plot = (CombinedDomainCategoryPlot) chart.getPlot();
        assertEquals(200, ((CategoryPlot) plot.getSubplots().get(0)).getDataset().getColumnCount());
    }

    @Test
    void aRowKeepingMoreThanItHasIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OverviewRow("x", 0, 0, 10, 11));
        assertTrue(e.getMessage().contains("kept 11 of 10"), e.getMessage());
    }
}
