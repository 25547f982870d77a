package org.sparsitybench.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.UnsupportedModelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code sparsitybench} command line. Every subcommand follows one convention: results to stdout, one
 * {@code error: FILE: problem} line to stderr on failure (stack trace only with {@code --debug}), and exit
 * codes 0 success, 2 usage error, 3 bad input file, 4 unsupported operation, 1 anything else.
 */
@Command(name = "sparsitybench", mixinStandardHelpOptions = true, versionProvider = SparsityBenchCli.Version.class,
        description = "Inspect, prune and evaluate neural-network models.")
public final class SparsityBenchCli {
    /** The CLI's own commands, in the help's order (added in {@link #run}). */
    static final List<Class<?>> COMMANDS = List.of(InspectCommand.class, PruneCommand.class, FinetuneCommand.class,
            QuantizeCommand.class, EvalCommand.class, SweepCommand.class, SensitivityCommand.class, SamplesCommand.class);

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_BAD_INPUT = 3;
    public static final int EXIT_UNSUPPORTED = 4;

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * As {@link #main(String[])} with subcommands of rooms the CLI may not import ({@code app} adds render and
     * the development tools).
     */
    public static void main(String[] args, Object... extraSubcommands) {
        System.exit(run(args, System.out, System.err, extraSubcommands));
    }

    /** Runs one command line with the given streams and returns its exit code (for the launcher and tests). */
    public static int run(String[] args, PrintStream out, PrintStream err, Object... extraSubcommands) {
        SparsityBenchCli root = new SparsityBenchCli();
        CommandLine cl = new CommandLine(root);
        // picocli reflects over every command it is given, options, mixins and their classes: a command line that
        // starts with a command's name gets only that one (a third of a short command's start went to the others).
        String first = args.length > 0 ? args[0] : null;
        boolean one = first != null && (COMMANDS.stream().anyMatch(c -> name(c).equals(first))
                || java.util.Arrays.stream(extraSubcommands).anyMatch(c -> name(c.getClass()).equals(first)));
        for (Class<?> c : COMMANDS) {
            if (!one || name(c).equals(first)) {
                cl.addSubcommand(c);
            }
        }
        for (Object c : extraSubcommands) {
            if (!one || name(c.getClass()).equals(first)) {
                cl.addSubcommand(c);
            }
        }
        cl.addSubcommand(new CommandLine.HelpCommand()); // last, after the added commands, in the help's list
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean debug = parseResult.hasMatchedOption("--debug")
                    || (parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--debug"));
            return report(ex, commandLine.getErr(), debug);
        });
        cl.setParameterExceptionHandler((ex, args1) -> {
            PrintWriter e = ex.getCommandLine().getErr();
            e.println("error: " + ex.getMessage());
            e.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            e.flush();
            return EXIT_USAGE;
        });
        return cl.execute(args);
    }

    /** A command class's name on the command line (its {@code @Command} name). */
    private static String name(Class<?> command) {
        Command c = command.getAnnotation(Command.class);
        return c == null ? "" : c.name();
    }

    /** Prints one error line for {@code ex} (and its stack trace when asked) and returns the exit code. */
    static int report(Exception ex, PrintWriter err, boolean debug) {
        int code;
        String message;
        if (ex instanceof ModelFormatException mfe) {
            code = EXIT_BAD_INPUT;
            message = mfe.getMessage();
        } else if (ex instanceof UnsupportedModelException) {
            code = EXIT_UNSUPPORTED;
            message = ex.getMessage();
        } else if (ex instanceof UsageException || ex instanceof org.sparsitybench.formats.OutputPathException) {
            code = EXIT_USAGE;
            message = ex.getMessage();
        } else {
            code = EXIT_FAILURE;
            message = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        }
        err.println("error: " + message.replace('\n', ' '));
        if (debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** A command line that parses but asks for something impossible (exit code 2). */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            java.util.Properties p = new java.util.Properties();
            try (java.io.InputStream in = SparsityBenchCli.class.getResourceAsStream("/org/sparsitybench/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (java.io.IOException e) {
                // an unreadable resource leaves the fields unknown, below
            }
            String version = p.getProperty("version", "");
            String built = p.getProperty("built", "");
            // Unfiltered (run from an IDE's own build), the placeholders are still there.
            if (version.isEmpty() || version.startsWith("${")) {
                version = "unknown version";
            }
            if (built.isEmpty() || built.startsWith("${")) {
                built = "unknown";
            }
            return new String[] {"SparsityBench " + version + " (built " + built + ", Java "
                    + System.getProperty("java.version") + ")"};
        }
    }
}
