package org.sparsitybench.ui.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.quantize.Precision;
import org.sparsitybench.quantize.PrecisionSweep;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.ChartTheme;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.workbench.WorkbenchViewModel;

/**
 * Issue 17: the Curves tab's accuracy against compressed size over sparsity × precision, measured — real digits-mlp
 * pruned, quantized and run in ONNX Runtime on its validation split, sizes compressed from the files as written.
 */
class PrecisionSweepViewModelTest {
    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");

    @Test
    void theSweepMeasuresEveryPrecisionAtEveryLevelOnValidationAndDrawsItsFront() {
        WorkbenchViewModel window = new WorkbenchViewModel(FxTaskExecutor.direct(), null, Duration.ofMillis(50));
        window.open(DIGITS);
        List<String> errors = new ArrayList<>();
        PrecisionSweepViewModel vm = new PrecisionSweepViewModel(FxTaskExecutor.direct(), errors::add);
        int[] changes = {0};
        vm.addListener(() -> changes[0]++);
        assertTrue(vm.run(window.validationUnderTest(), DataSplits.VALIDATION, List.of(0.0, 0.8), 200));
        assertEquals(List.of(), errors);
        assertEquals(1, changes[0]);
        assertEquals(6, vm.points().size());
        assertEquals("validation", vm.split());
        Map<Double, Map<Precision, PrecisionSweep.Point>> by = vm.points().stream().collect(Collectors.groupingBy(
                PrecisionSweep.Point::sparsity, Collectors.toMap(PrecisionSweep.Point::precision, p -> p)));
        for (double level : List.of(0.0, 0.8)) {
            var at = by.get(level);
            assertTrue(at.get(Precision.INT8).compressedBytes() < at.get(Precision.FLOAT32).compressedBytes(), "" + at);
            assertTrue(at.get(Precision.INT8).accuracy() > 0.5, "measured, not a placeholder: " + at);
            assertEquals(135, at.get(Precision.FLOAT32).samples(), "the validation split: 10 % of 1,347 held out");
        }
        assertTrue(by.get(0.8).get(Precision.FLOAT32).compressedBytes() < by.get(0.0).get(Precision.FLOAT32)
                .compressedBytes(), "zeros compress");
        List<PrecisionSweep.Point> front = vm.front();
        assertEquals(PrecisionSweep.paretoFront(vm.points()), front, "the CLI's front, not a second one");
        assertFalse(front.isEmpty());

        JFreeChart chart = PrecisionCurves.chart(vm, ChartTheme.LIGHT);
        XYPlot plot = chart.getXYPlot();
        assertEquals("accuracy (validation)", plot.getRangeAxis().getLabel());
        XYDataset series = plot.getDataset(0);
        assertEquals(3, series.getSeriesCount(), "float32, int8, int4");
        XYDataset f = plot.getDataset(1);
        assertEquals(front.size(), f.getItemCount(0));
        assertEquals(front.get(0).compressedBytes() / 1000.0, f.getXValue(0, 0), 1e-9);

        vm.clear();
        assertEquals(List.of(), vm.points());
        assertEquals(null, PrecisionCurves.chart(vm, ChartTheme.LIGHT).getXYPlot().getDataset(1));
    }

    @Test
    void withoutAValidationSplitNothingRunsAndTheUserIsTold() {
        List<String> errors = new ArrayList<>();
        PrecisionSweepViewModel vm = new PrecisionSweepViewModel(FxTaskExecutor.direct(), errors::add);
        assertFalse(vm.run(org.sparsitybench.ui.common.ModelUnderTest.NONE, DataSplits.VALIDATION, List.of(0.5), 10));
        assertTrue(errors.get(0).contains("validation split"), errors.toString());
    }
}
