package org.sparsitybench.ui.workbench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.sparsitybench.eval.ActivationNorms;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.project.Project;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.CalibrationSpec;
import org.sparsitybench.prune.FeatureNorms;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.SensitivityAllocation;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.LatestWins;
import org.sparsitybench.ui.common.ModelUnderTest;
import org.sparsitybench.ui.common.UndoableConfig;
import org.sparsitybench.ui.curves.SweepViewModel;
import org.sparsitybench.ui.recovery.RecoveryViewModel;
import org.sparsitybench.ui.distribution.DistributionViewModel;
import org.sparsitybench.ui.heatmap.HeatmapViewModel;
import org.sparsitybench.ui.layers.LayerRow;
import org.sparsitybench.ui.layers.LayerTableViewModel;
import org.sparsitybench.ui.quantize.PrecisionViewModel;
import org.sparsitybench.ui.quantize.QuantizedEvaluationViewModel;
import org.sparsitybench.ui.reconstruct.ReconstructViewModel;
import org.sparsitybench.ui.sensitivity.SensitivityViewModel;

/**
 * What every pane of the workbench window shares, without any Node: the open model, the pruning configuration
 * with undo and redo, and the engine's latest {@link WorkbenchFrame}. Each pane has its own view model
 * ({@link #layers()}, {@link #distribution()}, {@link #heatmap()}, {@link #sensitivity()}, {@link #sweep()},
 * {@link #evaluation()}, {@link #project()}); this one hands them the frame. Every change of configuration or of
 * what a pane shows asks for one frame through a latest-wins coalescer, so dragging a slider never queues work.
 */
public final class WorkbenchViewModel {
    /** Levels a sensitivity analysis from the window measures. */
    public static final List<Double> SENSITIVITY_LEVELS = Sensitivity.DEFAULT_LEVELS;
    /** Samples a sensitivity analysis from the window measures on. */
    public static final int SENSITIVITY_SAMPLES = Sensitivity.DEFAULT_SAMPLES;
    /** Calibration samples Wanda uses when the configuration does not say. */
    public static final int CALIBRATION_SAMPLES = 128;
    /** Longest time a change waits before it reaches the autosave file. */
    static final Duration AUTOSAVE_DELAY = Duration.ofSeconds(10);
    /** How the accuracy line names reconstructed weights. */
    public static final String RECONSTRUCTED = "reconstructed";

    private final FxTaskExecutor executor;
    private final UndoableConfig config = new UndoableConfig(PruningConfig.of(
            GlobalSettings.of(0, "magnitude", Allocation.UNIFORM)));
    private final ReadOnlyObjectWrapper<Model> model = new ReadOnlyObjectWrapper<>(this, "model");
    private final ReadOnlyObjectWrapper<WorkbenchFrame> frame = new ReadOnlyObjectWrapper<>(this, "frame");
    private final ReadOnlyStringWrapper totals = new ReadOnlyStringWrapper(this, "totals", "");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error", "");
    private final ReadOnlyStringWrapper messages = new ReadOnlyStringWrapper(this, "messages", "");
    private final ReadOnlyStringWrapper cannotMeasure = new ReadOnlyStringWrapper(this, "cannotMeasure",
            NO_MODEL);
    private static final String NO_MODEL = "open a model first";
    private final LatestWins<WorkbenchFrame.Request, WorkbenchFrame> frames;
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
    /** The configuration last handed to reconstruction (null: the next frame settles again). */
    private PruningConfig settledConfig;
    /** The card's training file, opened for reconstruction's calibration on first need; null before. */
    private LabeledData calibrationData;
    private OpenedModel opened;
    /** The engine frames are computed with; null while no model (or a model being swapped in) is ready. */
    private PruningEngine engine;
    private LabeledData data;
    private SensitivityAllocation sensitivityHook;
    private Map<String, FeatureNorms> featureNorms = Map.of();

    public WorkbenchViewModel(FxTaskExecutor executor) {
        this(executor, null);
    }

    /**
     * A view model that keeps an autosave and the recent-files list in {@code userDir} (see
     * {@link org.sparsitybench.session.UserFiles}); with {@code null} it keeps neither (tests).
     */
    public WorkbenchViewModel(FxTaskExecutor executor, Path userDir) {
        this(executor, userDir, AUTOSAVE_DELAY);
    }

