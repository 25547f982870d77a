package org.sparsitybench.ui.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.quantize.Precision;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/** The window's export of its precision choices, beside the pruned model the export wrote. */
class QuantizedExportTest {
    private static final Path MODEL = Fixtures.projectDir().resolve("sample-models/fashion-lenet-300-100/model.onnx");

    @TempDir
    Path dir;

    @Test
    void nothingIsWrittenWhenEveryLayerIsFloat() throws Exception {
        PrecisionViewModel vm = new PrecisionViewModel();
        Model m = ModelFiles.read(MODEL);
        vm.setModel(m);
        Path pruned = Files.copy(MODEL, dir.resolve("pruned.onnx"));
        assertEquals(List.of(), QuantizedExport.write(pruned, m, vm, ProgressListener.NONE, CancellationToken.NONE));
    }

    @Test
    void theChosenPrecisionsAreWrittenBesideThePrunedModelWithTheirReport() throws Exception {
        PrecisionViewModel vm = new PrecisionViewModel();
        Model m = ModelFiles.read(MODEL);
        vm.setModel(m);
        vm.setGlobal(Precision.INT8);
        vm.setLayer("fc1.weight", Precision.INT4);
        Path pruned = Files.copy(MODEL, dir.resolve("pruned.onnx"));
        List<Path> files = QuantizedExport.write(pruned, m, vm, ProgressListener.NONE, CancellationToken.NONE);
        assertEquals(List.of(dir.resolve("pruned-quantized.onnx"), dir.resolve("pruned-quantized.onnx.report.json")), files);
        JsonNode report = new ObjectMapper().readTree(files.get(1).toFile());
        assertEquals(List.of(4, 8, 8), List.of(report.get("layers").get(0).get("bits").asInt(),
                report.get("layers").get(1).get("bits").asInt(), report.get("layers").get(2).get("bits").asInt()));
        assertEquals(Files.size(files.get(0)), report.get("totals").get("fileBytesAfter").asLong());
        assertTrue(Files.size(files.get(0)) < Files.size(MODEL) / 4);
    }
}
