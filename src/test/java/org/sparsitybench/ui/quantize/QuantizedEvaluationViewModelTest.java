package org.sparsitybench.ui.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.quantize.Precision;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;

/** The window's precision line, run on the calling thread: measured when a layer is quantized, empty when none is. */
class QuantizedEvaluationViewModelTest {
    private static final Path MODEL = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");

    @Test
    void aPrunedConfigurationIsQuantizedCalibratedOnTheValidationSplitAndMeasured() throws Exception {
        Model m = ModelFiles.read(MODEL);
        ModelCard card = ModelCard.forModel(MODEL, null);
        ModelUnderTest on = new ModelUnderTest(m, card, Datasets.open(card.testData(MODEL).orElseThrow()));
        DataSplits.Split calibration = QuantizedEvaluationViewModel.calibrationData(on).orElseThrow();
        assertEquals(DataSplits.VALIDATION, calibration.name(), "calibration chooses ranges: validation, never test");
        assertEquals(DataSplits.validation(card, MODEL).orElseThrow().data().count(), calibration.data().count());
        assertTrue(calibration.data().count() < 12_000, "a held-out share of the 12k training images, not all of them");
        PruningResult r = new PruningEngine(m).run(PruningConfig.of(GlobalSettings.of(0.5, "magnitude",
                Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
        PrecisionViewModel precision = new PrecisionViewModel();
        precision.setModel(m);
        QuantizedEvaluationViewModel vm = new QuantizedEvaluationViewModel(FxTaskExecutor.direct(), precision);
        precision.addChoiceListener(vm::again);
        vm.request(on, r, null);
        assertEquals("", vm.textProperty().get(), "everything float32: nothing to measure");
        precision.setGlobal(Precision.INT8);
        assertTrue(vm.textProperty().get().startsWith("quantized (one-shot: mask only): test accuracy "),
                vm.textProperty().get());
        assertTrue(vm.textProperty().get().matches(".*latency [0-9.]+ ms \\(p10–p90 [0-9.]+–[0-9.]+\\).*"),
                "a latency with its spread: " + vm.textProperty().get());
        assertTrue(vm.textProperty().get().contains("8.00 bits/weight"), vm.textProperty().get());
        double accuracy = precision.measured().orElseThrow().evaluation().accuracy();
        assertTrue(accuracy > 0.7, "lenet5 at 50 % (uniform, convolutions too) and INT8 still classifies: " + accuracy);

        // The weights on screen (here: every prunable weight zeroed) are what is quantized and measured.
        java.util.Map<String, org.sparsitybench.model.TensorData> zeros = new java.util.LinkedHashMap<>();
        for (var t : m.prunableTensors()) {
            zeros.put(t.name(), org.sparsitybench.model.TensorData.ofFloats(new float[(int) t.elementCount()]));
        }
        vm.request(on, r, zeros, "reconstructed", null);
        assertTrue(vm.textProperty().get().startsWith("quantized (reconstructed): test accuracy "),
                vm.textProperty().get());
        double blank = precision.measured().orElseThrow().evaluation().accuracy();
        assertTrue(blank < 0.2, "all-zero weights, not the masked ones, were measured: " + blank);
        precision.setGlobal(Precision.FLOAT32);
        assertEquals("", vm.textProperty().get());
    }
}
