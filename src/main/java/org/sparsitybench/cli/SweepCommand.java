package org.sparsitybench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.PruneExportCurves;
import org.sparsitybench.eval.Sweep;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.PruningMethods;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sparsitybench sweep MODEL --data D --methods a,b --levels 0,0.5,0.8 --out results.json [--csv F]}. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Measure accuracy, latency, size and FLOPs over methods x sparsity levels.")
public final class SweepCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    MeasuredModelOptions in = new MeasuredModelOptions();

    @Option(names = "--methods", split = ",", defaultValue = "magnitude,random",
            completionCandidates = SweepCommand.MethodIds.class,
            description = "Comma-separated: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--levels", split = ",", defaultValue = "0,0.5,0.8,0.9",
            description = "Comma-separated sparsity levels (default ${DEFAULT-VALUE}).")
    List<Double> levels;

    @Option(names = {"--allocation", "--allocations"}, split = ",", defaultValue = "uniform",
            description = "Comma-separated: uniform, global, layer-normalized, erk (default ${DEFAULT-VALUE}); "
                    + "structured methods allocate per channel group and run once.")
    List<String> allocations;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write every point as JSON "
            + "(stdout gets a short table).")
    Path out;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also write the points as CSV.")
    Path csv;

    @Option(names = "--latency-runs", paramLabel = "N", defaultValue = "30", description = "Timed runs per point "
            + "(batch 1, one thread); 0 skips latency (default ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Spec
    CommandSpec spec;

    /** {@link Sweep#METHODS}, for the help text. */
    static final class MethodIds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Sweep.METHODS.iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        checkLevels(levels);
        for (String m : methods) {
            if (!Sweep.METHODS.contains(m)) {
                throw new SparsityBenchCli.UsageException("method '" + m + "' cannot be swept; one of " + Sweep.METHODS);
            }
        }
        if (allocations.stream().anyMatch(a -> a.equalsIgnoreCase("sensitivity"))) {
            throw new SparsityBenchCli.UsageException("sweeps take uniform, global, layer-normalized or erk; "
                    + "use 'prune --allocation sensitivity --data …' for sensitivity-guided levels");
        }
        Model m = in.readModel();
        ModelCard card = in.card();
        PrintWriter err = spec.commandLine().getErr();
        List<SweepPoint> points = new ArrayList<>();
        DataSplits.Split on = in.test(card);
        var set = on.data();
        for (int i = 0; i < allocations.size(); i++) {
            final String alloc = allocations.get(i);
            // Structured methods ignore the allocation: run them with the first one only.
            List<String> these = i == 0 ? methods : methods.stream().filter(x -> !PruningMethods.isStructured(x)).toList();
            if (these.isEmpty()) {
                continue;
            }
            Sweep.run(m, card, set, these, PruneCommand.parseAllocation(alloc), levels, latencyRuns,
                    in.limit, ProgressListener.NONE, CancellationToken.NONE, p -> {
                        points.add(p);
                        err.printf(Locale.ROOT, "%s/%s %.2f: test accuracy %.4f%n", p.method(), p.allocation(), p.requested(),
                                p.accuracy());
                        err.flush();
                    });
        }
        write(points, on);
        printSummary(points);
        return SparsityBenchCli.EXIT_OK;
    }

    /** The file holds every field; the terminal gets one line per point. */
    private void printSummary(List<SweepPoint> points) {
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf(Locale.ROOT, "%-14s %-16s %9s %9s %9s %12s%n", "method", "allocation", "requested", "achieved",
                "accuracy", "latency ms");
        for (SweepPoint p : points) {
            pw.printf(Locale.ROOT, "%-14s %-16s %8.1f%% %8.2f%% %8.2f%% %12s%n", p.method(), p.allocation(),
                    100 * p.requested(), 100 * p.achieved(), 100 * p.accuracy(),
                    Double.isNaN(p.latencyMs()) ? "-" : String.format(Locale.ROOT, "%.3f", p.latencyMs()));
        }
        pw.println(points.size() + " points written to " + out + (csv != null ? " and " + csv : ""));
        pw.flush();
    }

    /** Writes the points measured on {@code on} to {@code --out} (JSON) and {@code --csv}; returns the JSON. */
    private ObjectNode write(List<SweepPoint> points, DataSplits.Split on) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("model", in.model.toString());
        root.put("data", on.description());
        root.put("split", on.name());
        ArrayNode arr = root.putArray("points");
        for (SweepPoint p : points) {
            ObjectNode o = json.valueToTree(p);
            if (Double.isNaN(p.compactLatencyMs())) {
                o.putNull("compactLatencyMs");
            }
            if (Double.isNaN(p.sparseKernelSpeedup())) {
                o.putNull("sparseKernelSpeedup");
            }
            if (Double.isNaN(p.latencyMs())) {
                o.putNull("latencyMs");
            }
            arr.add(o);
        }
        byte[] bytes = json.writeValueAsBytes(root);
        AtomicFiles.writeStream(out, os -> os.write(bytes));
        if (csv != null) {
            PruneExportCurves.write(csv, points, DataSplits.TEST);
        }
        return root;
    }

    /** Sparsity levels given on the command line must lie in [0, 1]. */
    static void checkLevels(List<Double> levels) {
        for (double l : levels) {
            if (!(l >= 0 && l <= 1)) {
                throw new SparsityBenchCli.UsageException("level " + l + " outside [0, 1]");
            }
        }
    }
}
