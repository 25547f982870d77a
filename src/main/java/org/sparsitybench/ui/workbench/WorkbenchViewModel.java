package org.sparsitybench.ui.workbench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.model.Model;
import org.sparsitybench.project.Project;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;
import org.sparsitybench.ui.common.UndoableConfig;
import org.sparsitybench.ui.curves.SweepViewModel;
import org.sparsitybench.ui.recovery.RecoveryViewModel;
import org.sparsitybench.ui.distribution.DistributionViewModel;
import org.sparsitybench.ui.heatmap.HeatmapViewModel;
import org.sparsitybench.ui.layers.LayerTableViewModel;
import org.sparsitybench.ui.quantize.PrecisionViewModel;
import org.sparsitybench.ui.quantize.QuantizedEvaluationViewModel;
import org.sparsitybench.ui.reconstruct.ReconstructViewModel;
import org.sparsitybench.ui.sensitivity.SensitivityViewModel;

/**
 * What every pane of the workbench window shares, without any Node: the open model, the pruning configuration
 * with undo and redo, and the engine's latest {@link WorkbenchFrame}. Each pane has its own view model
 * ({@link #layers()}, {@link #distribution()}, {@link #heatmap()}, {@link #sensitivity()}, {@link #sweep()},
 * {@link #evaluation()}, {@link #project()}, ...); this one creates them and wires them together. The frames come
 * from {@link WorkbenchFrames}, the data splits from {@link DatasetViewModel}, the engine and its calibration from
 * {@link CalibratedEngine}, and {@link SettledReconstruction} hands settled frames to reconstruction.
 */
public final class WorkbenchViewModel {
    /** Levels a sensitivity analysis from the window measures. */
    public static final List<Double> SENSITIVITY_LEVELS = Sensitivity.DEFAULT_LEVELS;
    /** Samples a sensitivity analysis from the window measures on. */
    public static final int SENSITIVITY_SAMPLES = Sensitivity.DEFAULT_SAMPLES;
    /** Calibration samples Wanda uses when the configuration does not say. */
    public static final int CALIBRATION_SAMPLES = 128;

    private final FxTaskExecutor executor;
    private final UndoableConfig config = new UndoableConfig(PruningConfig.of(
            GlobalSettings.of(0, "magnitude", Allocation.UNIFORM)));
    private final ReadOnlyObjectWrapper<Model> model = new ReadOnlyObjectWrapper<>(this, "model");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error", "");
    private final LayerTableViewModel layers = new LayerTableViewModel(config);
    private final DistributionViewModel distribution = new DistributionViewModel();
    private final HeatmapViewModel heatmap = new HeatmapViewModel();
    private final SensitivityViewModel sensitivity;
    private final SweepViewModel sweep;
    private final RecoveryViewModel recovery;
    private final EvaluationViewModel evaluation;
    private final ProjectViewModel project;
    private final GlobalBarViewModel bar;
    private final PrecisionViewModel precision = new PrecisionViewModel();
    private final QuantizedEvaluationViewModel quantized;
    private final ReconstructViewModel reconstruct;
    private final DatasetViewModel data;
    private final CalibratedEngine engine;
    private final SettledReconstruction reconstruction;
    private final WorkbenchFrames frames;

    public WorkbenchViewModel(FxTaskExecutor executor) {
        this(executor, null);
    }

    /**
     * A view model that keeps an autosave and the recent-files list in {@code userDir} (see
     * {@link org.sparsitybench.session.UserFiles}); with {@code null} it keeps neither (tests).
     */
    public WorkbenchViewModel(FxTaskExecutor executor, Path userDir) {
        this(executor, userDir, ProjectViewModel.AUTOSAVE_DELAY);
    }

