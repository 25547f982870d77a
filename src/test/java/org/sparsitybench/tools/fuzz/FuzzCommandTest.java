package org.sparsitybench.tools.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.tools.ToolCommands;

/** {@code sparsitybench fuzz} through the command line with the tool commands added, as the launcher builds it. */
class FuzzCommandTest {
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
    void fiftyIdxCasesRunAndPrintTheirSummaryAndTotal() throws Exception {
        Run r = cli("fuzz", "--format", "idx", "--cases", "50", "--dir", dir.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("idx: 50 cases, \\d+ loaded, \\d+ rejected, 0 bugs, .*")),
                r.out());
        assertTrue(r.out().contains("total: 50 cases, 0 bugs"), r.out());
        try (var cases = Files.list(dir.resolve("cases"))) {
            assertEquals(0, cases.filter(c -> c.getFileName().toString().startsWith("idx-")).count(),
                    "passing cases' folders are removed without --keep");
        }
    }

    @Test
    void keepWithoutAFolderIsAUsageError() {
        Run r = cli("fuzz", "--format", "idx", "--cases", "5", "--keep");
        assertEquals(SparsityBenchCli.EXIT_USAGE, r.code());
        assertEquals("error: --keep needs --dir", r.err().strip());
    }
}
