package org.sparsitybench.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.sparsitybench.formats.AtomicFiles;

/**
 * Measured points as CSV, one row per point, as {@code sparsitybench sweep --csv} and the window's export write
 * them; values not measured are empty cells; {@code recoveryEpochs} is 0 for a one-shot row and N for a row
 * fine-tuned N epochs on the train split after pruning (best epoch chosen on validation); the last column names the
 * data split every figure of the row was measured on ({@code test} for reported sweeps). Every latency (median of
 * its timed runs, batch 1) comes with its spread: the 10th and 90th percentiles of the same runs. Written
 * atomically.
 */
public final class PruneExportCurves {
    /** The header line (without line end). */
    public static final String HEADER = "method,allocation,requested,achieved,accuracy,top5,loss,latencyMs,"
            + "latencyP10Ms,latencyP90Ms,compactLatencyMs,compactLatencyP10Ms,compactLatencyP90Ms,"
            + "sparseKernelSpeedup,params,flops,fileBytes,recoveryEpochs,split";

    private PruneExportCurves() {
    }

    /**
     * The CSV text of {@code points} (not modified), header first.
     *
     * @param split the split the points were measured on ({@code test}, {@code validation})
     */
    public static String csv(List<SweepPoint> points, String split) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (SweepPoint p : points) {
            SweepPoint.Spread dense = Double.isFinite(p.latencyMs()) ? p.latencySpread() : null;
            SweepPoint.Spread compact = Double.isFinite(p.compactLatencyMs()) ? p.compactSpread() : null;
            sb.append(String.format(Locale.ROOT, "%s,%s,%.6f,%.6f,%.6f,%.6f,%.6f,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d,%d,%s%n",
                    p.method(), p.allocation(), p.requested(), p.achieved(), p.accuracy(), p.top5(), p.loss(),
                    num(p.latencyMs()), num(dense == null ? Double.NaN : dense.p10Ms()),
                    num(dense == null ? Double.NaN : dense.p90Ms()), num(p.compactLatencyMs()),
                    num(compact == null ? Double.NaN : compact.p10Ms()),
                    num(compact == null ? Double.NaN : compact.p90Ms()), num(p.sparseKernelSpeedup()), p.params(),
                    p.flops(), p.fileBytes(), p.recoveryEpochs(), split));
        }
        return sb.toString();
    }

    /**
     * The CSV text with a first column {@code run}: {@code runs.get(i)} names the run (sweep) point {@code i}
     * belongs to, so rows of two sweeps stay apart.
     *
     * @param points not modified
     * @param runs   one label per point, not modified
     * @param split  the split the points were measured on
     */
    public static String csv(List<SweepPoint> points, List<String> runs, String split) {
        if (runs.size() != points.size()) {
            throw new IllegalArgumentException(points.size() + " points but " + runs.size() + " run labels");
        }
        String[] lines = csv(points, split).split("\n", -1);
        StringBuilder sb = new StringBuilder("run,").append(lines[0]).append('\n');
        for (int i = 0; i < points.size(); i++) {
            sb.append(quote(runs.get(i))).append(',').append(lines[i + 1]).append('\n');
        }
        return sb.toString();
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    /** Writes {@link #csv(List, String)} to {@code file} atomically. */
    public static void write(Path file, List<SweepPoint> points, String split) throws IOException {
        write(file, csv(points, split));
    }

    /** Writes {@link #csv(List, List, String)} to {@code file} atomically. */
    public static void write(Path file, List<SweepPoint> points, List<String> runs, String split) throws IOException {
        write(file, csv(points, runs, split));
    }

    private static void write(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.writeStream(file, os -> os.write(bytes));
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }
}
