package org.sparsitybench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.sparsitybench.eval.EquivalenceCheck;
import org.sparsitybench.eval.Evaluation;
import org.sparsitybench.eval.Evaluator;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.eval.PrunePipeline;
import org.sparsitybench.eval.TemporaryModels;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.InMemoryData;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningMethods;
import org.sparsitybench.prune.method.WandaMethod;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.CancelledException;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.train.GraphNetwork;
import org.sparsitybench.train.LrSchedule;
import org.sparsitybench.train.MaskedPruning;
import org.sparsitybench.train.OnnxGraphReader;
import org.sparsitybench.train.Param;
import org.sparsitybench.train.RecoveredModel;
import org.sparsitybench.train.Recovery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sparsitybench finetune MODEL --train DATASET --out OUT ...}: recovers accuracy after pruning by training.
 * Without pruning options the zeros already in MODEL's prunable weights are the mask; with them MODEL is pruned
 * first (or, with {@code --gradual K}, pruned in K steps during training). Pruned weights stay exactly 0.0. Writes
 * OUT (only initializer values change) and {@code OUT.report.json}; the best epoch is chosen on the validation
 * split, the test split (with {@code --test}) is only measured, on the written file in ONNX Runtime.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Recover accuracy after pruning by training (masks fixed, gradual pruning or distillation).")
public final class FinetuneCommand implements Callable<Integer> {
    /** Exit code when interrupted (Ctrl+C): 128 + SIGINT. */
    static final int EXIT_INTERRUPTED = 130;

    @Parameters(index = "0", paramLabel = "MODEL", description = "An .onnx model.")
    Path model;