    /** As {@link #WorkbenchViewModel(FxTaskExecutor, Path)} with another autosave delay (tests). */
    public WorkbenchViewModel(FxTaskExecutor executor, Path userDir, Duration autosaveDelay) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.sensitivity = new SensitivityViewModel(executor, this::fail);
        this.sweep = new SweepViewModel(executor, this::fail);
        this.recovery = new RecoveryViewModel(executor, this::fail, this::modelUnderTest, config::get);
        this.evaluation = new EvaluationViewModel(executor);
        this.project = new ProjectViewModel(this, userDir, autosaveDelay);
        this.frames = new LatestWins<>(executor, WorkbenchFrame::compute, this::show,
                e -> fail(FxTaskExecutor.describe(e)), LatestWins.Policy.FINISH);
        this.bar = new GlobalBarViewModel(config, this::fail, () -> !sensitivity.curves().isEmpty(), (method, apply) -> {
            if ("wanda".equals(method) && featureNorms.isEmpty() && model.get() != null) {
                calibrate(apply);
            } else {
                apply.run();
            }
        });
        this.quantized = new QuantizedEvaluationViewModel(executor, precision);
        this.reconstruct = new ReconstructViewModel(executor);
        reconstruct.enabledProperty().addListener((o, was, on) -> {
            settledConfig = null;
            WorkbenchFrame f = frame.get();
            if (f != null) {
                reconstructWhenSettled(f);
                if (!on) {
                    totals.set(f.totals());
                    evaluation.request(modelUnderTest(), f.result());
                }
            }
        });
        config.addGestureEndListener(() -> {
            if (frame.get() != null) {
                reconstructWhenSettled(frame.get());
            }
        });
        reconstruct.resultProperty().addListener((o, was, r) -> {
            WorkbenchFrame f = frame.get();
            if (r != null && f != null) {
                totals.set(f.totals() + "  ·  weights: reconstructed");
                evaluation.request(modelUnderTest(), f.result(), r.values(), RECONSTRUCTED);
            }
        });
        precision.addChoiceListener(quantized::again);
        // The quantized configuration is measured after the float one (its latency is the comparison).
        evaluation.latencyProperty().addListener((o, a, b) -> {
            if (b != null && frame.get() != null) {
                quantized.request(modelUnderTest(), frame.get().result(), b);
            }
        });
        config.configProperty().addListener((o, a, b) -> requestFrame());
        config.addStepListener(project::changed);
        layers.selectedProperty().addListener((o, a, b) -> requestFrame());
        heatmap.modeProperty().addListener((o, a, b) -> requestFrame());
        distribution.signedProperty().addListener((o, a, b) -> requestFrame());
        distribution.allLayersProperty().addListener((o, a, b) -> requestFrame());
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
        return frame.getReadOnlyProperty();
    }

    /** The engine's messages for the current configuration (empty when none), shown under the totals. */
    public ReadOnlyStringProperty messagesProperty() {
        return messages.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty totalsProperty() {
        return totals.getReadOnlyProperty();
    }

    /**
     * Why a sweep or a sensitivity analysis cannot run on what is open (no graph to run, no model card, no data);
     * empty when they can. The window disables them with this as the tooltip instead of offering and refusing.
     */
    public ReadOnlyStringProperty cannotMeasureProperty() {
        return cannotMeasure.getReadOnlyProperty();
    }

    private void updateCannotMeasure() {
        Model m = model.get();
        if (m == null) {
            cannotMeasure.set(NO_MODEL);
        } else if (m.format() != org.sparsitybench.model.ModelFormat.ONNX || m.graph() == null || m.graph().nodes().isEmpty()) {
            cannotMeasure.set(m.file().getFileName() + " holds weights only (" + m.format().id()
                    + "): there is no graph to run, so accuracy cannot be measured");
        } else if (opened == null || opened.card() == null) {
            cannotMeasure.set("no model card (model-card.json beside the model) says how to feed it samples");
        } else if (data == null) {
            cannotMeasure.set("no data to measure on: File ▸ Open dataset");
        } else {
            cannotMeasure.set("");
        }
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
        return opened == null ? ModelUnderTest.NONE : new ModelUnderTest(model.get(), opened.card(), data);
    }

    /**
     * The model, its card and its validation split: what chooses (sensitivity, the guided allocation, Wanda's
     * calibration) measures on, never the test data.
     */
    public ModelUnderTest validationUnderTest() {
        return opened == null || opened.validation() == null ? ModelUnderTest.NONE
                : new ModelUnderTest(model.get(), opened.card(), opened.validation().data());
    }

    /** Where the validation split comes from ("10 % of FILE held out (seed 0)", a file), or null when none. */
    public String validationSource() {
        return opened == null || opened.validation() == null ? null : opened.validation().description();
    }

    /** The dataset accuracy is measured on, or null. */
    public Path datasetPath() {
        return data == null ? null : data.source();
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
        engine = null; // the old model's engine must not see the new model's rows
        opened = o;
        data = o.data();
        sensitivityHook = null;
        featureNorms = Map.of();
        settledConfig = null;
        calibrationData = null;
        sensitivity.setCurves(List.of());
        // Sweep points belong to the model they were measured on: the curves and the curves CSV must not show
        // the previous model's rows beside the new one.
        sweep.clear();
        evaluation.reset(data == null ? "accuracy: no model card with test data beside the model" : "");
        layers.setTensors(o.model().prunableTensors());
        precision.setModel(o.model());
        model.set(o.model());
        updateCannotMeasure();
        config.reset(from != null ? from.config() : PruningConfig.of(config.get().global()));
        engine = new PruningEngine(o.model(), o.cache(), null);
        error.set("");
        project.opened(o.model(), remember, from);
        layers.statisticsInBackground(executor, o.model());
        if (usesWanda(config.get()) && o.validation() != null) {
            executor.onFx(() -> calibrate(this::requestFrame)); // after this task has left the foreground
        } else {
            requestFrame();
        }
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
        if (model.get() == null) {
            fail(file + ": open a model before its dataset");
            return false;
        }
        var card = opened.card();
        if (card == null) {
            fail(file + ": the model has no model card (model-card.json beside it) saying how to preprocess "
                    + "samples; see README, 'Model cards'");
            return false;
        }
        return executor.foreground("Opening " + file.getFileName(), (progress, cancel) -> OpenedModel.openFitting(file, card))
                .onSucceeded(d -> {
                    // Only reported figures move to the new set: Wanda's calibration and the sensitivity curves
                    // were chosen on the validation split, which stays.
                    data = d;
                    updateCannotMeasure();
                    evaluation.reset("");
                    sweep.clear();
                    project.datasetOpened(file);
                    WorkbenchFrame f = frame.get();
                    if (f != null) {
                        evaluation.request(modelUnderTest(), f.result());
                    }
                })
                .onFailed(e -> fail(FxTaskExecutor.describe(e)))
                .start();
    }

    /**
     * Runs a per-layer sensitivity analysis on (at most {@code limit} samples of) the validation split as a long
     * task; when it finishes the curves appear, the table shows each layer's drop and the sensitivity-guided
     * allocation becomes available.
     */
    public boolean runSensitivity(List<Double> levels, int limit) {
        if (!validationReady("a sensitivity analysis")) {
            return false;
        }
        return sensitivity.analyze(validationUnderTest(), levels, limit, this::validationUnderTest, this::sensitivityKnown);
    }

    /** Curves measured now or kept by a project: the guided allocation and the table's column use them. */
    void sensitivityKnown(List<Sensitivity.LayerCurve> curves) {
        sensitivityHook = Sensitivity.hook(curves);
        rebuildEngine();
        layers.setSensitivity(sensitivity.drops());
        requestFrame();
    }

    /** Runs a sweep on the whole data set; see {@link SweepViewModel#run}. */
    public boolean runSweep(List<String> methods, List<Double> levels) {
        return runSweep(methods, levels, Integer.MAX_VALUE);
    }

    /** Runs a sweep on at most {@code limit} samples; see {@link SweepViewModel#run}. */
    public boolean runSweep(List<String> methods, List<Double> levels, int limit) {
        return sweep.run(modelUnderTest(), config.get().global().allocation(), methods, levels, limit);
    }

    /** Whether Wanda's calibration (input norms per layer) has been captured for the current model and data. */
    public boolean isCalibrated() {
        return !featureNorms.isEmpty();
    }

    /**
     * Captures Wanda's calibration in the background: the model runs in ONNX Runtime on the first samples of the
     * validation split with each layer's input exposed, and the norms per input feature go to the engine. Then
     * {@code then} runs on the FX thread.
     *
     * @return false when there is no data or another long task runs
     */
    public boolean calibrate(Runnable then) {
        if (!validationReady("wanda's calibration (the norm of each layer's input)")) {
            return false;
        }
        ModelUnderTest on = validationUnderTest();
        CalibrationSpec spec = config.get().global().calibration();
        int samples = spec == null ? CALIBRATION_SAMPLES : spec.count();
        return executor.foreground("Calibrating wanda on " + samples + " validation samples", (progress, cancel) ->
                        ActivationNorms.capture(on.model(), on.card(), on.data(), samples, progress, cancel))
                .onSucceeded(norms -> {
                    if (model.get() == on.model()) {
                        featureNorms = Map.copyOf(norms);
                        rebuildEngine();
                        then.run();
                    }
                })
                .onFailed(e -> fail(FxTaskExecutor.describe(e)))
                .start();
    }

    /** Whether a validation split is there for {@code what}; reports why not (the test data never stands in). */
    private boolean validationReady(String what) {
        if (model.get() != null && opened.card() != null && opened.validation() != null) {
            return true;
        }
        fail(what + " chooses, so it reads the validation split, never the test data: it needs a model with a "
                + "model card naming its training data (dataset.train, 10 % held out) or a validation file "
                + "(dataset.validation)");
        return false;
    }

    public void undo() {
        config.undo();
    }

    public void redo() {
        config.redo();
    }

    private void rebuildEngine() {
        settledConfig = null; // the same configuration may now give other masks
        engine = new PruningEngine(model.get(), opened.cache(), sensitivityHook, featureNorms);
    }

    private static boolean usesWanda(PruningConfig c) {
        return "wanda".equals(c.global().method())
                || c.layers().values().stream().anyMatch(l -> "wanda".equals(l.method()));
    }

    private void requestFrame() {
        if (engine == null) {
            return;
        }
        LayerRow selected = layers.selectedProperty().get();
        frames.request(new WorkbenchFrame.Request(config.get(), engine, opened.uses(),
                selected == null ? null : selected.tensor(), heatmap.modeProperty().get(),
                distribution.signedProperty().get(), distribution.allLayersProperty().get()));
    }

    private void show(WorkbenchFrame f) {
        frame.set(f);
        totals.set(f.totals());
        messages.set(f.messages());
        layers.showResult(f.result());
        if (frame.get() != f) {
            return; // a newer frame was shown while this one was (a listener asked for it): it has the last word
        }
        distribution.show(f.layer(), f.histogram(), f.threshold(), f.tiles());
        heatmap.show(f.heatmap());
        if (frame.get() == f) {
            reconstructWhenSettled(f);
            evaluation.request(modelUnderTest(), f.result());
        }
    }

    /**
     * A new mask is shown at once (reconstruction in flight is dropped); once the gesture has ended and the frame
     * is the configuration in force, reconstruction starts in the background. A frame for the same configuration
     * (another layer selected, another heatmap mode) leaves reconstruction as it is.
     */
    private void reconstructWhenSettled(WorkbenchFrame f) {
        PruningConfig c = f.result().config();
        if (c.equals(settledConfig)) {
            return;
        }
        settledConfig = null;
        reconstruct.maskChanged();
        if (config.isDragging() || !c.equals(config.get()) || opened == null || opened.card() == null) {
            return;
        }
        if (!reconstruct.wanted(f.result())) {
            settledConfig = c; // the mask alone is what this configuration shows
            return;
        }
        LabeledData calibration = calibrationData();
        if (calibration == null) {
            return;
        }
        CalibrationSpec spec = c.global().calibration();
        settledConfig = c;
        reconstruct.settled(new ReconstructViewModel.Request(model.get(), opened.card(), f.result(), calibration,
                Math.min(calibration.count(), spec == null ? CALIBRATION_SAMPLES : spec.count()), "training"));
    }

    /**
     * Reconstruction calibrates on training data, never on the test set the accuracy line reports: the card's
     * {@code dataset.train} file. Null (with an error shown) when the card names none.
     */
    private LabeledData calibrationData() {
        if (calibrationData == null) {
            Path cardFile = model.get().file().toAbsolutePath().resolveSibling(ModelCard.FILE_NAME);
            Path train = opened.card().datasetPath(cardFile, "train").filter(Files::exists).orElse(null);
            if (train == null) {
                fail(cardFile + ": reconstruction calibrates on the training split the model card names "
                        + "(dataset.train); this card names none or it is missing");
                return null;
            }
            try {
                calibrationData = OpenedModel.openFitting(train, opened.card());
            } catch (IOException | RuntimeException e) {
                fail(FxTaskExecutor.describe(e));
                return null;
            }
        }
        return calibrationData;
    }

    /** Reports an error; a repeat of the same message is shown again. */
    void fail(String message) {
        error.set("");
        error.set(message);
    }
}
