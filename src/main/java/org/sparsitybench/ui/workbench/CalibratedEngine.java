package org.sparsitybench.ui.workbench;

import org.sparsitybench.prune.method.WandaMethod;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.sparsitybench.eval.ActivationNorms;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.prune.CalibrationSpec;
import org.sparsitybench.prune.FeatureNorms;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.SensitivityAllocation;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;
import org.sparsitybench.ui.sensitivity.SensitivityViewModel;

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
    private Runnable rebuilt = () -> { };
    /** Null while no model (or a model being swapped in) is ready. */
    private PruningEngine engine;
    private SensitivityAllocation sensitivityHook;
    private Map<String, FeatureNorms> featureNorms = Map.of();

    CalibratedEngine(FxTaskExecutor executor, DatasetViewModel data, Supplier<PruningConfig> config,
                     Consumer<String> fail) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.data = Objects.requireNonNull(data, "data");
        this.config = Objects.requireNonNull(config, "config");
        this.fail = Objects.requireNonNull(fail, "fail");
    }

    /**
     * {@code listener} runs before each rebuild (after a sensitivity analysis or a calibration), not after
     * {@link #build}. Set after construction because what listens (reconstruction) follows the frames this engine
     * computes.
     */
    void onRebuilt(Runnable listener) {
        rebuilt = Objects.requireNonNull(listener, "listener");
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

    /**
     * See {@link WorkbenchViewModel#runSensitivity}: the analysis reads the validation split; its curves then guide
     * the sensitivity allocation, and {@code then} runs on the FX thread.
     */
    boolean analyze(SensitivityViewModel sensitivity, List<Double> levels, int limit,
                    java.util.function.Consumer<List<Sensitivity.LayerCurve>> then) {
        if (!data.validationReady("a sensitivity analysis")) {
            return false;
        }
        return sensitivity.analyze(data.validationUnderTest(), levels, limit, data::validationUnderTest, then);
    }

    /** Curves measured now or kept by a project guide the engine from now on. */
    void sensitivityKnown(List<Sensitivity.LayerCurve> curves) {
        sensitivityHook = Sensitivity.hook(curves);
        rebuild();
    }


    /** The global bar switches to {@code method}: Wanda is calibrated first when it has not been. */
    void beforeMethod(String method, Runnable apply) {
        if (WandaMethod.isWanda(method) && !isCalibrated() && data.openedModel() != null) {
            calibrate(apply);
        } else {
            apply.run();
        }
    }

    /**
     * A model was just opened with {@code c}: when it prunes with Wanda and a validation split is there, the
     * calibration comes first (once the opening task has left the foreground); then {@code then}.
     */
    void calibrateIfUsed(PruningConfig c, Runnable then) {
        if (usesWanda(c) && data.openedModel().validation() != null) {
            executor.onFx(() -> calibrate(then));
        } else {
            then.run();
        }
    }

    /** Whether Wanda's calibration has been captured for the current model and data. */
    boolean isCalibrated() {
        return !featureNorms.isEmpty();
    }

    private static boolean usesWanda(PruningConfig c) {
        return WandaMethod.isWanda(c.global().method())
                || c.layers().values().stream().anyMatch(l -> WandaMethod.isWanda(l.method()));
    }

    /**
     * Captures Wanda's calibration in the background: the model runs in ONNX Runtime on the first samples of the
     * validation split with each layer's input exposed, and the norms per input feature go to the engine. Then
     * {@code then} runs on the FX thread.
     *
     * @return false when there is no data or another long task runs
     */
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
