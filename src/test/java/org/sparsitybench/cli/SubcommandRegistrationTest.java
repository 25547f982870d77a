package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/** Only the command a line names is built, yet every way of asking for help still lists and finds them all. */
class SubcommandRegistrationTest {
    private static String run(int expected, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SparsityBenchCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(expected, code, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theHelpListsEveryCommand() {
        String help = run(0, "--help");
        for (Class<?> c : SparsityBenchCli.COMMANDS) {
            String name = c.getAnnotation(Command.class).name();
            assertTrue(help.contains("\n  " + name + " "), name + " missing from:\n" + help);
        }
    }

    @Test
    void aNamedCommandParsesAsBefore() {
        assertTrue(run(0, "prune", "--help").startsWith("Usage: sparsitybench prune"));
        assertTrue(run(0, "help", "eval").startsWith("Usage: sparsitybench eval"));
        assertTrue(run(SparsityBenchCli.EXIT_USAGE, "prune").contains("Missing required parameter: 'MODEL'"));
        assertTrue(run(SparsityBenchCli.EXIT_USAGE, "prnue").contains("Try 'sparsitybench --help'"));
    }
}
