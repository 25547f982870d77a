package org.sparsitybench.ui.recovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.InMemoryData;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.train.GraphNetwork;
import org.sparsitybench.train.LrSchedule;
import org.sparsitybench.train.MaskedPruning;
import org.sparsitybench.train.OnnxGraphReader;
import org.sparsitybench.train.RecoveredModel;
import org.sparsitybench.train.Recovery;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;
import org.sparsitybench.ui.common.UndoableConfig;

/**
 * The Recover pane: fine-tunes the window's current pruned configuration with its masks fixed (the engine's
 * {@link Recovery}, as {@code sparsitybench finetune} drives it) on the training split the model card names, with
 * a seeded {@value #VALIDATION_PERCENT} % of it held out for validation (which also picks the best epoch). Epochs
 * arrive one by one for the live chart; Cancel keeps the best completed epoch. The recovered weights become the
 * window's current state ({@link RecoveredWeights}, undoable) and can be exported beside the model (never over it).
 */
public final class RecoveryViewModel {
    /** Share of the training split held out for validation, in percent. */
    public static final int VALIDATION_PERCENT = 10;
    /** Seed of the hold-out and the batch order (the same as the command line's default). */
    public static final long SEED = 0;
    /** Samples per step. */
    public static final int BATCH = 128;
    /** Upper bound of the epochs field. */
    public static final int MAX_EPOCHS = 200;

    /**
     * A finished (or cancelled) run.
     *
     * @param model           the model the network was read from (not modified)
     * @param config          the pruning configuration the masks came from
     * @param net             the network holding the best completed epoch's weights
     * @param result          the epochs completed and the best one
     * @param cancelled       whether the run was cancelled before its last epoch
     * @param trainSamples    samples it trained on
     * @param validationSamples samples held out for validation
     * @param settings        how it trained: epochs, learning rate and its schedule, weight decay, distillation
     */
    public record Outcome(Model model, PruningConfig config, GraphNetwork net, Recovery.Result result,
                          boolean cancelled, int trainSamples, int validationSamples, Recovery.Config settings) {
        /** The best epoch's figures, or null when none completed. */
        public Recovery.Epoch bestEpoch() {
            return result.best() == 0 ? null : result.epochs().get(result.best() - 1);
        }
    }

