package org.sparsitybench.ui.workbench;

import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.sparsitybench.eval.ActivationNorms;
import org.sparsitybench.prune.CalibrationSpec;
import org.sparsitybench.prune.FeatureNorms;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.SensitivityAllocation;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;

/**
 * The pruning engine the workbench's frames are computed with, and what guides it beyond the configuration: the
 * sensitivity curves' allocation and Wanda's calibration (the norm of each layer's input per feature, captured on
 * the validation split). The engine is rebuilt whenever one of them changes, since the same configuration may then
 * give other masks.
 */
final class CalibratedEngine {
    private final FxTaskExecutor executor;
    private final DatasetViewModel data;
    private final Supplier<PruningConfig> config;
    private final Consumer<String> fail;
    private final Runnable rebuilt;
    /** Null while no model (or a model being swapped in) is ready. */
    private PruningEngine engine;
    private SensitivityAllocation sensitivityHook;
    private Map<String, FeatureNorms> featureNorms = Map.of();

    /**
     * @param rebuilt runs before each rebuild (after {@link #guideBy} or a calibration), not after {@link #build}
     */
    CalibratedEngine(FxTaskExecutor executor, DatasetViewModel data, Supplier<PruningConfig> config,
                     Consumer<String> fail, Runnable rebuilt) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.data = Objects.requireNonNull(data, "data");
        this.config = Objects.requireNonNull(config, "config");
        this.fail = Objects.requireNonNull(fail, "fail");
        this.rebuilt = Objects.requireNonNull(rebuilt, "rebuilt");
    }

    /** The engine frames are computed with; null while no model (or a model being swapped in) is ready. */
    PruningEngine get() {
        return engine;
    }

    /** Drops the engine and what guided it: the old model's engine must not see the new model's rows. */
    void forget() {
        engine = null;
        sensitivityHook = null;
        featureNorms = Map.of();
    }

    /** An engine for the model just opened, guided by nothing yet. */
    void build(OpenedModel o) {
        engine = new PruningEngine(o.model(), o.cache(), null);
    }

    /** The sensitivity-guided allocation now reads {@code hook}. */
    void guideBy(SensitivityAllocation hook) {
        sensitivityHook = hook;
        rebuild();
    }

    /** Whether Wanda's calibration has been captured for the current model and data. */
    boolean isCalibrated() {
        return !featureNorms.isEmpty();
    }

    /** Whether {@code c} prunes some layer with Wanda, which needs the calibration. */
    static boolean usesWanda(PruningConfig c) {
        return "wanda".equals(c.global().method())
                || c.layers().values().stream().anyMatch(l -> "wanda".equals(l.method()));
    }

    /** See {@link WorkbenchViewModel#calibrate(Runnable)}. */
    boolean calibrate(Runnable then) {
        if (!data.validationReady("wanda's calibration (the norm of each layer's input)")) {
            return false;
        }
        ModelUnderTest on = data.validationUnderTest();
        CalibrationSpec spec = config.get().global().calibration();
        int samples = spec == null ? WorkbenchViewModel.CALIBRATION_SAMPLES : spec.count();
        return executor.foreground("Calibrating wanda on " + samples + " validation samples", (progress, cancel) ->
                        ActivationNorms.capture(on.model(), on.card(), on.data(), samples, progress, cancel))
                .onSucceeded(norms -> {
                    // A model opened meanwhile has its own inputs: these norms are not its.
                    if (data.openedModel().model() == on.model()) {
                        featureNorms = Map.copyOf(norms);
                        rebuild();
                        then.run();
                    }
                })
                .onFailed(e -> fail.accept(FxTaskExecutor.describe(e)))
                .start();
    }

    private void rebuild() {
        rebuilt.run();
        OpenedModel o = data.openedModel();
        engine = new PruningEngine(o.model(), o.cache(), sensitivityHook, featureNorms);
    }
}
