package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.workbench.WorkbenchViewModel;

/**
 * The window's Sensitivity button and {@code prune --allocation sensitivity} measure the same levels on the same
 * number of samples of the same validation split (the card's, by default), so one configuration gives one set of
 * sensitivity-guided masks wherever it is pruned.
 */
class SensitivityAgreementTest {
    @TempDir
    Path dir;

    private static final Path MLP = Fixtures.projectDir().resolve("sample-models/fashion-lenet-300-100/model.onnx");

    @Test
    void theWindowAndTheCommandLineGiveTheSameSensitivityGuidedMasks() throws Exception {
        WorkbenchViewModel vm = new WorkbenchViewModel(FxTaskExecutor.direct(), null, Duration.ofMillis(50));
        vm.open(MLP);
        vm.runSensitivity(WorkbenchViewModel.SENSITIVITY_LEVELS, Sensitivity.DEFAULT_SAMPLES);
        vm.bar().setAllocation(Allocation.SENSITIVITY);
        for (double target : new double[] {0.2, 0.6}) {
            vm.bar().setGlobalTarget(target);
            String window = PruneExport.masksSha256(vm.frameProperty().get().result().masks());
            Path out = dir.resolve("s" + target + ".onnx");
            Run r = InspectCommandTest.cli("prune", MLP.toString(), "--out", out.toString(), "--allocation",
                    "sensitivity", "--sparsity", Double.toString(target));
            assertEquals(0, r.code(), r.err());
            assertFalse(r.err().contains("warning"), r.err());
            JsonNode report = new ObjectMapper().readTree(PruneExport.reportFile(out).toFile());
            assertEquals("validation", report.get("split").asText(), "both read the card's validation split");
            assertEquals(vm.validationSource(), report.get("dataset").asText());
            assertEquals(window, report.get("masksSha256").asText(), "at target " + target);
        }
    }
}