    private final FxTaskExecutor executor;
    private final Consumer<String> errors;
    private final Supplier<ModelUnderTest> current;
    private final Supplier<PruningConfig> currentConfig;
    private final Supplier<PruningResult> shownMasks;
    private final RecoveredWeights weights;
    private final IntegerProperty epochs = new SimpleIntegerProperty(this, "epochs", 3);
    private final DoubleProperty learningRate = new SimpleDoubleProperty(this, "learningRate", 1e-3);
    private final ObjectProperty<LrSchedule> schedule =
            new SimpleObjectProperty<>(this, "schedule", LrSchedule.COSINE);
    private final DoubleProperty weightDecay = new SimpleDoubleProperty(this, "weightDecay", 0);
    private final BooleanProperty distill = new SimpleBooleanProperty(this, "distill", false);
    private final IntegerProperty limit = new SimpleIntegerProperty(this, "limit", Integer.MAX_VALUE);
    private final ObservableList<Recovery.Epoch> history = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running", false);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status",
            "Fine-tunes the current pruned configuration; pruned weights stay 0.");
    private final ReadOnlyObjectWrapper<Outcome> outcome = new ReadOnlyObjectWrapper<>(this, "outcome");

    /**
     * @param executor runs the training
     * @param errors   hears a failure, phrased for a dialog
     * @param current  the window's model, card and data now
     * @param config   the window's pruning configuration (its masks are the ones kept) and its history: a run's
     *                 result becomes the current state as one undoable step ({@link #weights()})
     */
    public RecoveryViewModel(FxTaskExecutor executor, Consumer<String> errors, Supplier<ModelUnderTest> current,
                             UndoableConfig config) {
        this(executor, errors, current, config, () -> null);
    }

    /**
     * As {@link #RecoveryViewModel(FxTaskExecutor, Consumer, Supplier, UndoableConfig)}, keeping the masks the
     * window shows: its engine has Wanda's calibration and the sensitivity curves, which pruning the configuration
     * again without them could not reproduce.
     *
     * @param shown the engine's result on screen (null before the first); used when it is the configuration's
     */
    public RecoveryViewModel(FxTaskExecutor executor, Consumer<String> errors, Supplier<ModelUnderTest> current,
                             UndoableConfig config, Supplier<PruningResult> shown) {
        this.executor = executor;
        this.errors = errors;
        this.current = current;
        this.currentConfig = config::get;
        this.shownMasks = shown;
        this.weights = new RecoveredWeights(config);
    }

    /** Which weights the window shows: one-shot, or the last run's recovered ones (undoable). */
    public RecoveredWeights weights() {
        return weights;
    }

    /** Starts on the window's current model and configuration; see {@link #start(ModelUnderTest, PruningConfig)}. */
    public boolean start() {
        PruningConfig config = currentConfig.get();
        PruningResult shown = shownMasks.get();
        return start(current.get(), config, shown != null && shown.config().equals(config) ? shown : null);
    }

    /** What stops a run on the window's current model now, or null. */
    public String problem() {
        return problem(current.get());
    }

    /** Passes over the training split (1 … {@value #MAX_EPOCHS}). */
    public IntegerProperty epochsProperty() {
        return epochs;
    }

    /** Initial Adam learning rate (0 &lt; lr ≤ 1); {@link #scheduleProperty()} says how it moves. */
    public DoubleProperty learningRateProperty() {
        return learningRate;
    }

    /** How the learning rate moves over the run: cosine to 0 (the default), step decay, or constant. */
    public ObjectProperty<LrSchedule> scheduleProperty() {
        return schedule;
    }

    /** Decoupled weight decay (AdamW), 0 ≤ λ ≤ 1; 0 (the default) is plain Adam, as the command line's default. */
    public DoubleProperty weightDecayProperty() {
        return weightDecay;
    }

    /** Distil from the model as opened (dense) instead of training on labels only. */
    public BooleanProperty distillProperty() {
        return distill;
    }

    /** At most this many training samples are loaded (before the hold-out); for tests and quick looks. */
    public IntegerProperty limitProperty() {
        return limit;
    }

    /** The epochs of the current run (or the last), in order; grows while it runs. */
    public ObservableList<Recovery.Epoch> history() {
        return history;
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** One line on what the pane shows: the weights (one-shot or recovered), the figures and their split. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** The last run's result, or null. */
    public ReadOnlyObjectProperty<Outcome> outcomeProperty() {
        return outcome.getReadOnlyProperty();
    }

    /**
     * What stops a run of {@code on} with the fields as they are, or null when it can start.
     */
    public String problem(ModelUnderTest on) {
        if (epochs.get() < 1 || epochs.get() > MAX_EPOCHS) {
            return "epochs: " + epochs.get() + " is outside 1 … " + MAX_EPOCHS;
        }
        double lr = learningRate.get();
        if (!(lr > 0 && lr <= 1)) {
            return "learning rate: " + lr + " must be above 0 and at most 1";
        }
        double wd = weightDecay.get();
        if (!(wd >= 0 && wd <= 1)) {
            return "weight decay: " + wd + " must be at least 0 and at most 1";
        }
        if (schedule.get() == null) {
            return "learning-rate schedule: choose one of " + LrSchedule.ids();
        }
        if (limit.get() < 20) {
            return "sample limit: " + limit.get() + " leaves too few samples to hold out validation";
        }
        if (on == null || on.model() == null) {
            return "open a model first";
        }
        if (on.model().format() != ModelFormat.ONNX) {
            return on.model().file() + ": recovery trains the graph; " + on.model().format().id()
                    + " holds weights only";
        }
        if (on.card() == null) {
            return on.model().file() + ": recovery needs a model card beside the model (preprocessing, train split)";
        }
        Path train = trainPath(on);
        if (train == null) {
            return on.model().file() + ": the model card names no training split (dataset.train)";
        }
        if (!Files.exists(train)) {
            return train + ": the training split the model card names does not exist";
        }
        return null;
    }

    /** The training split the card beside {@code on}'s model names, or null. */
    static Path trainPath(ModelUnderTest on) {
        return on.card().datasetPath(on.model().file(), "train").orElse(null);
    }

    /**
     * Starts fine-tuning {@code on}'s model pruned by {@code config} (masks fixed) in the background.
     *
     * @return false when the fields or the model do not allow it (reported) or another long task runs
     */
    public boolean start(ModelUnderTest on, PruningConfig config) {
        return start(on, config, null);
    }

    /** As {@link #start(ModelUnderTest, PruningConfig)} with {@code masks} (the engine's result for it) kept. */
    private boolean start(ModelUnderTest on, PruningConfig config, PruningResult masks) {
        String p = problem(on);
        if (p != null) {
            errors.accept(p);
            return false;
        }
        Recovery.Config cfg = new Recovery.Config(epochs.get(), BATCH, learningRate.get(), SEED,
                distill.get() ? 0.5 : 1, 4, 1, schedule.get(), weightDecay.get());
        Path train = trainPath(on);
        int max = limit.get();
        boolean teacher = distill.get();
        history.clear();
        Outcome previous = outcome.get();
        String before = status.get();
        // Set before starting: a direct executor (tests) runs the whole task inside start().
        outcome.set(null);
        running.set(true);
        status.set("Recovering: reading " + train.getFileName() + " …");
        boolean started = executor.foreground("Recover", (progress, cancel) ->
                        run(on.model(), on.card(), train, max, teacher, config, masks, cfg, progress, cancel))
                .onSucceeded(o -> finished(o))
                .onCancelled(() -> finished(outcome.get()))
                .onFailed(e -> {
                    running.set(false);
                    status.set("Recovery failed: " + FxTaskExecutor.describe(e));
                    errors.accept(FxTaskExecutor.describe(e));
                })
                .start();
        if (!started) {
            outcome.set(previous);
            running.set(false);
            status.set(before);
        }
        return started;
    }

    /** Cancels a running recovery; the best completed epoch is kept. */
    public void cancel() {
        if (running.get()) {
            executor.cancelForeground();
        }
    }

    private Outcome run(Model m, ModelCard card, Path train, int max, boolean teacher, PruningConfig config,
                        PruningResult masks, Recovery.Config cfg, ProgressListener progress, CancellationToken cancel)
            throws IOException {
        LabeledData raw = Datasets.open(train);
        card.requireFits(raw);
        InMemoryData[] split = InMemoryData.load(raw, "train", max).holdOut(VALIDATION_PERCENT / 100.0, SEED);
        InMemoryData trainSet = split[0];
        InMemoryData validationSet = split[1];
        long[] sampleDims = Arrays.copyOfRange(card.inputShape(), 1, card.inputShape().length);
        GraphNetwork net = OnnxGraphReader.read(m, sampleDims, false);
        if (masks != null) {
            MaskedPruning.applyValues(net, m, masks.prunedValues(m));
        } else {
            MaskedPruning.prune(net, m, config, cancel);
        }
        float[] logits = teacher ? RecoveredModel.teacherLogits(m.file(), card, trainSet, cancel) : null;
        int classes = logits != null ? logits.length / trainSet.count() : card.classes(maxLabel(trainSet, validationSet) + 1);
        Recovery.Data data = new Recovery.Data(RecoveredModel.preprocessed(card, trainSet), trainSet.labels(),
                RecoveredModel.preprocessed(card, validationSet), validationSet.labels(), logits, classes);
        progress.progress(0, "epoch 1/" + cfg.epochs());
        Recovery.Result result = Recovery.run(net, m, data, cfg, null, e -> {
            progress.progress((double) e.epoch() / e.epochs(), String.format(Locale.ROOT,
                    "epoch %d/%d, validation accuracy %.2f %%", e.epoch(), e.epochs(), 100 * e.validationAccuracy()));
            executor.onFx(() -> history.add(e));
        }, cancel);
        Outcome o = new Outcome(m, config, net, result, result.epochs().size() < cfg.epochs(), trainSet.count(),
                validationSet.count(), cfg);
        // A cancelled task delivers no result, yet the completed epochs are kept: hand them over before returning.
        executor.onFx(() -> outcome.set(o));
        return o;
    }

    private static int maxLabel(InMemoryData a, InMemoryData b) {
        int max = 0;
        for (int l : a.labels()) {
            max = Math.max(max, l);
        }
        for (int l : b.labels()) {
            max = Math.max(max, l);
        }
        return max;
    }

    private void finished(Outcome o) {
        running.set(false);
        boolean shown = false;
        if (o != null) {
            outcome.set(o);
            shown = weights.apply(o);
        }
        status.set(shown || o == null || o.bestEpoch() == null ? describe(o) : describe(o).replace(ON_SCREEN,
                "The configuration changed while it trained: Undo back to it to see these weights."));
    }

    private static final String ON_SCREEN = "The window now shows these weights (Edit ▸ Undo returns to the one-shot "
            + "ones).";

    /** The status line for an outcome: which weights, their validation figure and split, what Cancel kept. */
    static String describe(Outcome o) {
        if (o == null || o.bestEpoch() == null) {
            return "Cancelled before the first epoch completed: the weights are one-shot (pruned, not recovered).";
        }
        Recovery.Epoch b = o.bestEpoch();
        String kept = o.cancelled()
                ? String.format(Locale.ROOT, "Cancelled after %d of %d epochs; the best completed epoch is kept. ",
                        o.result().epochs().size(), b.epochs())
                : "";
        return kept + String.format(Locale.ROOT, "Recovered weights (epoch %d): validation accuracy %.2f %% on %,d "
                        + "samples (seeded %d %% hold-out of the train split); trained on %,d (%s). Sparsity %.2f %%. "
                        + ON_SCREEN,
                b.epoch(), 100 * b.validationAccuracy(), o.validationSamples(), VALIDATION_PERCENT, o.trainSamples(),
                settings(o.settings()), 100 * b.sparsity());
    }

    /** "lr 0.001, cosine decay to 0 over all steps, weight decay 0.01, distilled": how a run trained. */
    static String settings(Recovery.Config c) {
        return String.format(Locale.ROOT, "lr %s, %s%s%s", c.lr(), c.schedule().description(),
                c.weightDecay() > 0 ? ", weight decay " + c.weightDecay() : "", c.alpha() < 1 ? ", distilled" : "");
    }

    /** Where the recovered model is exported by default: beside the model, never the model itself. */
    public static Path defaultExport(Model m) {
        String name = m.file().getFileName().toString();
        String stem = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        return m.file().toAbsolutePath().resolveSibling(stem + ".recovered.onnx");
    }

    /**
     * Writes the last outcome's model with its recovered weights to {@code out}, atomically; refuses the opened
     * model's own file.
     *
     * @param done hears the path written
     * @return false when there is nothing to export (reported) or another long task runs
     */
    public boolean export(Path out, Consumer<Path> done) {
        Outcome o = outcome.get();
        if (o == null || o.bestEpoch() == null) {
            errors.accept("nothing recovered to export: run Recover first");
            return false;
        }
        return executor.foreground("Export recovered model", (progress, cancel) -> {
                    AtomicFiles.refuseOverwrite(o.model().file(), out);
                    RecoveredModel.write(o.model(), o.net(), Map.of("sparsitybench.recover", "epochs="
                            + o.result().epochs().size() + ",best=" + o.result().best()), out, progress, cancel);
                    return out;
                })
                .onSucceeded(p -> {
                    status.set(describe(o) + " Exported to " + p + ".");
                    done.accept(p);
                })
                .onFailed(e -> errors.accept(FxTaskExecutor.describe(e)))
                .start();
    }
}
