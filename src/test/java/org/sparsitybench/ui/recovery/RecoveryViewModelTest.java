package org.sparsitybench.ui.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.collections.ListChangeListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.train.Param;
import org.sparsitybench.train.Recovery;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;
import org.sparsitybench.ui.common.UndoableConfig;
import org.sparsitybench.testing.Fixtures;

/** The Recover pane's view model on the bundled digits MLP and its real training split (a few hundred samples). */
class RecoveryViewModelTest {
    private static final PruningConfig HALF = PruningConfig.of(GlobalSettings.of(0.5, "magnitude", Allocation.UNIFORM));

    private final List<String> errors = new ArrayList<>();

    private static ModelUnderTest digits() throws Exception {
        Path file = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");
        Model m = ModelFiles.read(file);
        return new ModelUnderTest(m, ModelCard.beside(file).orElseThrow(), null);
    }

    private RecoveryViewModel vm(ModelUnderTest on) {
        RecoveryViewModel vm = new RecoveryViewModel(FxTaskExecutor.direct(), errors::add, () -> on,
                new UndoableConfig(HALF));
        vm.limitProperty().set(400);
        vm.epochsProperty().set(2);
        vm.learningRateProperty().set(3e-3);
        return vm;
    }

    @Test
    void badFieldsAreRefusedWithTheirName() throws Exception {
        ModelUnderTest on = digits();
        RecoveryViewModel vm = vm(on);
        assertNull(vm.problem());
        vm.epochsProperty().set(0);
        assertTrue(vm.problem().startsWith("epochs"), vm.problem());
        assertFalse(vm.start());
        assertEquals(1, errors.size());
        assertTrue(vm.history().isEmpty());
        assertFalse(vm.runningProperty().get());
        vm.epochsProperty().set(2);
        vm.learningRateProperty().set(Double.NaN);
        assertTrue(vm.problem().startsWith("learning rate"), vm.problem());
        vm.learningRateProperty().set(0);
        assertTrue(vm.problem().startsWith("learning rate"), vm.problem());
        vm.learningRateProperty().set(1e-3);
        for (double wd : new double[] {-0.1, Double.NaN, 2}) {
            vm.weightDecayProperty().set(wd);
            assertTrue(vm.problem().startsWith("weight decay"), wd + ": " + vm.problem());
        }
        vm.weightDecayProperty().set(0.01);
        vm.scheduleProperty().set(null);
        assertTrue(vm.problem().startsWith("learning-rate schedule"), vm.problem());
        vm.scheduleProperty().set(org.sparsitybench.train.LrSchedule.STEP);
        assertNull(vm.problem());
        assertTrue(vm.problem(ModelUnderTest.NONE).contains("open a model"));
        assertTrue(vm.problem(new ModelUnderTest(on.model(), null, null)).contains("model card"));
    }

    @Test
    void theScheduleAndWeightDecayChosenAreTheOnesTrainedWithAndSaidInTheStatus() throws Exception {
        ModelUnderTest on = digits();
        RecoveryViewModel cosine = vm(on);
        assertEquals(org.sparsitybench.train.LrSchedule.COSINE, cosine.scheduleProperty().get(), "the default");
        assertEquals(0, cosine.weightDecayProperty().get(), "plain Adam by default, as the command line");
        assertTrue(cosine.start(), errors.toString());
        RecoveryViewModel constant = vm(on);
        constant.scheduleProperty().set(org.sparsitybench.train.LrSchedule.CONSTANT);
        constant.weightDecayProperty().set(0.5);
        assertTrue(constant.start(), errors.toString());
        assertTrue(errors.isEmpty(), errors.toString());

        Recovery.Config used = constant.outcomeProperty().get().settings();
        assertEquals(org.sparsitybench.train.LrSchedule.CONSTANT, used.schedule());
        assertEquals(0.5, used.weightDecay());
        assertEquals(3e-3, used.lr());
        String status = constant.statusProperty().get();
        assertTrue(status.contains("lr 0.003, constant, weight decay 0.5"), status);
        assertTrue(cosine.statusProperty().get().contains("lr 0.003, cosine decay to 0 over all steps)"),
                cosine.statusProperty().get());
        RecoveredWeights.State shown = constant.weights().shown(on.model(), HALF);
        assertTrue(shown.label().matches("recovered: epoch [12] of 2, best on validation"), "the accuracy line's "
                + "words: " + shown.label());
        assertEquals(shown.label() + "; lr 0.003 constant, weight decay 0.5", shown.described(),
                "what a snapshot and an export record");

        // Same seed, data and masks: only the schedule and the decay differ, and the kept weights with them.
        boolean differ = false;
        var a = cosine.outcomeProperty().get().net().tensors();
        for (Param p : constant.outcomeProperty().get().net().tensors().values()) {
            float[] other = a.get(p.name).value;
            for (int i = 0; i < p.value.length && !differ; i++) {
                differ = p.value[i] != other[i];
            }
        }
        assertTrue(differ, "the schedule and the decay changed the training");
    }

