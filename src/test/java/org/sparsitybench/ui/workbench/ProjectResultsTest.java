package org.sparsitybench.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.layers.LayerRow;

/**
 * Issue 18 item 6: a {@code .sbproj} keeps the session's sweeps (each run with its id and label) and its
 * sensitivity analysis, so a reopened project shows them and the guided allocation works without rerunning.
 * Real engine and ONNX Runtime on the digits sample; tasks on the calling thread.
 */
class ProjectResultsTest {
    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");

    @TempDir
    Path dir;

    private final List<String> errors = new ArrayList<>();

    private WorkbenchViewModel vm() {
        WorkbenchViewModel vm = new WorkbenchViewModel(FxTaskExecutor.direct(), null, Duration.ofMillis(50));
        vm.errorProperty().addListener((o, a, b) -> {
            if (!b.isEmpty()) {
                errors.add(b);
            }
        });
        return vm;
    }

    @Test
    void aReopenedProjectShowsItsSweepsAndSensitivityWithoutRerunningThem() {
        WorkbenchViewModel first = vm();
        first.open(DIGITS);
        assertTrue(first.runSweep(List.of("magnitude"), List.of(0.0, 0.5), 20));
        assertTrue(first.runSensitivity(List.of(0.0, 0.5, 0.9), 100));
        Path project = dir.resolve("study.sbproj");
        first.project().saveProject(project);
        assertEquals(List.of(), errors);

        WorkbenchViewModel again = vm();
        assertTrue(again.project().openProject(project));
        assertEquals(List.of(), errors);
        assertEquals(first.sweep().runs(), again.sweep().runs(), "the runs with their ids and labels");
        assertEquals(List.copyOf(first.sweep().points()), List.copyOf(again.sweep().points()));
        assertEquals(first.sensitivity().curves(), again.sensitivity().curves());
        for (LayerRow row : again.layers().rows()) {
            assertFalse(Double.isNaN(row.sensitivityProperty().get()), row.name() + " shows its drop");
        }
        again.bar().setAllocation(Allocation.SENSITIVITY);
        assertEquals(List.of(), errors, "the guided allocation needs no new analysis");
        assertEquals(Allocation.SENSITIVITY, again.configProperty().get().global().allocation());
        assertTrue(again.runSweep(List.of("magnitude"), List.of(0.5), 20));
        assertEquals(first.sweep().runs().get(0).id() + 1, again.sweep().runs().get(0).id(),
                "a new run's id follows the restored ones");
    }
}
