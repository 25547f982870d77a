package org.sparsitybench.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.tools.ToolCommands;

/** {@code sparsitybench bench prune} on a small tensor, through the command line with the tool commands added. */
class BenchPruneCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SparsityBenchCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), ToolCommands.all());
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutThePeerItPrintsOurFiguresAndAnExactCut() throws Exception {
        Run r = cli("bench", "prune", "--size", "64", "--sparsity", "0.75", "--repeats", "1", "--no-peer");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(4096, json.get("elements").asLong());
        assertEquals(3072, json.get("k").asLong());
        for (String figure : new String[] {"singleFromScratch", "globalFourTensors", "sliderMove", "heatmapGrid512",
            "engineGlobalSliderMoveFourTensors"}) {
            assertTrue(json.at("/oursMs/" + figure).asDouble() > 0, figure + " in " + r.out());
        }
        assertTrue(json.get("thresholdsAgree").isNull(), "no peer, no comparison");
        assertTrue(json.at("/targets/globalAtMost150ms").isBoolean());
    }

    @Test
    void aMissingPeerScriptIsAUsageErrorNamingWhatToPass() {
        Run r = cli("bench", "prune", "--size", "64", "--repeats", "1", "--peer-script",
                dir.resolve("peer_prune.py").toString());
        assertEquals(SparsityBenchCli.EXIT_USAGE, r.code(), r.err());
        assertTrue(r.err().startsWith("error: bench prune: --peer-script ") && r.err().contains("no such file"), r.err());
        assertEquals("", r.out());
    }
}
