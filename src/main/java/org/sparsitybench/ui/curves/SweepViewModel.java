package org.sparsitybench.ui.curves;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.sparsitybench.eval.Sweep;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;

/**
 * The sweeps behind the curves pane: runs them as long tasks with progress and cancel. Each sweep is a run with
 * an id and a label (methods, allocation, start time; "cancelled" when it was); a new run replaces the previous
 * ones unless {@link #keepPreviousProperty()} is set, so two sweeps never merge into one zig-zag line. A cancelled
 * run keeps the points it measured, as its own run.
 */
public final class SweepViewModel {
    /** Timed runs per sweep point (batch 1, one thread), for the latency curves. */
    static final int LATENCY_RUNS = 20;
    /** Methods the window's sweep compares. */
    public static final List<String> METHODS = List.of("magnitude", "random");
    /** Levels the window's sweep measures. */
    public static final List<Double> LEVELS = List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9);

    private final FxTaskExecutor executor;
    private final Consumer<String> errors;
    private final ObservableList<SweepPoint> points = FXCollections.observableArrayList();
    private final BooleanProperty keepPrevious = new SimpleBooleanProperty(this, "keepPrevious", false);
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
     * Sweeps {@code methods} × {@code levels} on at most {@code limit} samples of {@code on}'s data. The
     * sensitivity-guided allocation is swept as uniform: its curves are per configuration, not per level.
     *
     * @return false when nothing can be measured (reported) or another long task runs
     */
    public boolean run(ModelUnderTest on, Allocation allocation, List<String> methods, List<Double> levels, int limit) {
        if (!on.measurable()) {
            errors.accept("a sweep needs a model with a model card and test data beside it");
            return false;
        }
        Allocation alloc = allocation == Allocation.SENSITIVITY ? Allocation.UNIFORM : allocation;
        int id = nextId;
        Run run = new Run(id, "run " + id + ": " + String.join(" + ", methods) + " / " + alloc.id() + " at "
                + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")));
        int before = accepting;
        accepting = id; // set first: a direct executor delivers the points inside start()
        boolean started = executor.foreground("Sweep", (progress, cancel) -> Sweep.run(on.model(), on.card(), on.data(),
                        methods, alloc, levels, LATENCY_RUNS, limit, progress, cancel,
                        p -> executor.onFx(() -> add(run, p))))
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
