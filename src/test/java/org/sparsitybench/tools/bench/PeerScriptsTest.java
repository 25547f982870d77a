package org.sparsitybench.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.SparsityBenchCli;

/** A bench finds its peer script through --peer-script or $SPARSITYBENCH_PEERS, and says what to pass otherwise. */
class PeerScriptsTest {
    @TempDir
    Path dir;

    @Test
    void theOptionWinsOverTheEnvironment() throws Exception {
        Path script = Files.writeString(dir.resolve("mine.py"), "");
        Path other = Files.createDirectory(dir.resolve("peers"));
        Files.writeString(other.resolve("peer_prune.py"), "");
        assertEquals(script, PeerScripts.locate("bench prune", script, "peer_prune.py",
                Map.of(PeerScripts.ENV, other.toString())));
    }

    @Test
    void theEnvironmentNamesTheFolderHoldingTheScripts() throws Exception {
        Path script = Files.writeString(dir.resolve("peer_prune.py"), "");
        assertEquals(script, PeerScripts.locate("bench prune", null, "peer_prune.py",
                Map.of(PeerScripts.ENV, dir.toString())));
    }

    @Test
    void withNeitherTheErrorNamesTheOptionTheVariableAndNoPeer() {
        var e = assertThrows(SparsityBenchCli.UsageException.class,
                () -> PeerScripts.locate("bench prune", null, "peer_prune.py", Map.of()));
        for (String what : new String[] {"peer_prune.py", "--peer-script", "SPARSITYBENCH_PEERS", "--no-peer",
            "shared/bench/"}) {
            assertTrue(e.getMessage().contains(what), e.getMessage());
        }
    }

    @Test
    void aFolderWithoutTheScriptIsNamedInTheError() {
        var e = assertThrows(SparsityBenchCli.UsageException.class,
                () -> PeerScripts.locate("bench prune", null, "peer_prune.py", Map.of(PeerScripts.ENV, dir.toString())));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("holds no peer_prune.py"),
                e.getMessage());
    }

    @Test
    void aMissingOptionFileIsNamedInTheError() {
        Path missing = dir.resolve("nothing.py");
        var e = assertThrows(SparsityBenchCli.UsageException.class,
                () -> PeerScripts.locate("bench prune", missing, "peer_prune.py", Map.of()));
        assertTrue(e.getMessage().contains("--peer-script " + missing + ": no such file"), e.getMessage());
    }
}
