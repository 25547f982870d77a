package org.sparsitybench.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.eval.PrunePipeline;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningMethods;
import org.sparsitybench.prune.method.WandaMethod;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code sparsitybench prune MODEL --out OUT ...}: prunes with one method and allocation, writes the model in its
 * own format and {@code OUT.report.json} (per-layer and total results, the configuration, the masks' SHA-256,
 * the compaction check). The input file is never written.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Prune a model and write it with a report (OUT.report.json).")
public final class PruneCommand implements Callable<Integer> {
    /** The engine's methods and {@code global} (magnitude with a global allocation, as other tools name it). */
    static final List<String> METHODS = Stream.concat(Stream.of("global"), PruningMethods.ids().stream()).toList();

    @Parameters(index = "0", paramLabel = "MODEL", description = "An .onnx or .safetensors file.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "Output model path.")
    Path out;

    @Option(names = "--data", paramLabel = "DATASET", description = "Validation data for what chooses: Wanda and "
            + "SparseGPT calibration, sensitivity allocation, reconstruction (default: the model card's validation split).")
    Path data;

    @Option(names = "--preprocess", paramLabel = "FILE", description = "A model card to use instead of the one beside "
            + "the model (calibration, sensitivity allocation, reconstruction).")
    Path preprocess;

    @Option(names = "--calibration", defaultValue = "128", description = "Calibration samples (Wanda).")
    int calibration;

    @Option(names = "--accuracy-budget", paramLabel = "DROP", description = "With --allocation sensitivity: instead of "
            + "--sparsity, prune as far as the measured accuracy drop allows (e.g. 0.01 = one point).")
    Double accuracyBudget;

    @Option(names = "--compact", description = "Physically remove pruned channels (structured methods, ONNX).")
    boolean compact;

    @Option(names = "--sparse-storage", description = "Store pruned ONNX weights as sparse_initializers.")
    boolean sparseStorage;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for random pruning (default ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    PruningOptions pruning = new PruningOptions();

    @Mixin
    ReconstructOptions recon = new ReconstructOptions();

    @Option(names = "--exact-compression", description = "Compress the model and the output whole for the report's "
            + "compressed sizes (DEFLATE runs at about 20 MB/s); by default they are estimated from samples and the "
            + "report's compressionMethod says how.")
    boolean exactCompression;

    @Option(names = "--eval-data", paramLabel = "DATASET", description = "Measure the written model on this labelled "
            + "set (accuracy, loss, latency beside the source's) and put it in the report (default: the model card's "
            + "test set, when the card names one).")
    Path evalData;

    @Option(names = "--split", paramLabel = "NAME", defaultValue = "test", description = "Which split --eval-data holds, "
            + "recorded with the figures (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--latency-runs", paramLabel = "N", defaultValue = "50", description = "Timed runs of each model "
            + "(batch 1, one thread) when measuring; 0 skips latency (default ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Option(names = "--no-eval", description = "Do not measure the written model, even with a model card's test set.")
    boolean noEval;

    @Spec
    CommandSpec spec;

    /** {@link #METHODS}, for the help text. */
    static final class MethodIds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return METHODS.iterator();
        }
    }

    /** {@link Allocation#ids()}, for the help text. */
    static final class AllocationIds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Allocation.ids().iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        Model m = readChecked();
        PruningConfig cfg = buildConfig(m);
        boolean structured = checkMethods(m, cfg);
        PrunePipeline.Request request = new PrunePipeline.Request(m, model, pruning.methodName(), cfg, data(cfg),
                calibration, accuracyBudget, pruning.fixedLayers(), recon.options());
        PruneExport.Report written = PrunePipeline.run(request, new PruneExport.Options(out, compact, sparseStorage,
                exactCompression), ProgressListener.NONE, CancellationToken.NONE);
        ExportFigures.Measured measured = noEval ? null : ExportFigures.measure(model, out, m.format(), evalData, split,
                latencyRuns);
        if (measured != null) {
            written = PruneExport.amendReport(written, "measured", measured.json());
        }
        print(written, measured, structured, cfg.global());
        recon.print(written.json(), spec.commandLine().getOut());
        return SparsityBenchCli.EXIT_OK;
    }

    /** The model, after the checks that need no configuration: method, sparsity, output path and format. */
    private Model readChecked() throws IOException {
        pruning.check();
        AtomicFiles.refuseOverwrite(model, out);
        Model m = ModelFiles.read(model);
        if (!m.format().id().equals(extension(out)) && !extension(out).isEmpty()) {
            throw new SparsityBenchCli.UsageException(out + ": the output must keep the input's format (."
                    + m.format().id() + ")");
        }
        if (sparseStorage && m.format() != ModelFormat.ONNX) {
            throw new UnsupportedModelException("--sparse-storage writes ONNX sparse_initializers; " + m.format().id()
                    + " has no sparse storage");
        }
        for (String e : pruning.exclude) {
            PruningOptions.requirePrunable(m, model, e);
        }
        return m;
    }

