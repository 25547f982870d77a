package org.sparsitybench.tools.bench;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.eval.PruneExport;

/**
 * The same {@code prune} command line run {@code N} times in one JVM, for {@code bench e2e --warm}: the first run
 * pays what a fresh JVM pays (class loading, the interpreter, the compilers compiling the hot loops while they
 * run), the later ones what the engine and the disk cost once compiled, as in the window after its first prune.
 * Writes one JSON line, {@code {"ms":[...]}}, to a file: each run's wall milliseconds (the output is deleted after
 * each run, and each run starts {@code SETTLE_MS} after that, as {@code bench e2e --settle} starts its fresh
 * processes). Standard output stays the commands' (the architecture rules keep it to the CLI).
 *
 * <p>Usage: {@code java ... WarmPrunes TIMES_FILE N SETTLE_MS prune MODEL --out OUT ...}
 */
public final class WarmPrunes {
    private WarmPrunes() {
    }

    public static void main(String[] args) throws Exception {
        Path times = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        long settleMs = Long.parseLong(args[2]);
        String[] prune = Arrays.copyOfRange(args, 3, args.length);
        double[] ms = run(n, settleMs, prune);
        StringBuilder line = new StringBuilder("{\"ms\":[");
        for (int i = 0; i < ms.length; i++) {
            line.append(i == 0 ? "" : ",").append(ms[i]);
        }
        Files.writeString(times, line.append("]}\n"));
        System.exit(0);
    }

    /**
     * Runs {@code prune} (a whole command line, {@code prune} first, with {@code --out}) {@code n} times, deleting
     * its output and report after each, each run {@code settleMs} after the last deletion (or the call).
     *
     * @return each run's wall milliseconds (the waits not included)
     * @throws IllegalStateException naming the run when one fails
     */
    static double[] run(int n, long settleMs, String[] prune) throws Exception {
        if (n < 1 || settleMs < 0 || prune.length == 0 || !"prune".equals(prune[0])) {
            throw new IllegalArgumentException("usage: WarmPrunes N prune MODEL --out OUT ...");
        }
        List<String> a = Arrays.asList(prune);
        int at = a.indexOf("--out");
        Path out = at < 0 ? null : Path.of(a.get(at + 1));
        if (out == null) {
            throw new IllegalArgumentException("the prune needs --out");
        }
        double[] ms = new double[n];
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        for (int i = 0; i < n; i++) {
            Thread.sleep(settleMs);
            long t0 = System.nanoTime();
            int code = SparsityBenchCli.run(prune, quiet, System.err);
            ms[i] = Math.round((System.nanoTime() - t0) / 1e5) / 10.0;
            if (code != SparsityBenchCli.EXIT_OK) {
                throw new IllegalStateException("prune run " + (i + 1) + " of " + n + " exited with " + code);
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(PruneExport.reportFile(out));
        }
        return ms;
    }
}
