package org.sparsitybench.ui.curves;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.PruneExportCurves;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;

/** The window's sweep on the bundled digits MLP with its real splits: any method, and "with recovery". */
class SweepViewModelTest {
    private final List<String> errors = new ArrayList<>();
    private final SweepViewModel vm = new SweepViewModel(FxTaskExecutor.direct(), errors::add);

    private static Path model() {
        return Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");
    }

    private static ModelUnderTest test() throws Exception {
        Model m = ModelFiles.read(model());
        ModelCard card = ModelCard.beside(model()).orElseThrow();
        return new ModelUnderTest(m, card, DataSplits.test(card, model()).orElseThrow().data());
    }

    private static ModelUnderTest validation(ModelUnderTest on) throws Exception {
        return new ModelUnderTest(on.model(), on.card(), DataSplits.validation(on.card(), model()).orElseThrow().data());
    }

    @Test
    void methodsCanBePickedAmongEveryRegisteredOneInTheirOrder() {
        assertEquals(List.of("magnitude", "random"), vm.methods());
        vm.choose("wanda", true);
        vm.choose("nm", true);
        vm.choose("random", false);
        assertEquals(List.of("magnitude", "nm", "wanda"), vm.methods(), "the registry's order");
        assertTrue(SweepViewModel.SWEEPABLE.containsAll(List.of("l1-structured", "sparsegpt", "sparsegpt-nm")),
                SweepViewModel.SWEEPABLE.toString());
    }

    @Test
    void wandaAndNmAreSweptWithValidationCalibration() throws Exception {
        ModelUnderTest on = test();
        assertFalse(vm.run(on, ModelUnderTest.NONE, Allocation.UNIFORM, List.of("wanda"), List.of(0.5), 200));
        assertTrue(errors.get(0).contains("validation split"), errors.toString());
        errors.clear();
        assertTrue(vm.run(on, validation(on), Allocation.UNIFORM, List.of("wanda", "nm"), List.of(0.5, 0.75), 200));
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals(List.of("wanda", "wanda", "nm", "nm"), vm.points().stream().map(SweepPoint::method).toList());
        assertEquals(0.75, vm.points().get(3).achieved(), 1e-3, "0.75 is the 1:4 pattern");
        assertTrue(vm.points().get(0).accuracy() > 0.5, vm.points().get(0).toString());
    }

    @Test
    void withRecoveryEachPointIsMeasuredOneShotThenRecoveredAndCurvesShowBothSeries() throws Exception {
        ModelUnderTest on = test();
        vm.recoverProperty().set(true);
        vm.recoveryEpochsProperty().set(2);
        vm.recoveryLimitProperty().set(600);
        assertTrue(vm.run(on, validation(on), Allocation.UNIFORM, List.of("magnitude"), List.of(0.8, 0.9), 300));
        assertTrue(errors.isEmpty(), errors.toString());
        List<SweepPoint> points = List.copyOf(vm.points());
        assertEquals(List.of(0, 2, 0, 2), points.stream().map(SweepPoint::recoveryEpochs).toList());
        for (int i = 0; i < 4; i += 2) {
            assertEquals(points.get(i).achieved(), points.get(i + 1).achieved(), 1e-9, "the masks are kept");
            assertTrue(points.get(i + 1).accuracy() > points.get(i).accuracy(),
                    "recovery lifts accuracy at " + points.get(i).requested() + ": " + points);
        }
        assertTrue(vm.runs().get(0).label().contains("with recovery (2 ep per point)"), vm.runs().toString());
        assertEquals(List.of("magnitude / uniform", "magnitude + recovery (2 ep) / uniform"),
                CurvesViewModel.fromSweep(points).stream().map(CurveSeries::name).toList());
        String[] csv = PruneExportCurves.csv(points, vm.runLabels(points), DataSplits.TEST).split("\n");
        assertTrue(csv[2].endsWith(",2,test"), csv[2]);
    }

    @Test
    void recoveryEpochsOutsideTheirRangeAreRefusedBeforeAnythingRuns() throws Exception {
        ModelUnderTest on = test();
        vm.recoverProperty().set(true);
        vm.recoveryEpochsProperty().set(0);
        assertFalse(vm.run(on, ModelUnderTest.NONE, Allocation.UNIFORM, List.of("magnitude"), List.of(0.5), 100));
        assertTrue(errors.get(0).startsWith("recovery epochs per point"), errors.toString());
        assertTrue(vm.points().isEmpty());
        assertTrue(vm.runs().isEmpty());
    }
}
