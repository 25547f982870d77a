package org.sparsitybench.tools.fuzz;

import java.util.List;
import java.util.Map;

/**
 * What one run over one format found. Every case counts once: {@code cases = loaded + rejected + bugs}.
 *
 * @param format       the format's name
 * @param cases        cases run
 * @param loaded       cases that loaded and kept the contract
 * @param rejected     cases that failed with the typed exception and kept the contract
 * @param bugs         cases that broke it: another exception or Error, a hang, a wrong outcome for a case whose
 *                     outcome is known, a modified input file, a file opened outside the case's folder
 * @param millis       wall time of the run
 * @param violations   each bug: the case's label and what went wrong (possibly with a stack trace)
 * @param perGenerator generator name to {cases, loaded, rejected, bugs}
 * @param escapes      canary files opened during the run (also counted in {@code violations})
 */
public record FuzzReport(String format, int cases, int loaded, int rejected, int bugs, long millis,
                         List<String> violations, Map<String, int[]> perGenerator, int escapes) {
    /** One line: {@code onnx: 2000 cases, 812 loaded, 1188 rejected, 0 bugs, 14.2 s}. */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "%s: %d cases, %d loaded, %d rejected, %d bugs, %.1f s", format,
                cases, loaded, rejected, bugs, millis / 1000.0);
    }
}
