package org.sparsitybench.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.testing.Fixtures;

/** The session's own files without a window: what a killed write leaves behind is cleaned up. */
class SessionFilesTest {
    @TempDir
    Path dir;

    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");

    @Test
    void temporariesOfKilledWritesAreDeletedAndThoseOfLiveOnesKept() throws Exception {
        Path user = dir.resolve("user-temps");
        Files.createDirectories(user);
        long dead = deadPid();
        long self = ProcessHandle.current().pid();
        // What a write killed between creating and moving its temporary leaves: autosave (ProjectFiles.write's
        // naming) and recent files (AtomicFiles' naming).
        Path deadAutosave = Files.writeString(user.resolve(".autosave-" + dead + ".sbproj.8126354.part"), "{");
        Path liveAutosave = Files.writeString(user.resolve(".autosave-" + self + ".sbproj.77.part"), "{");
        Path deadRecent = Files.writeString(user.resolve(".recent.json.pid" + dead + "-4411.part"), "[");
        Path unrelated = Files.writeString(user.resolve(".autosave-notes.part"), "mine");
        try (Autosave a = new Autosave(user, java.time.Duration.ofMillis(10))) {
            assertFalse(Files.exists(deadAutosave), "a dead process's autosave temporary is deleted at start");
            assertTrue(Files.exists(liveAutosave), "a live process's is not");
            assertTrue(Files.exists(unrelated));
        }
        new RecentFiles(user).add(DIGITS);
        assertFalse(Files.exists(deadRecent), "a dead process's recent-files temporary is deleted on the next write");
        assertEquals(List.of(DIGITS.toAbsolutePath().normalize()), new RecentFiles(user).list());
        try (var left = Files.list(user)) {
            assertEquals(List.of(".autosave-" + self + ".sbproj.77.part", ".autosave-notes.part", "recent.json"),
                    left.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
