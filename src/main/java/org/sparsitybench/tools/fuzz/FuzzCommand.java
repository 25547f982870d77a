package org.sparsitybench.tools.fuzz;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sparsitybench.cli.SparsityBenchCli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sparsitybench fuzz --format F --cases N --seed S [--dir D]}: feeds the readers generated malformed files
 * and reports, per format, how many loaded, how many were rejected with the typed error, and how many broke the
 * contract (any other exception or Error, a hang, a modified input, a file opened outside the case's folder).
 * Exit code 0 when nothing broke it, 1 otherwise.
 */
@Command(name = "fuzz", mixinStandardHelpOptions = true,
        description = "Run generated malformed ONNX, SafeTensors, NPZ, IDX and .sbproj files through the readers.")
public final class FuzzCommand implements Callable<Integer> {
    @Option(names = "--format", defaultValue = "all", paramLabel = "FORMAT",
            description = "onnx, safetensors, npz, idx, sbproj or all (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--cases", defaultValue = "2000", paramLabel = "N", description = "Cases per format (default ${DEFAULT-VALUE}).")
    int cases;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the random cases (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--replay", paramLabel = "SEED",
            description = "Run the single random case built from SEED (as printed for a failing case) and print it.")
    Long replay;

    @Option(names = "--dir", paramLabel = "D",
            description = "Folder for the case files (kept); default a temporary folder, removed unless a case failed.")
    Path dir;

    @Option(names = "--timeout", defaultValue = "20", paramLabel = "SECONDS",
            description = "Longest one read may take before it counts as a hang (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--keep", description = "Keep every case's folder, not only failing ones (needs --dir).")
    boolean keep;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<String> formats = validate();
        Path root = dir != null ? dir : Files.createTempDirectory("sparsitybench-fuzz-");
        PrintWriter out = spec.commandLine().getOut();
        List<FuzzReport> reports = new ArrayList<>();
        try (FuzzRunner runner = new FuzzRunner(root, timeoutSeconds * 1000L)) {
            runner.keepCases(keep);
            out.printf(Locale.ROOT, "fuzz: seed %d, %s, case folders under %s%n", seed, replay != null ? "replaying seed "
                    + replay : cases + " cases per format", runner.sandbox().cases());
            if (!runner.canariesArmed()) {
                out.println("warning: mkfifo is not available; files opened outside a case's folder are not detected");
            }
            out.flush();
            for (String f : formats) {
                reports.add(runFormat(runner, f, out));
            }
            printFirstViolations(reports);
        }
        int bugs = reports.stream().mapToInt(FuzzReport::bugs).sum();
        long total = reports.stream().mapToLong(FuzzReport::cases).sum();
        out.printf(Locale.ROOT, "total: %d cases, %d bugs%n", total, bugs);
        out.flush();
        if (dir == null && bugs == 0) {
            FuzzRunner.deleteTree(root);
        }
        return bugs == 0 ? SparsityBenchCli.EXIT_OK : SparsityBenchCli.EXIT_FAILURE;
    }

    /** The formats to run, after checking the options that do not depend on one another. */
    private List<String> validate() {
        if (cases < 1) {
            throw new SparsityBenchCli.UsageException("--cases must be at least 1, got " + cases);
        }
        List<String> formats;
        if (format.equals("all")) {
            formats = Corpora.names();
        } else if (Corpora.names().contains(format)) {
            formats = List.of(format);
        } else {
            throw new SparsityBenchCli.UsageException("--format '" + format + "': expected one of " + Corpora.names()
                    + " or all");
        }
        if (keep && dir == null) {
            throw new SparsityBenchCli.UsageException("--keep needs --dir");
        }
        return formats;
    }

    /** Runs one format's plan (or the replayed case) and prints its summary and first ten violations. */
    private FuzzReport runFormat(FuzzRunner runner, String f, PrintWriter out) throws IOException {
        Corpus corpus = Corpora.byName(f);
        Iterator<FuzzCase> plan = replay != null
                ? List.of(corpus.random(0, replay, runner.sandbox())).iterator()
                : FuzzPlan.cases(corpus, runner.sandbox(), cases, seed);
        if (replay != null) {
            out.println(f + ": " + corpus.random(0, replay, runner.sandbox()).label());
        }
        FuzzReport r = runner.run(corpus, plan);
        out.println(r.summary());
        for (int i = 0; i < Math.min(10, r.violations().size()); i++) {
            String v = r.violations().get(i);
            int nl = v.indexOf('\n');
            out.println("  BUG " + (nl < 0 ? v : v.substring(0, nl)));
        }
        out.flush();
        return r;
    }

    /** The first three violations of each format in full (with their stack traces) on stderr. */
    private void printFirstViolations(List<FuzzReport> reports) {
        if (reports.stream().allMatch(r -> r.bugs() == 0)) {
            return;
        }
        PrintWriter err = spec.commandLine().getErr();
        for (FuzzReport r : reports) {
            for (String v : r.violations().subList(0, Math.min(3, r.violations().size()))) {
                err.println(r.format() + " " + v);
            }
        }
        err.flush();
    }
}
