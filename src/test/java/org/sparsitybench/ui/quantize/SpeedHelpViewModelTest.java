package org.sparsitybench.ui.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.Latency;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.workbench.WorkbenchViewModel;

/**
 * Issue 17: Help says which combinations make ONNX Runtime faster on this CPU from measurements made here — the
 * open model timed as float and as static INT8 at batch 1 and 32 with the runs' spread — not from figures measured
 * on another machine.
 */
class SpeedHelpViewModelTest {
    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");

    @Test
    void measuringTimesFloatAndInt8AtBatch1And32HereAndSaysWhichIsFaster() throws Exception {
        WorkbenchViewModel window = new WorkbenchViewModel(FxTaskExecutor.direct(), null, Duration.ofMillis(50));
        window.open(DIGITS);
        List<String> errors = new ArrayList<>();
        SpeedHelpViewModel vm = new SpeedHelpViewModel(FxTaskExecutor.direct(), errors::add);
        assertTrue(vm.text().contains("not measured yet"), vm.text());
        assertTrue(vm.measure(window.validationUnderTest()));
        assertEquals(List.of(), errors);
        String m = vm.measuredProperty().get();
        assertTrue(Pattern.compile("^Measured on this CPU, model\\.onnx, one thread, median of \\d+ runs \\(p10–p90\\):")
                .matcher(m).find(), m);
        assertTrue(m.contains("• batch 1: float ") && m.contains("• batch 32: float "), m);
        assertTrue(Pattern.compile("INT8 runs at \\d+\\.\\d\\d× the float speed — (the same speed within noise|INT8 is "
                + "faster here|INT8 is slower here: keep float for speed)\\.").matcher(m).find(), m);
        try (Stream<Path> left = Files.list(DIGITS.getParent())) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith(".sparsitybench-speed-")),
                    "the INT8 copy is deleted");
        }
        vm.clear();
        assertTrue(vm.measuredProperty().get().contains("not measured yet"));
    }

    @Test
    void theVerdictFollowsTheFiguresAndOverlappingBandsAreWithinNoise() {
        Latency f = new Latency(1, 1, 0.030, 0.028, 0.033, 0, 0, 30);
        String slower = SpeedHelpViewModel.describe("lenet5", List.of(new SpeedHelpViewModel.Row(1, f,
                new Latency(1, 1, 0.061, 0.058, 0.066, 0, 0, 30))));
        assertTrue(slower.contains("INT8 runs at 0.49× the float speed — INT8 is slower here"), slower);
        String tie = SpeedHelpViewModel.describe("mlp", List.of(new SpeedHelpViewModel.Row(32, f,
                new Latency(32, 1, 0.029, 0.026, 0.031, 0, 0, 30))));
        assertTrue(tie.contains("the same speed within noise"), tie);
    }

    @Test
    void theGuideAssertsNoFigureMeasuredElsewhere() {
        assertFalse(Pattern.compile("\\d+\\.\\d+ ?(×|ms)").matcher(SpeedHelpViewModel.GUIDE).find(),
                SpeedHelpViewModel.GUIDE);
    }
}