    /** As {@link #WorkbenchViewModel(FxTaskExecutor, Path)} with another autosave delay (tests). */
    public WorkbenchViewModel(FxTaskExecutor executor, Path userDir, Duration autosaveDelay) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.data = new DatasetViewModel(executor, this::fail);
        this.sensitivity = new SensitivityViewModel(executor, this::fail);
        this.sweep = new SweepViewModel(executor, this::fail);
        this.recovery = new RecoveryViewModel(executor, this::fail, this::modelUnderTest, config,
                () -> frameProperty().get() == null ? null : frameProperty().get().result());
        this.evaluation = new EvaluationViewModel(executor);
        this.project = new ProjectViewModel(this, userDir, autosaveDelay);
        // The engine first: the frames compute with it, the bar's Wanda hook asks whether it is calibrated.
        this.engine = new CalibratedEngine(executor, data, config::get, this::fail);
        this.reconstruct = new ReconstructViewModel(executor);
        this.frames = new WorkbenchFrames(executor, this::fail, config, engine, data, layers, distribution, heatmap,
                reconstruct, c -> recovery.weights().shown(model.get(), c), this::shown);
        this.reconstruction = new SettledReconstruction(reconstruct, config, data, frames.frameProperty(),
                frames::request);
        engine.onRebuilt(reconstruction::unsettle);
        this.bar = new GlobalBarViewModel(config, this::fail, () -> !sensitivity.curves().isEmpty(), engine::beforeMethod);
        this.quantized = new QuantizedEvaluationViewModel(executor, precision);
        precision.addChoiceListener(quantized::again);
        // The quantized configuration is measured after the float one (its latency is the comparison).
        evaluation.latencyProperty().addListener((o, a, b) -> {
            WorkbenchFrame f = frames.frameProperty().get();
            if (b != null && f != null) {
                quantized.request(modelUnderTest(), f.result(), f.shownValues(), f.weights(), b);
            }
        });
        config.configProperty().addListener((o, a, b) -> frames.request());
        recovery.weights().stateProperty().addListener((o, a, b) -> frames.request());
        config.addStepListener(project::changed);
        layers.selectedProperty().addListener((o, a, b) -> frames.request());
        heatmap.modeProperty().addListener((o, a, b) -> frames.request());
        distribution.signedProperty().addListener((o, a, b) -> frames.request());
        distribution.allLayersProperty().addListener((o, a, b) -> frames.request());
    }

    /** Target, method, N:M pattern, allocation and seed. */
    public GlobalBarViewModel bar() {
        return bar;
    }

    /** The Reconstruct toggle, its progress and which weights are on screen. */
    public ReconstructViewModel reconstruct() {
        return reconstruct;
    }

    /** Per-layer and global precision (float32 / int8 / int4). */
    public PrecisionViewModel precision() {
        return precision;
    }

    /** The quantized configuration's measured line. */
    public QuantizedEvaluationViewModel quantized() {
        return quantized;
    }

    public LayerTableViewModel layers() {
        return layers;
    }

    public DistributionViewModel distribution() {
        return distribution;
    }

    public HeatmapViewModel heatmap() {
        return heatmap;
    }

    public SensitivityViewModel sensitivity() {
        return sensitivity;
    }

    public SweepViewModel sweep() {
        return sweep;
    }

    /** The Recover pane: fine-tuning the current pruned configuration. */
    public RecoveryViewModel recovery() {
        return recovery;
    }

    public EvaluationViewModel evaluation() {
        return evaluation;
    }

    /** Project file, snapshots, autosave and recent files of this session. */
    public ProjectViewModel project() {
        return project;
    }

    public FxTaskExecutor executor() {
        return executor;
    }

    public ReadOnlyObjectProperty<Model> modelProperty() {
        return model.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<PruningConfig> configProperty() {
        return config.configProperty();
    }

    /** The engine's latest frame (null before the first). */
    public ReadOnlyObjectProperty<WorkbenchFrame> frameProperty() {
        return frames.frameProperty();
    }

    /** The engine's messages for the current configuration (empty when none), shown under the totals. */
    public ReadOnlyStringProperty messagesProperty() {
        return frames.messagesProperty();
    }

    public ReadOnlyStringProperty totalsProperty() {
        return frames.totalsProperty();
    }

    /**
     * Why a sweep or a sensitivity analysis cannot run on what is open (no graph to run, no model card, no data);
     * empty when they can. The window disables them with this as the tooltip instead of offering and refusing.
     */
    public ReadOnlyStringProperty cannotMeasureProperty() {
        return data.cannotMeasureProperty();
    }

    /** The last error, phrased for a dialog (file and problem); empty when none. */
    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return config.canUndoProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return config.canRedoProperty();
    }

    /** The model, its card and the data in use (for the panes that measure). */
    public ModelUnderTest modelUnderTest() {
        return data.modelUnderTest();
    }

    /** The model, its card and the validation split (for the panes that choose: calibration, precision fronts). */
    public ModelUnderTest validationUnderTest() {
        return data.validationUnderTest();
    }

    /** Where the validation split comes from ("10 % of FILE held out (seed 0)", a file), or null when none. */
    public String validationSource() {
        return data.validationSource();
    }

    /** The dataset accuracy is measured on, or null. */
    public Path datasetPath() {
        return data.datasetPath();
    }

    /** Frames finished so far (applied or superseded), for diagnostics and tests. */
    public long recomputations() {
        return frames.computedCount();
    }

    /** Whether no frame is computed or waits. */
    public boolean isIdle() {
        return frames.isIdle();
    }

    /**
     * Opens a model in the background. On failure the current session stays as it was and {@link #errorProperty()}
     * names the file and the problem.
     *
     * @return false when another long operation runs
     */
    public boolean open(Path file) {
        return open(file, file, null, null);
    }

    /**
     * As {@link #open(Path)}, starting from a project's configuration and snapshots.
     *
     * @param remember what the recent-files list remembers (the project file), or null
     * @param from     the project (or autosave) opened, or null
     * @param dataset  the project's data set, or null for the card's test split
     */
    boolean open(Path file, Path remember, Project from, Path dataset) {
        return executor.foreground("Opening " + file.getFileName(), (progress, cancel) -> OpenedModel.read(file, dataset))
                .onSucceeded(o -> opened(o, remember, from))
                .onFailed(e -> fail(FxTaskExecutor.describe(e)))
                .start();
    }

    private void opened(OpenedModel o, Path remember, Project from) {
        engine.forget();
        data.opened(o);
        reconstruction.forget();
        sensitivity.setCurves(List.of());
        // Sweep points belong to the model they were measured on: the curves and the curves CSV must not show
        // the previous model's rows beside the new one.
        sweep.clear();
        evaluation.reset(data.data() == null ? "accuracy: no model card with test data beside the model" : "");
        layers.setTensors(o.model().prunableTensors());
        precision.setModel(o.model());
        model.set(o.model());
        data.updateCannotMeasure();
        config.reset(from != null ? from.config() : PruningConfig.of(config.get().global()));
        engine.build(o);
        error.set("");
        project.opened(o.model(), remember, from);
        layers.statisticsInBackground(executor, o.model());
        engine.calibrateIfUsed(config.get(), frames::request);
    }

    /**
     * Opens a dataset (IDX, NPZ, image folder, CSV) for the reported figures (accuracy line, sweeps, snapshots;
     * the test role); what chooses keeps reading the validation split. A set whose samples do
     * not fit the model's input is refused naming the file, the sample shape and the input shape; the current
     * dataset stays.
     *
     * @return false when no model with a card is open or another long task runs
     */
    public boolean openDataset(Path file) {
        return data.open(file, () -> {
            // Only reported figures move to the new set: Wanda's calibration and the sensitivity curves were
            // chosen on the validation split, which stays.
            evaluation.reset("");
            sweep.clear();
            project.datasetOpened(file);
            WorkbenchFrame f = frames.frameProperty().get();
            if (f != null) {
                evaluation.request(modelUnderTest(), f);
            }
        });
    }

    /**
     * Runs a per-layer sensitivity analysis on (at most {@code limit} samples of) the validation split as a long
     * task; when it finishes the curves appear, the table shows each layer's drop and the sensitivity-guided
     * allocation becomes available.
     */
    public boolean runSensitivity(List<Double> levels, int limit) {
        return engine.analyze(sensitivity, levels, limit, this::sensitivityKnown);
    }

    /** Curves measured now or kept by a project: the guided allocation and the table's column use them. */
    void sensitivityKnown(List<Sensitivity.LayerCurve> curves) {
        engine.sensitivityKnown(curves);
        layers.setSensitivity(sensitivity.drops());
        frames.request();
    }

    /** Runs a sweep on the whole data set; see {@link SweepViewModel#run}. */
    public boolean runSweep(List<String> methods, List<Double> levels) {
        return runSweep(methods, levels, Integer.MAX_VALUE);
    }

    /** Runs a sweep on at most {@code limit} samples; see {@link SweepViewModel#run}. */
    public boolean runSweep(List<String> methods, List<Double> levels, int limit) {
        return sweep.run(modelUnderTest(), validationUnderTest(), config.get().global().allocation(), methods, levels, limit);
    }

    /** Whether Wanda's calibration (input norms per layer) has been captured for the current model and data. */
    public boolean isCalibrated() {
        return engine.isCalibrated();
    }

    public void undo() {
        config.undo();
    }

    public void redo() {
        config.redo();
    }

    /** After the panes showed {@code f}: reconstruction (once settled) and the accuracy line follow it. */
    private void shown(WorkbenchFrame f) {
        reconstruction.whenSettled(f);
        if (frames.frameProperty().get() == f) { // reconstruction may have finished at once and shown a newer frame
            evaluation.request(modelUnderTest(), f);
        }
    }

    /** Reports an error; a repeat of the same message is shown again. */
    void fail(String message) {
        error.set("");
        error.set(message);
    }
}