    @Option(names = "--train", required = true, paramLabel = "DATASET", description = "Training data: IDX images, NPZ, "
            + "image folder or CSV (the split that trains).")
    Path train;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "Output model path (.onnx).")
    Path out;

    @Option(names = "--test", paramLabel = "DATASET", description = "Test data, measured once on the written model.")
    Path test;

    @Option(names = "--validation", paramLabel = "DATASET", description = "Validation data (chooses the best epoch); "
            + "default: a seeded held-out part of --train.")
    Path validation;

    @Option(names = "--validation-split", paramLabel = "F", defaultValue = "0.1",
            description = "Share of --train held out for validation when --validation is not given (default ${DEFAULT-VALUE}).")
    double validationSplit;

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the training split (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Initial learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--lr-schedule", paramLabel = "S", defaultValue = "cosine", completionCandidates = ScheduleIds.class,
            description = "How the learning rate falls from --lr over all steps: ${COMPLETION-CANDIDATES} (cosine: to 0; "
                    + "step: ×0.1 at 50 % and 75 %; default ${DEFAULT-VALUE}).")
    String lrSchedule;

    @Option(names = "--weight-decay", paramLabel = "L", defaultValue = "0", description = "Decoupled weight decay "
            + "(AdamW) of the weights, not of biases and batch-norm parameters (default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--batch", defaultValue = "128", description = "Samples per step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the validation split, the batch order and the "
            + "random method (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit", defaultValue = "2147483647", description = "Use at most this many training samples.")
    int limit;

    @Option(names = "--distill", description = "Distil from a teacher (default: MODEL as given, before pruning).")
    boolean distill;

    @Option(names = "--teacher", paramLabel = "MODEL", description = "Teacher model for --distill (same input).")
    Path teacher;

    @Option(names = "--temperature", defaultValue = "4", description = "Distillation temperature T (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--alpha", defaultValue = "0.5", description = "Weight of the label loss with --distill; 0 = "
            + "teacher only, no labels needed (default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--gradual", paramLabel = "K", description = "Prune gradually: K mask updates on the cubic "
            + "schedule of Zhu & Gupta from the current to the target sparsity during the first half of training.")
    Integer gradual;

    @Option(names = "--frozen-bn", description = "Keep batch-norm running statistics fixed while training (default: "
            + "batch statistics, running estimates updated).")
    boolean frozenBn;

    @Option(names = "--compact", description = "With a structured method: remove the pruned channels first (as "
            + "'prune --compact', checked against the masked model in ONNX Runtime), then train and write the smaller "
            + "model; --round-channels sets the kept counts' multiple.")
    boolean compact;

    @Option(names = "--threads", defaultValue = "1", description = "OpenBLAS threads while training; 1 makes a run "
            + "reproducible bit for bit on one machine (default ${DEFAULT-VALUE}).")
    int threads;

    @Mixin
    ModelCardOption modelCard;

    @Mixin
    PruningOptions pruning;

    @Spec
    CommandSpec spec;

    /** {@link LrSchedule#ids()}, for the help text. */
    static final class ScheduleIds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return LrSchedule.ids().iterator();
        }
    }

    /**
     * The model training starts from and its network: MODEL (its zeros or the pruning options give the masks), or
     * with {@code --compact} the compacted model, whose pruning report is kept for OUT's.
     */
    private record Start(Model model, GraphNetwork net, PruneExport.Report compaction) {
    }

    @Override
    public Integer call() throws Exception {
        checkOptions();
        Model m = readModel();
        ModelCard card = modelCard.card(model);
        long[] sampleDims = Arrays.copyOfRange(card.inputShape(), 1, card.inputShape().length);
        Recovery.Config cfg;
        try {
            cfg = new Recovery.Config(epochs, batch, lr, seed, distill ? alpha : 1, temperature, threads,
                    LrSchedule.parse(lrSchedule), weightDecay);
        } catch (IllegalArgumentException e) {
            throw new SparsityBenchCli.UsageException(e.getMessage());
        }
        InMemoryData[] sets = trainAndValidation(card);
        GraphNetwork net = OnnxGraphReader.read(m, sampleDims, frozenBn);
        long zerosBefore = zeros(m);
        PruningConfig pruneCfg = pruning.given() ? pruningConfig(m) : null;
        if (compact) {
            requireStructured(pruneCfg);
        }
        PrintWriter err = spec.commandLine().getErr();
        return interruptible(err, cancel -> {
            if (!compact) {
                return run(new Start(m, net, null), card, sets[0], sets[1], pruneCfg, zerosBefore, cfg, err, cancel);
            }
            // The compacted model is scratch: a process-owned folder, so a killed run's is cleaned by the next one.
            Path dir = AtomicFiles.createProcessTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
                    TemporaryModels.TEMP_PREFIX + "compact-");
            try {
                Start start = compacted(m, pruneCfg, dir.resolve("compacted.onnx"), sampleDims, err, cancel);
                return run(start, card, sets[0], sets[1], null, zerosBefore, cfg, err, cancel);
            } finally {
                AtomicFiles.deleteTree(dir);
            }
        });
    }

    /** {@code --compact} needs pruning options whose methods are all structured, and fixed masks. */
    private void requireStructured(PruningConfig pruneCfg) {
        boolean structured = pruneCfg != null && PruningMethods.isStructured(pruneCfg.global().method())
                && pruneCfg.layers().values().stream().allMatch(l -> l.excluded() || l.method() == null
                        || PruningMethods.isStructured(l.method()));
        if (!structured) {
            throw new SparsityBenchCli.UsageException("--compact removes whole channels; give --method "
                    + String.join(" or ", PruningMethods.structuredIds()) + " (and --sparsity)");
        }
        if (gradual != null) {
            throw new SparsityBenchCli.UsageException("--compact removes the channels before training; --gradual "
                    + "changes the masks while training: use one of them");
        }
    }

    /**
     * Prunes {@code m} with {@code pruneCfg} and writes it compacted to {@code file} (checked against the masked
     * model in ONNX Runtime, as {@code prune --compact}); training then starts from the smaller model.
     */
    private Start compacted(Model m, PruningConfig pruneCfg, Path file, long[] sampleDims, PrintWriter err,
                            CancellationToken cancel) throws Exception {
        PruneExport.Report r = PrunePipeline.run(new PrunePipeline.Request(m, model, pruning.methodName(), pruneCfg,
                null, 0, null, pruning.fixedLayers()), new PruneExport.Options(file, true, false),
                ProgressListener.NONE, cancel);
        Model small = ModelFiles.read(file);
        err.printf(Locale.ROOT, "compacted: %,d → %,d parameters (%s at %.0f %%, channels rounded to multiples of %s); "
                        + "compaction check passed (max |diff| %.3g)%n", r.totals().get("paramsBefore").asLong(),
                r.totals().get("paramsAfter").asLong(), pruning.methodName(), 100 * pruneCfg.global().target(),
                pruneCfg.global().roundChannels() == null ? "1" : pruneCfg.global().roundChannels(),
                r.compactionCheck().map(EquivalenceCheck.Result::maxAbsDiff).orElse(Double.NaN));
        ChannelAlignment.note(r.json().path("groups")).ifPresent(err::println);
        err.flush();
        GraphNetwork net = OnnxGraphReader.read(small, sampleDims, frozenBn);
        MaskedPruning.freezeZeros(net, small);
        return new Start(small, net, r);
    }

    /** Usage errors among the options themselves. */
    private void checkOptions() {
        if (gradual != null && gradual < 1) {
            throw new SparsityBenchCli.UsageException("--gradual " + gradual + ": at least one step");
        }
        if (gradual != null && !pruning.given()) {
            throw new SparsityBenchCli.UsageException("--gradual needs a target: give --sparsity (and a method)");
        }
        if (teacher != null && !distill) {
            throw new SparsityBenchCli.UsageException("--teacher is used with --distill");
        }
    }

    /** MODEL, after refusing to write over an input and checking that it is a graph. */
    private Model readModel() throws IOException {
        AtomicFiles.refuseOverwrite(model, out);
        AtomicFiles.refuseOverwrite(train, out);
        Model m = ModelFiles.read(model);
        if (m.format() != ModelFormat.ONNX) {
            throw new UnsupportedModelException(model + ": training runs the graph; " + m.format().id()
                    + " holds weights only");
        }
        return m;
    }

    /** {train, validation}: --validation when given, else a seeded held-out part of --train. */
    private InMemoryData[] trainAndValidation(ModelCard card) throws IOException {
        InMemoryData trainAll = load(train, "train", limit, card);
        if (validation != null) {
            return new InMemoryData[] {trainAll, load(validation, "validation", Integer.MAX_VALUE, card)};
        }
        try {
            return trainAll.holdOut(validationSplit, seed);
        } catch (IllegalArgumentException e) {
            throw new SparsityBenchCli.UsageException(e.getMessage());
        }
    }

    /** The cancellable work of {@link #call()}. */
    @FunctionalInterface
    private interface Work {
        Integer run(CancellationToken cancel) throws Exception;
    }

    /**
     * Runs {@code work} so that an interrupt (Ctrl-C) cancels it at its next batch and the JVM waits up to 30 s for
     * it to remove anything half-written.
     */
    private static Integer interruptible(PrintWriter err, Work work) throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        CancellationToken cancel = interrupted::get;
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            interrupted.set(true);
            try {
                // Let the command stop at its next batch and remove anything half-written before the JVM exits.
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "finetune-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return work.run(cancel);
        } catch (CancelledException e) {
            err.println("interrupted: nothing written");
            err.flush();
            return EXIT_INTERRUPTED;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook is running and waits for the latch released above.
            }
        }
    }

    /**
     * Trains {@code start}'s network and writes OUT and its report.
     *
     * @param pruneCfg the pruning to apply first (masks fixed, or gradually), or null when {@code start} already
     *                 holds the masks (its zeros) or is compacted
     */
    private Integer run(Start start, ModelCard card, InMemoryData trainSet, InMemoryData validationSet,
                        PruningConfig pruneCfg, long zerosBefore, Recovery.Config cfg, PrintWriter err,
                        CancellationToken cancel) throws IOException {
        Model m = start.model();
        GraphNetwork net = start.net();
        Recovery.Gradual schedule = null;
        if (pruneCfg != null && gradual == null) {
            MaskedPruning.prune(net, m, pruneCfg, cancel);
        } else if (start.compaction() == null) {
            MaskedPruning.freezeZeros(net, m);
            if (pruneCfg != null) {
                schedule = new Recovery.Gradual(m, pruneCfg, gradual);
            }
        }
        float[] teacherLogits = null;
        if (distill) {
            Path t = teacher != null ? teacher : model;
            err.printf(Locale.ROOT, "teacher %s: logits of %,d training samples (ONNX Runtime)%n", t, trainSet.count());
            err.flush();
            teacherLogits = RecoveredModel.teacherLogits(t, card, trainSet, cancel);
        }
        int classes = teacherLogits != null ? teacherLogits.length / trainSet.count() : classes(card, m, trainSet,
                validationSet);
        Recovery.Data data = new Recovery.Data(RecoveredModel.preprocessed(card, trainSet), trainSet.labels(),
                RecoveredModel.preprocessed(card, validationSet), validationSet.labels(), teacherLogits, classes);
        err.printf(Locale.ROOT, "training on %,d samples (train split of %s), validating on %,d (%s)%n",
                trainSet.count(), train, validationSet.count(), validation != null ? validation
                        : String.format(Locale.ROOT, "%.0f %% held out, seed %d", 100 * validationSplit, seed));
        err.flush();
        Recovery.Result result = Recovery.run(net, m, data, cfg, schedule, e -> {
            err.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f  validation accuracy %.2f %%  sparsity %.2f %%  %.1f s%n",
                    e.epoch(), e.epochs(), e.trainLoss(), 100 * e.validationAccuracy(), 100 * e.sparsity(), e.seconds());
            err.flush();
        }, cancel);
        cancel.throwIfCancelled();
        if (result.best() == 0) {
            throw new IllegalStateException("no epoch reached the final sparsity; raise --epochs");
        }
        RecoveredModel.write(m, net, Map.of("sparsitybench.finetune", "epochs=" + epochs + ",best=" + result.best()),
                out, ProgressListener.NONE, cancel);

        // Every figure below is measured on the written file in ONNX Runtime, so the report says what OUT scores.
        Model written = ModelFiles.read(out);
        long zerosAfter = zeros(written);
        boolean preserved = preserved(net, written);
        Evaluation val;
        Evaluation tst = null;
        try (OrtModel ort = OrtModel.open(out, card.input(), 0)) {
            val = Evaluator.evaluate(ort, card, validationSet, 500, Integer.MAX_VALUE, ProgressListener.NONE, cancel);
            if (test != null) {
                tst = Evaluator.evaluate(ort, card, Datasets.open(test), 500, Integer.MAX_VALUE, ProgressListener.NONE,
                        cancel);
            }
        } catch (ai.onnxruntime.OrtException e) {
            throw new IOException(out + ": ONNX Runtime cannot run the written model: " + e.getMessage(), e);
        }

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode report = json.createObjectNode();
        ArrayNode eps = report.putArray("epochs");
        for (Recovery.Epoch e : result.epochs()) {
            ObjectNode o = eps.addObject();
            o.put("epoch", e.epoch());
            o.put("trainLoss", e.trainLoss());
            o.put("validationAccuracy", e.validationAccuracy());
            o.put("validationLoss", e.validationLoss());
            o.put("sparsity", e.sparsity());
            o.put("seconds", e.seconds());
        }
        report.put("best", result.best());
        ObjectNode masks = report.putObject("masks");
        masks.put("preserved", preserved);
        masks.put("zerosBefore", zerosBefore);
        masks.put("zerosAfter", zerosAfter);
        masks.put("prunableParams", m.prunableParams());
        ObjectNode v = report.putObject("validation");
        v.put("accuracy", val.accuracy());
        v.put("loss", val.loss());
        v.put("samples", val.samples());
        v.put("source", validation != null ? validation.toString() : train + " (held out)");
        if (tst != null) {
            ObjectNode t = report.putObject("test");
            t.put("accuracy", tst.accuracy());
            t.put("loss", tst.loss());
            t.put("samples", tst.samples());
            t.put("source", test.toString());
        }
        ObjectNode c = report.putObject("config");
        c.put("model", model.toString());
        c.put("train", train.toString());
        c.put("trainSamples", trainSet.count());
        c.put("validationSplit", validation != null ? null : validationSplit);
        c.put("epochs", epochs);
        c.put("lr", lr);
        c.put("batch", batch);
        c.put("seed", seed);
        c.put("schedule", "Adam" + (weightDecay > 0 ? "W (decoupled weight decay " + weightDecay + ")" : "") + ", "
                + cfg.schedule().description());
        c.put("lrSchedule", cfg.schedule().id());
        c.put("weightDecay", weightDecay);
        c.put("batchNorm", frozenBn ? "frozen statistics" : "batch statistics, running estimates updated");
        c.put("threads", threads);
        if (distill) {
            ObjectNode d = c.putObject("distillation");
            d.put("teacher", (teacher != null ? teacher : model).toString());
            d.put("temperature", temperature);
            d.put("alpha", alpha);
        }
        if (start.compaction() != null) {
            ObjectNode k = report.putObject("compaction");
            JsonNode pr = start.compaction().json();
            k.set("totals", pr.get("totals"));
            k.set("groups", pr.get("groups"));
            k.set("compactionCheck", pr.get("compactionCheck"));
            c.set("pruning", pr.get("config"));
            c.put("compact", true);
        } else if (pruneCfg != null) {
            c.set("pruning", json.readTree(pruneCfg.toJson()));
            if (gradual != null) {
                c.put("gradualSteps", gradual);
            }
        }
        Path reportFile = out.resolveSibling(out.getFileName() + ".report.json");
        byte[] bytes = json.writeValueAsBytes(report);
        AtomicFiles.writeStream(reportFile, os -> os.write(bytes));

        PrintWriter pw = spec.commandLine().getOut();
        // A compacted model has its pruned channels removed, not zeroed: say what it lost instead of its zeros.
        String weights = start.compaction() != null ? String.format(Locale.ROOT, "compacted, %,d → %,d parameters",
                start.compaction().totals().get("paramsBefore").asLong(), written.totalParams())
                : String.format(Locale.ROOT, "pruned weights %s (%,d zeros before, %,d after)",
                        preserved ? "kept at 0" : "NOT all kept at 0", zerosBefore, zerosAfter);
        pw.printf(Locale.ROOT, "%s: best epoch %d of %d; validation accuracy %.2f %% (%,d samples)%s; %s%n", out,
                result.best(), result.epochs().size(), 100 * val.accuracy(), val.samples(), tst == null ? ""
                        : String.format(Locale.ROOT, "; test accuracy %.2f %% (%,d samples)", 100 * tst.accuracy(),
                        tst.samples()), weights);
        pw.println("report: " + reportFile);
        pw.flush();
        return SparsityBenchCli.EXIT_OK;
    }

    private static InMemoryData load(Path path, String role, int limit, ModelCard card) throws IOException {
        LabeledData d = Datasets.open(path);
        if (d.sampleSize() != card.sampleSize()) {
            throw new ModelFormatException(path, "", "samples have " + d.sampleSize() + " values "
                    + Arrays.toString(d.sampleShape()) + ", the model's input " + card.input() + " takes "
                    + card.sampleSize() + " " + Arrays.toString(card.inputShape()));
        }
        return InMemoryData.load(d, role, limit);
    }

    /** Classes: the card's labels, else one more than the largest label seen. */
    private static int classes(ModelCard card, Model m, InMemoryData a, InMemoryData b) {
        int max = 0;
        for (int l : a.labels()) {
            max = Math.max(max, l);
        }
        for (int l : b.labels()) {
            max = Math.max(max, l);
        }
        return card.classes(max + 1);
    }

    /** Zeros over the prunable weights. */
    static long zeros(Model m) {
        long z = 0;
        for (WeightTensor t : m.prunableTensors()) {
            for (float f : t.data().readAllFloats()) {
                if (f == 0f) {
                    z++;
                }
            }
        }
        return z;
    }

    /** Whether every frozen position of the network reads back as 0.0 from the written model. */
    private static boolean preserved(GraphNetwork net, Model written) {
        for (Param p : net.params().values()) {
            if (p.frozen == null) {
                continue;
            }
            float[] v = written.tensor(p.name).orElseThrow().data().readAllFloats();
            for (int i = 0; i < v.length; i++) {
                if (p.frozen[i] && Float.floatToRawIntBits(v[i]) != Float.floatToRawIntBits(p.value[i])) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The pruning options' configuration; methods that calibrate are refused (they belong to {@code prune}). */
    private PruningConfig pruningConfig(Model m) throws IOException {
        PruningConfig cfg = pruning.config(m, model, seed, spec.commandLine().getErr());
        if (WandaMethod.isWanda(cfg.global().method()) || cfg.global().allocation() == Allocation.SENSITIVITY) {
            throw new SparsityBenchCli.UsageException("finetune does not calibrate: prune with wanda or the "
                    + "sensitivity allocation first ('sparsitybench prune'), then finetune the result");
        }
        return cfg;
    }
}
