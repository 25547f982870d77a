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
import org.sparsitybench.eval.ConfigurationMeter;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.PrunePipeline;
import org.sparsitybench.eval.Reconstruction;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.PruneExportCurves;
import org.sparsitybench.eval.Sweep;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.PruningMethods;
import org.sparsitybench.prune.method.WandaMethod;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.train.Recovery;
import org.sparsitybench.train.SweepRecovery;
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

    @Option(names = "--calibration", paramLabel = "N", defaultValue = "128", description = "Validation samples wanda's "
            + "activation norms and sparsegpt's layer inputs are captured on (default ${DEFAULT-VALUE}).")
    int calibration;

    @Option(names = "--recover-epochs", paramLabel = "N", defaultValue = "0", description = "Also fine-tune every "
            + "point N epochs with its masks fixed on the model card's train split (a seeded 10 %% held out as "
            + "validation picks the best epoch) and measure it again: one-shot and recovered points side by side "
            + "(default ${DEFAULT-VALUE}: one-shot only).")
    int recoverEpochs;

    @Option(names = "--recover-lr", paramLabel = "LR", defaultValue = "1e-3", description = "Initial learning rate of "
            + "--recover-epochs, cosine to 0 (default ${DEFAULT-VALUE}).")
    double recoverLr;

    @Option(names = "--recover-limit", paramLabel = "N", defaultValue = "2147483647", description = "Train on at most "
            + "this many samples of the train split (before the hold-out) with --recover-epochs.")
    int recoverLimit;

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
        if (recoverEpochs < 0 || !(recoverLr > 0 && recoverLr <= 1) || recoverLimit < 20 || calibration < 1) {
            throw new SparsityBenchCli.UsageException("--recover-epochs " + recoverEpochs + " must be 0 or more, "
                    + "--recover-lr " + recoverLr + " in (0, 1], --recover-limit " + recoverLimit + " at least 20, "
                    + "--calibration " + calibration + " at least 1");
        }
        Model m = in.readModel();
        ModelCard card = in.card();
        PrintWriter err = spec.commandLine().getErr();
        List<SweepPoint> points = new ArrayList<>();
        DataSplits.Split on = in.test(card);
        var set = on.data();
        // What chooses (wanda's norms, sparsegpt's inputs) reads the card's validation split, never --data.
        DataSplits.Split validation = methods.stream().anyMatch(x -> x.equals(WandaMethod.ID)
                || Reconstruction.isSparseGpt(x)) ? MeasuredModelOptions.choosingData(in.model, card, null, err) : null;
        SweepRecovery recovery = recoverEpochs == 0 ? null : recovery(m, card);
        Sweep.Options options = new Sweep.Options(validation == null ? null : new PrunePipeline.Data(card, validation),
                calibration, recovery);
        ConfigurationMeter meter = new ConfigurationMeter(m, card, set);
        for (int i = 0; i < allocations.size(); i++) {
            final String alloc = allocations.get(i);
            // Structured methods ignore the allocation: run them with the first one only.
            List<String> these = i == 0 ? methods : methods.stream().filter(x -> !PruningMethods.isStructured(x)).toList();
            if (these.isEmpty()) {
                continue;
            }
            Sweep.run(meter, these, PruneCommand.parseAllocation(alloc), levels, latencyRuns,
                    in.limit, options, ProgressListener.NONE, CancellationToken.NONE, p -> {
                        points.add(p);
                        err.printf(Locale.ROOT, "%s/%s %.2f: test accuracy %.4f%n", p.series(), p.allocation(),
                                p.requested(), p.accuracy());
                        err.flush();
                    });
        }
        write(points, on, validation, recovery);
        printSummary(points);
        return SparsityBenchCli.EXIT_OK;
    }

    /** The train split the card names, read once for every point's recovery. */
    private SweepRecovery recovery(Model m, ModelCard card) throws IOException {
        Path train = card.datasetPath(in.model, "train").orElseThrow(() -> new SparsityBenchCli.UsageException(
                in.model + ": --recover-epochs fine-tunes on the train split, and the model card names none "
                        + "(dataset.train)"));
        return SweepRecovery.load(m, card, train, recoverLimit, new Recovery.Config(recoverEpochs,
                SweepRecovery.BATCH, recoverLr, 0, 1, 4, 1));
    }

    /** The file holds every field; the terminal gets one line per point. */
    private void printSummary(List<SweepPoint> points) {
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf(Locale.ROOT, "%-28s %-16s %9s %9s %9s %12s%n", "method", "allocation", "requested", "achieved",
                "accuracy", "latency ms");
        for (SweepPoint p : points) {
            pw.printf(Locale.ROOT, "%-28s %-16s %8.1f%% %8.2f%% %8.2f%% %12s%n", p.series(), p.allocation(),
                    100 * p.requested(), 100 * p.achieved(), 100 * p.accuracy(),
                    Double.isNaN(p.latencyMs()) ? "-" : String.format(Locale.ROOT, "%.3f", p.latencyMs()));
        }
        pw.println(points.size() + " points written to " + out + (csv != null ? " and " + csv : ""));
        pw.flush();
    }

    /** Writes the points measured on {@code on} to {@code --out} (JSON) and {@code --csv}; returns the JSON. */
    private ObjectNode write(List<SweepPoint> points, DataSplits.Split on, DataSplits.Split validation,
                             SweepRecovery recovery) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("model", in.model.toString());
        root.put("data", on.description());
        root.put("split", on.name());
        if (validation != null) {
            ObjectNode c = root.putObject("calibration");
            c.put("split", validation.name());
            c.put("dataset", validation.description());
            c.put("samples", calibration);
        }
        if (recovery != null) {
            ObjectNode r = root.putObject("recovery");
            r.put("epochs", recoverEpochs);
            r.put("lr", recoverLr);
            r.put("trainSplit", DataSplits.TRAIN);
            r.put("trainSamples", recovery.trainSamples());
            r.put("validationSamples", recovery.validationSamples());
            r.put("bestEpochBy", DataSplits.VALIDATION);
        }
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