    @Test
    void aTinyRunCompletesKeepsTheMasksAndExportsBesideNotOver(@TempDir Path dir) throws Exception {
        ModelUnderTest on = digits();
        RecoveryViewModel vm = vm(on);
        assertTrue(vm.start(), errors.toString());
        assertTrue(errors.isEmpty(), errors.toString());
        assertFalse(vm.runningProperty().get());
        assertEquals(2, vm.history().size());
        assertEquals(List.of(1, 2), vm.history().stream().map(Recovery.Epoch::epoch).toList());
        RecoveryViewModel.Outcome o = vm.outcomeProperty().get();
        assertNotNull(o);
        assertFalse(o.cancelled());
        assertEquals(40, o.validationSamples(), "a seeded 10 % hold-out of the 400 samples");
        assertEquals(360, o.trainSamples());
        assertEquals(0.5, o.bestEpoch().sparsity(), 0.01);
        for (Recovery.Epoch e : vm.history()) {
            assertTrue(Double.isFinite(e.trainLoss()) && e.validationAccuracy() > 0.5, e.toString());
        }
        assertTrue(vm.statusProperty().get().startsWith("Recovered weights"), vm.statusProperty().get());
        assertTrue(vm.statusProperty().get().contains("hold-out of the train split"));

        // Pruned positions stay exactly 0; kept weights moved.
        boolean moved = false;
        for (Param p : o.net().tensors().values()) {
            float[] before = on.model().tensor(p.name).orElseThrow().data().readAllFloats();
            for (int i = 0; i < p.value.length; i++) {
                if (p.frozen != null && p.frozen[i]) {
                    assertEquals(0, Float.floatToRawIntBits(p.value[i]), p.name + "[" + i + "]");
                } else if (p.value[i] != before[i]) {
                    moved = true;
                }
            }
        }
        assertTrue(moved, "training changed the kept weights");

        // Export: never over the opened model; beside it elsewhere, with the masks.
        assertTrue(vm.export(on.model().file(), p -> { }));
        assertEquals(1, errors.size(), "overwriting the opened model is refused");
        Path out = dir.resolve("digits.recovered.onnx");
        List<Path> written = new ArrayList<>();
        assertTrue(vm.export(out, written::add));
        assertEquals(List.of(out), written);
        Model back = ModelFiles.read(out);
        long zeros = 0;
        long prunable = 0;
        for (WeightTensor t : back.prunableTensors()) {
            for (float f : t.data().readAllFloats()) {
                zeros += f == 0f ? 1 : 0;
                prunable++;
            }
        }
        assertEquals(0.5, (double) zeros / prunable, 0.01);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList(), "no temporary file left behind");
        }
        assertEquals(dir.resolve("x").resolveSibling("model.recovered.onnx").getFileName(),
                RecoveryViewModel.defaultExport(on.model()).getFileName());
    }

    @Test
    void cancelAfterTheFirstEpochKeepsIt() throws Exception {
        RecoveryViewModel vm = vm(digits());
        vm.epochsProperty().set(5);
        vm.history().addListener((ListChangeListener<Recovery.Epoch>) c -> vm.cancel());
        assertTrue(vm.start());
        assertEquals(1, vm.history().size());
        RecoveryViewModel.Outcome o = vm.outcomeProperty().get();
        assertTrue(o.cancelled());
        assertEquals(1, o.result().best());
        assertTrue(vm.statusProperty().get().startsWith("Cancelled after 1 of 5 epochs; the best completed epoch is kept"),
                vm.statusProperty().get());
        assertTrue(errors.isEmpty(), errors.toString());
    }
}
