package org.sparsitybench.ui.quantize;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.quantize.PrecisionSweep;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;

/**
 * The curves' sparsity × precision sweep without any toolkit: {@link PrecisionSweep} (the one {@code quantize
 * --sweep} runs) as a long task — each level pruned (magnitude, global threshold), kept float32 or quantized to
 * static INT8 or weight-only INT4, its accuracy measured in ONNX Runtime and its file compressed as exported — and
 * the Pareto front over compressed size and accuracy. It chooses, so it reads the validation split (calibration
 * and accuracy alike), and says so.
 */
public final class PrecisionSweepViewModel {
    /** Sparsity levels the window's precision sweep measures. */
    public static final List<Double> LEVELS = List.of(0.0, 0.5, 0.7, 0.8, 0.9);
    /** Validation samples each point is evaluated on. */
    public static final int SAMPLES = 2000;
    /** INT4 block along the input dimension. */
    static final int BLOCK = 32;

    private final FxTaskExecutor executor;
    private final Consumer<String> errors;
    private final List<Runnable> listeners = new ArrayList<>();
    private List<PrecisionSweep.Point> points = List.of();
    private String split = "";
    /** Bumped by {@link #clear()}: a run started for another model drops its result. */
    private int generation;

    /**
     * @param executor runs the sweep
     * @param errors   hears a failure, phrased for a dialog
     */
    public PrecisionSweepViewModel(FxTaskExecutor executor, Consumer<String> errors) {
        this.executor = executor;
        this.errors = errors;
    }

    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    private void changed() {
        for (Runnable r : List.copyOf(listeners)) {
            r.run();
        }
    }

    /**
     * Sweeps {@code levels} × {float32, int8, int4} on at most {@code limit} samples of {@code validation}'s data,
     * replacing the previous points when it finishes.
     *
     * @param validation the model, its card and its validation split (calibration and accuracy)
     * @param split      the split's name for the chart ("validation")
     * @return false when nothing can be measured (reported) or another long task runs
     */
    public boolean run(ModelUnderTest validation, String split, List<Double> levels, int limit) {
        if (!validation.measurable()) {
            errors.accept("a sparsity × precision sweep needs the model card's validation split (dataset.validation, "
                    + "or dataset.train to hold 10 % out of)");
            return false;
        }
        int at = generation;
        return executor.foreground("Sparsity × precision sweep", (progress, cancel) -> PrecisionSweep.run(
                        validation.model(), validation.card(), validation.data(), validation.data(), levels,
                        Allocation.GLOBAL, BLOCK, limit, progress, cancel))
                .onSucceeded(list -> {
                    if (at == generation) {
                        points = List.copyOf(list);
                        this.split = split;
                        changed();
                    }
                })
                .onFailed(e -> errors.accept(FxTaskExecutor.describe(e)))
                .start();
    }

    /** Forgets the points (another model or data set). */
    public void clear() {
        generation++;
        points = List.of();
        split = "";
        changed();
    }

    /** The measured points, in the order measured. */
    public List<PrecisionSweep.Point> points() {
        return points;
    }

    /** The points no other beats: none smaller (compressed) and at least as accurate; ascending by size. */
    public List<PrecisionSweep.Point> front() {
        return PrecisionSweep.paretoFront(points);
    }

    /** The split the accuracies come from, empty before a sweep. */
    public String split() {
        return split;
    }
}
