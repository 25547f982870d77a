package org.sparsitybench.ui.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.quantize.Precision;
import org.sparsitybench.quantize.QuantizedMeter;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/** The window's precision choices on fashion-lenet5, and one background measurement of them in ONNX Runtime. */
class PrecisionViewModelTest {
    private static final Path MODEL = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");
    private static final Path DATA = Fixtures.projectDir().resolve("sample-models/data/fashion-mnist");

    private static PrecisionViewModel lenet5() throws Exception {
        PrecisionViewModel vm = new PrecisionViewModel();
        vm.setModel(ModelFiles.read(MODEL));
        return vm;
    }

    @Test
    void onlyConvGemmAndMatMulWeightsAreListedAndEverythingStartsFloat() throws Exception {
        PrecisionViewModel vm = lenet5();
        assertEquals(List.of("conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight", "fc3.weight"), vm.layers());
        assertEquals(32, vm.bitsPerWeight());
        assertTrue(vm.config().isEmpty(), "nothing to quantize");
        assertEquals(Precision.FLOAT32, vm.precision("bn1.weight"));
        assertThrows(IllegalArgumentException.class, () -> vm.setLayer("bn1.weight", Precision.INT8));
    }

    @Test
    void aLayerOverrideBeatsTheGlobalPrecisionAndSnapshotsRoundTrip() throws Exception {
        PrecisionViewModel vm = lenet5();
        int[] events = {0};
        vm.addListener(() -> events[0]++);
        vm.setGlobal(Precision.INT8);
        assertEquals(8, vm.bitsPerWeight(), 1e-12);
        vm.setLayer("fc1.weight", Precision.INT4);
        vm.setLayer("conv1.weight", Precision.FLOAT32);
        // fc1 holds 48,000 of the 61,470 quantizable weights; conv1 150.
        double expected = (150 * 32.0 + 2400 * 8 + 48000 * 4 + 10080 * 8 + 840 * 8) / 61470;
        assertEquals(expected, vm.bitsPerWeight(), 1e-9);
        assertEquals(3, events[0]);
        Map<String, String> snap = vm.snapshot();
        assertEquals(Map.of("conv1.weight", "float", "conv2.weight", "int8", "fc1.weight", "int4", "fc2.weight", "int8",
                "fc3.weight", "int8"), snap);
        assertEquals(Precision.INT4, vm.config().orElseThrow().precisionOf("fc1.weight"));
        vm.setLayer("fc1.weight", null);
        assertEquals(Precision.INT8, vm.precision("fc1.weight"));
        vm.restore(snap);
        assertEquals(snap, vm.snapshot());
    }

    @Test
    void aSnapshotRecordsPrecisionAndAProjectFileKeepsIt(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        PrecisionViewModel vm = lenet5();
        vm.setGlobal(Precision.INT8);
        vm.setLayer("conv1.weight", Precision.FLOAT32);
        var config = org.sparsitybench.prune.PruningConfig.of(org.sparsitybench.prune.GlobalSettings.of(0.5,
                "magnitude", org.sparsitybench.prune.Allocation.UNIFORM));
        var snap = new org.sparsitybench.project.Project.Snapshot("s", config, 0.5, 0.9, 0.3, 0.1, 100L, null,
                vm.snapshot());
        Path file = dir.resolve("p.sbproj");
        org.sparsitybench.project.ProjectFiles.write(file, org.sparsitybench.project.ProjectFiles.create(file, MODEL,
                null, config, List.of(snap)));
        var read = org.sparsitybench.project.ProjectFiles.read(file).project().snapshots().get(0);
        assertEquals(vm.snapshot(), read.precision());
        PrecisionViewModel other = lenet5();
        other.restore(read.precision());
        assertEquals(Precision.FLOAT32, other.precision("conv1.weight"));
        assertEquals(Precision.INT8, other.precision("fc2.weight"));
    }

    @Test
    void theBackgroundMeasurementQuantizesTheFileAndSaysWhetherItIsFaster() throws Exception {
        PrecisionViewModel vm = lenet5();
        vm.setGlobal(Precision.INT8);
        ModelCard card = ModelCard.forModel(MODEL, null);
        QuantizedMeter.Measurement m = vm.measurement(MODEL, card,
                Datasets.open(DATA.resolve("train-12k-images-idx3-ubyte.gz")),
                Datasets.open(DATA.resolve("t10k-images-idx3-ubyte.gz")), 500, 3).orElseThrow()
                .run(ProgressListener.NONE, CancellationToken.NONE);
        vm.setMeasured(m);
        assertEquals(500, m.evaluation().samples());
        assertTrue(m.evaluation().accuracy() > 0.85, "accuracy " + m.evaluation().accuracy());
        assertTrue(m.fileBytes() < java.nio.file.Files.size(MODEL) / 3);
        assertTrue(m.compressedBytes() < m.fileBytes());
        assertTrue(vm.totals().startsWith("8.00 bits/weight · "), vm.totals());
        double quantized = m.latency().medianMs();
        assertTrue(vm.speedNote(quantized * 2).contains("2.00× the float speed"), vm.speedNote(quantized * 2));
        assertTrue(vm.speedNote(quantized / 2).contains("not faster on this CPU"), vm.speedNote(quantized / 2));
    }
}
