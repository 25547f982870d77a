package org.sparsitybench.ui.curves;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.sparsitybench.eval.ConfigurationMeter;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.PrunePipeline;
import org.sparsitybench.eval.Reconstruction;
import org.sparsitybench.eval.Sweep;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.method.WandaMethod;
import org.sparsitybench.train.Recovery;
import org.sparsitybench.train.SweepRecovery;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;

/**
 * The sweeps behind the curves pane: runs them as long tasks with progress and cancel, over the methods the user
 * picked (any registered one; Wanda and SparseGPT calibrate on the validation split), one-shot or "with recovery,
 * N epochs per point" (each point fine-tuned on the train split and measured again, so the curves show both series
 * side by side). Each sweep is a run with
 * an id and a label (methods, allocation, start time; "cancelled" when it was); a new run replaces the previous
 * ones unless {@link #keepPreviousProperty()} is set, so two sweeps never merge into one zig-zag line. A cancelled
 * run keeps the points it measured, as its own run.
 */
public final class SweepViewModel {
    /** Timed runs per sweep point (batch 1, one thread), for the latency curves. */
    static final int LATENCY_RUNS = 20;
    /** Initial learning rate of each point's recovery (the Recover pane's default), cosine to 0. */
    static final double LEARNING_RATE = 1e-3;
    /** Methods the window's sweep compares until the user picks others. */
    public static final List<String> METHODS = List.of("magnitude", "random");
    /** Every method a sweep can run, in the order the window offers them. */
    public static final List<String> SWEEPABLE = Sweep.METHODS;
    /** Default epochs of "with recovery, N epochs per point". */
    public static final int RECOVERY_EPOCHS = 3;
    /** Upper bound of the epochs per point. */
    public static final int MAX_RECOVERY_EPOCHS = 50;
    /** Calibration samples Wanda and SparseGPT read from the validation split. */
    public static final int CALIBRATION_SAMPLES = 128;
    /** Levels the window's sweep measures. */
    public static final List<Double> LEVELS = List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9);

    private final FxTaskExecutor executor;
    private final Consumer<String> errors;
    private final ObservableList<SweepPoint> points = FXCollections.observableArrayList();
    private final BooleanProperty keepPrevious = new SimpleBooleanProperty(this, "keepPrevious", false);
    private final ObservableList<String> methods = FXCollections.observableArrayList(METHODS);
    private final BooleanProperty recover = new SimpleBooleanProperty(this, "recover", false);
    private final IntegerProperty recoveryEpochs = new SimpleIntegerProperty(this, "recoveryEpochs", RECOVERY_EPOCHS);
    private final IntegerProperty recoveryLimit = new SimpleIntegerProperty(this, "recoveryLimit", Integer.MAX_VALUE);
    /** The run each point of {@link #points} belongs to, by identity (equal points of two runs stay apart). */
    private final Map<SweepPoint, Run> runOf = new IdentityHashMap<>();
    private final List<Run> runs = new ArrayList<>();
    private int nextId = 1;
    /** The id of the run whose points are arriving; points of any other run are dropped. */
    private int accepting;

    /**
     * One sweep.
     *
     * @param id    1, 2, ... in this session
     * @param label what was swept and when, e.g. "run 2: magnitude + random / uniform at 11:02:10"
     */
    public record Run(int id, String label) {
    }

    /**
     * @param executor runs the sweep
     * @param errors   hears a failure, phrased for a dialog
     */
    public SweepViewModel(FxTaskExecutor executor, Consumer<String> errors) {
        this.executor = executor;
        this.errors = errors;
    }

    /** Points measured by sweeps run in this session, in the order they finished. */
    public ObservableList<SweepPoint> points() {
        return points;
    }

    /** Forgets the points and runs (another model or data set). */
    public void clear() {
        accepting = 0;
        forget();
    }

    private void forget() {
        runOf.clear();
        runs.clear();
        points.clear();
    }

    /** Whether a new sweep sits beside the previous runs (true) or replaces them (false, the default). */
    public BooleanProperty keepPreviousProperty() {
        return keepPrevious;
    }

    /**
     * The methods the next sweep runs, in {@link #SWEEPABLE}'s order (magnitude and random until changed); the
     * window's checkboxes edit it.
     */
    public ObservableList<String> methods() {
        return methods;
    }

    /** Picks or drops {@code method} for the next sweep, keeping {@link #SWEEPABLE}'s order. */
    public void choose(String method, boolean chosen) {
        if (!SWEEPABLE.contains(method)) {
            throw new IllegalArgumentException("method '" + method + "' cannot be swept; one of " + SWEEPABLE);
        }
        if (chosen == methods.contains(method)) {
            return;
        }
        List<String> next = new ArrayList<>(SWEEPABLE);
        next.removeIf(m -> m.equals(method) ? !chosen : !methods.contains(m));
        methods.setAll(next);
    }

    /**
     * "With recovery": every point is also fine-tuned {@link #recoveryEpochsProperty()} epochs on the model card's
     * train split (masks fixed; a seeded 10 % hold-out picks the best epoch) and measured again.
     */
    public BooleanProperty recoverProperty() {
        return recover;
    }

    /** Epochs per point with recovery (1 … {@value #MAX_RECOVERY_EPOCHS}). */
    public IntegerProperty recoveryEpochsProperty() {
        return recoveryEpochs;
    }

    /** At most this many train samples (before the hold-out) are read for recovery; for tests and quick looks. */
    public IntegerProperty recoveryLimitProperty() {
        return recoveryLimit;
    }

    /** The runs whose points are in {@link #points()}, oldest first. */
    public List<Run> runs() {
        return List.copyOf(runs);
    }

    /** The run {@code p} (one of {@link #points()}) belongs to, or null for a point not from this model. */
    public Run runOf(SweepPoint p) {
        return runOf.get(p);
    }

    /** The runs with their points, oldest first (what a project file keeps). */
    public List<org.sparsitybench.project.Project.SweepRun> records() {
        return runs.stream().map(r -> new org.sparsitybench.project.Project.SweepRun(r.id(), r.label(),
                points.stream().filter(p -> runOf.get(p) == r).toList())).toList();
    }

    /** Shows the runs a project file kept in place of the current ones; the next run's id follows theirs. */
    public void restore(List<org.sparsitybench.project.Project.SweepRun> records) {
        clear();
        for (var rec : records) {
            Run run = new Run(rec.id(), rec.label());
            runs.add(run);
            rec.points().forEach(p -> runOf.put(p, run));
            points.addAll(rec.points());
            nextId = Math.max(nextId, rec.id() + 1);
        }
    }

    /** The run label of each of {@code list} (points of {@link #points()}), for the CSV's run column. */
    public List<String> runLabels(List<SweepPoint> list) {
        return list.stream().map(p -> {
            Run r = runOf.get(p);
            return r == null ? "" : r.label();
        }).toList();
    }

    /**
     * Sweeps {@code methods} × {@code levels} on at most {@code limit} samples of {@code on}'s data, one-shot. The
     * sensitivity-guided allocation is swept as uniform: its curves are per configuration, not per level.
     *
     * @return false when nothing can be measured (reported) or another long task runs
     */
    public boolean run(ModelUnderTest on, Allocation allocation, List<String> methods, List<Double> levels, int limit) {
        return run(on, ModelUnderTest.NONE, allocation, methods, levels, limit);
    }

    /**
     * As {@link #run(ModelUnderTest, Allocation, List, List, int)}; Wanda and SparseGPT calibrate on
     * {@code validation}'s data, and with {@link #recoverProperty()} every point is also fine-tuned on the card's
     * train split and measured again.
     *
     * @param validation the model with its validation split ({@link ModelUnderTest#NONE} when there is none)
     * @return false when nothing can be measured, a method needs data that is not there (reported) or another
     *         long task runs
     */
    public boolean run(ModelUnderTest on, ModelUnderTest validation, Allocation allocation, List<String> methods,
                       List<Double> levels, int limit) {
        String problem = problem(on, validation, methods);
        if (problem != null) {
            errors.accept(problem);
            return false;
        }
        Allocation alloc = allocation == Allocation.SENSITIVITY ? Allocation.UNIFORM : allocation;
        boolean recovering = recover.get();
        int epochs = recoveryEpochs.get();
        int trainLimit = recoveryLimit.get();
        Path train = recovering ? trainPath(on) : null;
        Sweep.Options options = new Sweep.Options(validation.data() == null ? null
                : new PrunePipeline.Data(validation.card(), validation.data(), DataSplits.VALIDATION,
                String.valueOf(validation.data().source())), CALIBRATION_SAMPLES, null);
        int id = nextId;
        Run run = new Run(id, "run " + id + ": " + String.join(" + ", methods) + " / " + alloc.id()
                + (recovering ? ", with recovery (" + epochs + " ep per point)" : "") + " at "
                + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")));
        int before = accepting;
        accepting = id; // set first: a direct executor delivers the points inside start()
        boolean started = executor.foreground(recovering ? "Sweep with recovery" : "Sweep", (progress, cancel) -> {
                    Sweep.Options o = options;
                    if (recovering) {
                        progress.progress(0, "reading the train split for recovery");
                        o = new Sweep.Options(options.calibration(), options.calibrationSamples(),
                                SweepRecovery.load(on.model(), on.card(), train, trainLimit, new Recovery.Config(
                                        epochs, SweepRecovery.BATCH, LEARNING_RATE, 0, 1, 4, 1)));
                    }
                    return Sweep.run(new ConfigurationMeter(on.model(), on.card(), on.data()), methods, alloc, levels,
                            LATENCY_RUNS, limit, o, progress, cancel, p -> executor.onFx(() -> add(run, p)));
                })
                .onFailed(e -> errors.accept(FxTaskExecutor.describe(e)))
                .onCancelled(() -> executor.onFx(() -> relabel(run, run.label() + " (cancelled)")))
                .start();
        if (started) {
            nextId++;
        } else {
            accepting = before;
        }
        return started;
    }

    /** Why a sweep of {@code methods} cannot run, or null when it can. */
    String problem(ModelUnderTest on, ModelUnderTest validation, List<String> methods) {
        if (!on.measurable()) {
            return "a sweep needs a model with a model card and test data beside it";
        }
        if (methods.isEmpty()) {
            return "pick at least one method to sweep";
        }
        for (String m : methods) {
            if ((m.equals(WandaMethod.ID) || Reconstruction.isSparseGpt(m)) && validation.data() == null) {
                return m + " calibrates on the validation split, and the model card names no training data to hold "
                        + "it out of (dataset.train) nor a validation file: it cannot be swept here";
            }
        }
        if (recover.get()) {
            if (recoveryEpochs.get() < 1 || recoveryEpochs.get() > MAX_RECOVERY_EPOCHS) {
                return "recovery epochs per point: " + recoveryEpochs.get() + " is outside 1 … " + MAX_RECOVERY_EPOCHS;
            }
            Path train = trainPath(on);
            if (train == null || !Files.exists(train)) {
                return on.model().file() + ": a sweep with recovery fine-tunes on the train split, and the model "
                        + "card names none that exists (dataset.train)";
            }
        }
        return null;
    }

    private static Path trainPath(ModelUnderTest on) {
        return on.card().datasetPath(on.model().file(), DataSplits.TRAIN).orElse(null);
    }

    private void add(Run run, SweepPoint p) {
        if (run.id() != accepting) {
            return; // a run replaced (or a model changed) while its points were in flight
        }
        if (!runs.contains(run)) {
            // The run's first point: it replaces the previous runs unless the user keeps them.
            if (!keepPrevious.get()) {
                forget();
            }
            runs.add(run);
        }
        runOf.put(p, run);
        points.add(p);
    }

    private void relabel(Run run, String label) {
        int i = runs.indexOf(run);
        if (i < 0) {
            return;
        }
        Run next = new Run(run.id(), label);
        runs.set(i, next);
        runOf.replaceAll((p, r) -> r.equals(run) ? next : r);
        // Listeners redraw from the points: replacing them with themselves announces the new label.
        points.setAll(List.copyOf(points));
    }
}
