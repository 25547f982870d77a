package org.sparsitybench.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.sparsitybench.formats.AtomicFiles;

/**
 * Measured points as CSV, one row per point, columns as {@code sparsitybench sweep --csv} writes them; values
 * not measured are empty cells. Written atomically.
 */
public final class PruneExportCurves {
    /** The header line (without line end). */
    public static final String HEADER = "method,allocation,requested,achieved,accuracy,top5,loss,latencyMs,"
            + "compactLatencyMs,sparseKernelSpeedup,params,flops,fileBytes";

    private PruneExportCurves() {
    }

    /** The CSV text of {@code points} (not modified), header first. */
    public static String csv(List<SweepPoint> points) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (SweepPoint p : points) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%.6f,%.6f,%.6f,%.6f,%.6f,%s,%s,%s,%d,%d,%d%n", p.method(),
                    p.allocation(), p.requested(), p.achieved(), p.accuracy(), p.top5(), p.loss(), num(p.latencyMs()),
                    num(p.compactLatencyMs()), num(p.sparseKernelSpeedup()), p.params(), p.flops(), p.fileBytes()));
        }
        return sb.toString();
    }

    /**
     * The CSV text with a first column {@code run}: {@code runs.get(i)} names the run (sweep) point {@code i}
     * belongs to, so rows of two sweeps stay apart.
     *
     * @param points not modified
     * @param runs   one label per point, not modified
     */
    public static String csv(List<SweepPoint> points, List<String> runs) {
        if (runs.size() != points.size()) {
            throw new IllegalArgumentException(points.size() + " points but " + runs.size() + " run labels");
        }
        String[] lines = csv(points).split("\n", -1);
        StringBuilder sb = new StringBuilder("run,").append(lines[0]).append('\n');
        for (int i = 0; i < points.size(); i++) {
            sb.append(quote(runs.get(i))).append(',').append(lines[i + 1]).append('\n');
        }
        return sb.toString();
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    /** Writes {@link #csv(List)} to {@code file} atomically. */
    public static void write(Path file, List<SweepPoint> points) throws IOException {
        write(file, csv(points));
    }

    /** Writes {@link #csv(List, List)} to {@code file} atomically. */
    public static void write(Path file, List<SweepPoint> points, List<String> runs) throws IOException {
        write(file, csv(points, runs));
    }

    private static void write(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.writeStream(file, os -> os.write(bytes));
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }
}