    /**
     * Checks the methods the configuration actually runs (a {@code --config} may name them, the options go on top)
     * against the model and the options.
     *
     * @return whether any of them is structured
     */
    private boolean checkMethods(Model m, PruningConfig cfg) {
        Set<String> used = usedMethods(cfg);
        boolean structured = false;
        for (String id : used) {
            try {
                structured |= PruningMethods.isStructured(id);
            } catch (IllegalArgumentException e) {
                throw new SparsityBenchCli.UsageException(e.getMessage());
            }
        }
        boolean onnx = m.format() == ModelFormat.ONNX;
        // Without --data what chooses reads the card's validation split (data(cfg) says so if there is none).
        recon.check(m, used);
        if (used.stream().anyMatch(WandaMethod::isWanda) && !onnx) {
            throw new SparsityBenchCli.UsageException("wanda needs an ONNX model and calibration data: --data DATASET "
                    + "[--calibration K] (default: the model card's validation split)");
        }
        if (cfg.global().allocation() == Allocation.SENSITIVITY && !onnx) {
            throw new SparsityBenchCli.UsageException("--allocation sensitivity measures each layer on data: give "
                    + "an ONNX model (and --data DATASET, default: the model card's validation split)");
        }
        if ((structured || compact) && !onnx) {
            throw new UnsupportedModelException(model + ": structured pruning and --compact need a graph (ONNX); "
                    + m.format().id() + " holds weights only");
        }
        if (compact && !structured) {
            throw new SparsityBenchCli.UsageException("--compact removes whole channels; use it with "
                    + String.join(" or ", PruningMethods.structuredIds()));
        }
        return structured;
    }

    /**
     * The calibration and sensitivity data when the configuration needs it (the card is read only then):
     * {@code --data}, else the card's validation split; a warning on stderr when {@code --data} is the card's test
     * file.
     */
    private PrunePipeline.Data data(PruningConfig cfg) throws IOException {
        Set<String> used = usedMethods(cfg);
        boolean needed = cfg.global().allocation() == Allocation.SENSITIVITY || used.stream().anyMatch(WandaMethod::isWanda)
                || recon.active(used);
        if (!needed) {
            return null;
        }
        if (data == null && preprocess == null && ModelCard.beside(model).isEmpty()) {
            throw new SparsityBenchCli.UsageException("wanda, sparsegpt, sensitivity allocation and reconstruction "
                    + "choose on validation data: give --data DATASET, or a model card beside the model naming its "
                    + "training data");
        }
        ModelCard card = ModelCard.forModel(model, preprocess);
        return new PrunePipeline.Data(card, MeasuredModelOptions.choosingData(model, card, data,
                spec.commandLine().getErr()));
    }

    /** The methods the configuration runs: the global one and every layer's own (a config may name them). */
    private static Set<String> usedMethods(PruningConfig cfg) {
        Set<String> used = new HashSet<>();
        used.add(cfg.global().method());
        cfg.layers().values().stream().filter(l -> !l.excluded() && l.method() != null).forEach(l -> used.add(l.method()));
        return used;
    }

    private void print(PruneExport.Report written, ExportFigures.Measured measured, boolean structured,
                       org.sparsitybench.prune.GlobalSettings global) {
        PrintWriter pw = spec.commandLine().getOut();
        ObjectNode totals = written.totals();
        String level;
        if ("nm".equals(global.method())) {
            // The pattern decides the level, not --sparsity: say so instead of a "requested" share nobody asked.
            int[] nm = org.sparsitybench.prune.method.NmPattern.parse(global.nmPattern());
            level = String.format(Locale.ROOT, "nm %d:%d keeps %d of every %d weights along the input → %.0f %% of "
                            + "each group pruned (--sparsity is ignored with --method nm), %.2f%% achieved", nm[0], nm[1],
                    nm[0], nm[1], 100.0 * (nm[1] - nm[0]) / nm[1], 100 * totals.get("achieved").asDouble());
        } else {
            level = String.format(Locale.ROOT, "%s at %.1f%% requested, %.2f%% achieved", pruning.methodName(),
                    100 * global.target(), 100 * totals.get("achieved").asDouble());
        }
        pw.printf(Locale.ROOT, "%s: %s; %,d → %,d parameters; %,d → %,d bytes%n", out, level,
                totals.get("paramsBefore").asLong(), totals.get("paramsAfter").asLong(),
                totals.get("fileBytesBefore").asLong(), totals.get("fileBytesAfter").asLong());
        // What the engine said (a layer N:M cannot reach, a target not met), one note per line.
        var messages = written.json().path("messages");
        if (messages instanceof com.fasterxml.jackson.databind.node.POJONode p && p.getPojo() instanceof List<?> list) {
            list.forEach(m -> pw.println("note: " + m));
        } else {
            messages.forEach(m -> pw.println("note: " + m.asText()));
        }
        written.compactionCheck().ifPresent(c -> pw.printf(Locale.ROOT, "compaction check: passed (max |diff| %.3g)%n",
                c.maxAbsDiff()));
        if (written.compactionCheck().isPresent()) {
            ChannelAlignment.note(written.json().path("groups")).ifPresent(pw::println);
        }
        if (measured != null) {
            pw.println(measured.summary());
        }
        ExportFigures.largerFileWarning(model, out, totals, sparseStorage).ifPresent(pw::println);
        if (sparseStorage) {
            pw.println("note: ONNX Runtime densifies sparse_initializers on load: the file is smaller, inference is not faster.");
        } else if (!structured) {
            pw.println("note: zeroed weights do not speed up ONNX Runtime's dense CPU kernels; structured pruning with"
                    + " --compact does.");
        }
        pw.println("report: " + written.file());
        pw.flush();
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1);
    }

    /** The pruning options' configuration (a --config's seed unless --seed is given). */
    private PruningConfig buildConfig(Model m) throws IOException {
        return pruning.config(m, model,
                spec.commandLine().getParseResult().hasMatchedOption("--seed") || pruning.config == null ? seed : null,
                spec.commandLine().getErr());
    }

    static Allocation parseAllocation(String s) {
        try {
            return Allocation.parse(s);
        } catch (IllegalArgumentException e) {
            throw new SparsityBenchCli.UsageException(e.getMessage());
        }
    }
}
