package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.testing.Fixtures;

/** Small things every command line user meets: version, help, summaries instead of JSON floods, error text. */
class CommandLineRoughEdgesTest {
    @TempDir
    Path dir;

    private static String sample() {
        return Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx").toString();
    }

    private static String data() {
        return Fixtures.projectDir().resolve("sample-models/data/digits/digits-test-images-idx3-ubyte.gz").toString();
    }

    @Test
    void versionPrintsTheProjectVersionAndBuildTime() {
        Run r = InspectCommandTest.cli("-V");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s)SparsityBench \\d+\\.\\d+\\S* \\(built \\d{4}-\\d\\d-\\d\\dT.*"), r.out());
        assertFalse(r.out().contains("development build"), r.out());
    }

    @Test
    void sweepWithOutPrintsATableNotTheJson() throws Exception {
        Path out = dir.resolve("s.json");
        Run r = InspectCommandTest.cli("sweep", sample(), "--data", data(), "--methods", "magnitude", "--levels", "0,0.5",
                "--out", out.toString(), "--latency-runs", "0", "--limit", "200");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("{"), r.out());
        assertTrue(r.out().contains("2 points written to " + out), r.out());
        assertEquals(3, r.out().lines().filter(l -> l.startsWith("magnitude") || l.startsWith("method")).count(), r.out());
        assertEquals(2, new ObjectMapper().readTree(out.toFile()).get("points").size());
    }

    @Test
    void sensitivityWithOutPrintsATableAndWithoutItTheJson() throws Exception {
        Path out = dir.resolve("sens.json");
        Run r = InspectCommandTest.cli("sensitivity", sample(), "--data", data(), "--levels", "0,0.5", "--out",
                out.toString(), "--limit", "200");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("{"), r.out());
        assertTrue(r.out().contains("fc1.weight") && r.out().contains("written to " + out), r.out());
        assertEquals(2, new ObjectMapper().readTree(out.toFile()).get("layers").size());
        Run json = InspectCommandTest.cli("sensitivity", sample(), "--data", data(), "--levels", "0.5", "--limit", "100");
        assertEquals(2, new ObjectMapper().readTree(json.out()).get("layers").size());
    }

    @Test
    void everyOptionOfTheMeasuringCommandsHasHelp() {
        for (String[] cmd : new String[][] {{"sweep", "--help"}, {"sensitivity", "--help"}, {"prune", "--help"}}) {
            Run r = InspectCommandTest.cli(cmd);
            assertEquals(0, r.code(), r.err());
            java.util.List<String> lines = r.out().lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                // An option line with nothing after its name and label has its help on the next line, wrapped;
                // with no such line the option has no help.
                if (lines.get(i).matches("\\s+(-\\w, )?--[\\w-]+(=\\S+)?\\s*")) {
                    String next = i + 1 < lines.size() ? lines.get(i + 1) : "";
                    assertTrue(next.matches("\\s{10,}\\S.*") && !next.trim().startsWith("-"), cmd[0] + ": "
                            + lines.get(i));
                }
            }
        }
        assertTrue(InspectCommandTest.cli("sensitivity", "--help").out().contains("Comma-separated sparsity levels"));
    }

    @Test
    void anUnknownDatasetFormatListsImageFoldersAmongTheFormats() throws Exception {
        Path bad = Files.writeString(dir.resolve("data.txt"), "not a dataset");
        Run r = InspectCommandTest.cli("eval", sample(), "--data", bad.toString(), "--latency-runs", "0");
        assertEquals(4, r.code(), r.err());
        assertTrue(r.err().contains("folder of class sub-folders"), r.err());
    }
}
