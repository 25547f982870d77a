package org.sparsitybench.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.project.Project;
import org.sparsitybench.session.Autosave;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.FxTaskExecutor;

/** Issue 6, faults: a window killed with SIGKILL loses nothing the autosave held; the next start recovers it. */
class AutosaveRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void aKilledWindowsConfigurationAndSnapshotsAreRecovered() throws Exception {
        Path user = dir.resolve("user");
        Path model = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Djava.awt.headless=true", "-Dglass.platform=Monocle", "-Dmonocle.platform=Headless",
                "-Dprism.order=sw", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "-cp", cp, AutosaveKillChild.class.getName(),
                user.toString(), model.toString()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String ready = null;
        List<String> output = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                output.add(line);
                if (line.startsWith("READY")) {
                    ready = line;
                    break;
                }
            }
            assertTrue(ready != null, "the child window did not get ready: " + String.join("\n", output));
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no clean close
            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "killed by signal 9");
        } finally {
            child.destroyForcibly();
        }

        List<Autosave.Orphan> orphans = Autosave.orphans(user);
        assertEquals(1, orphans.size(), "the killed session's autosave is offered");
        WorkbenchViewModel vm = new WorkbenchViewModel(FxTaskExecutor.direct(), dir.resolve("other-user"));
        List<String> errors = new ArrayList<>();
        vm.errorProperty().addListener((o, a, b) -> errors.add(b));
        assertTrue(vm.project().recover(orphans.get(0).file()));
        assertEquals(List.of(), errors.stream().filter(e -> !e.isEmpty()).toList());
        assertEquals(0.2, vm.configProperty().get().global().target(), 1e-12);
        assertTrue(vm.configProperty().get().layer(vm.layers().rows().get(0).name()).locked(), "the lock survived");
        assertEquals(List.of("seventy", "twenty, first locked"),
                vm.project().snapshots().stream().map(Project.Snapshot::name).toList());
        assertEquals(0.7, vm.project().snapshots().get(0).config().global().target(), 1e-12);
        assertEquals(model.toAbsolutePath().normalize(), vm.modelProperty().get().file().toAbsolutePath().normalize());
        vm.project().close();
    }
}
