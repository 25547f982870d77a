package org.sparsitybench.ui.curves;

import java.util.List;
import java.util.function.Consumer;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.sparsitybench.eval.Sweep;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;

/**
 * The sweeps behind the curves pane: runs them as long tasks with progress and cancel, and keeps the points in
 * the order they finished (a cancelled sweep keeps those it measured).
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

    /** Forgets the points (another model or data set). */
    public void clear() {
        points.clear();
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
        return executor.foreground("Sweep", (progress, cancel) -> Sweep.run(on.model(), on.card(), on.data(),
                        methods, alloc, levels, LATENCY_RUNS, limit, progress, cancel,
                        p -> executor.onFx(() -> points.add(p))))
                .onFailed(e -> errors.accept(FxTaskExecutor.describe(e)))
                .start();
    }
}
