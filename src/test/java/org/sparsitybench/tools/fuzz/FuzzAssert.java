package org.sparsitybench.tools.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Runs a list of cases through {@link FuzzRunner} and fails with every broken case's label and trace. */
public final class FuzzAssert {
    private FuzzAssert() {
    }

    /** Runs {@code cases} in a fresh runner under {@code root}; fails unless every case kept the contract. */
    public static FuzzReport allKeepTheContract(Corpus corpus, List<FuzzCase> cases, Path root) throws IOException {
        try (FuzzRunner runner = new FuzzRunner(root, 20_000)) {
            return allKeepTheContract(runner, corpus, cases);
        }
    }

    public static FuzzReport allKeepTheContract(FuzzRunner runner, Corpus corpus, List<FuzzCase> cases)
            throws IOException {
        assertTrue(runner.canariesArmed(), "mkfifo is needed to detect files opened outside a case's folder");
        FuzzReport r = runner.run(corpus, cases.iterator());
        StringBuilder summary = new StringBuilder(r.summary()).append('\n');
        r.perGenerator().forEach((g, c) -> summary.append(String.format("  %-16s %5d cases, %5d loaded, %5d rejected,"
                + " %d bugs%n", g, c[0], c[1], c[2], c[3])));
        System.out.print(summary);
        assertTrue(r.cases() == cases.size() && r.loaded() + r.rejected() + r.bugs() == r.cases(), summary.toString());
        if (r.bugs() > 0) {
            StringBuilder msg = new StringBuilder(r.bugs() + " of " + r.cases() + " " + corpus.format()
                    + " cases broke the reader contract:\n");
            for (int i = 0; i < Math.min(r.violations().size(), 25); i++) {
                msg.append('\n').append(i + 1).append(") ").append(r.violations().get(i)).append('\n');
            }
            fail(msg.append('\n').append(summary).toString());
        }
        return r;
    }
}
