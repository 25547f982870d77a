package org.sparsitybench.ui.workbench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.sparsitybench.eval.ActivationNorms;
import org.sparsitybench.eval.Evaluation;
import org.sparsitybench.eval.Evaluator;
import org.sparsitybench.eval.Latency;
import org.sparsitybench.eval.LatencyMeter;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.eval.PrunedModels;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.eval.Sweep;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.project.Project;
import org.sparsitybench.project.ProjectFiles;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.CalibrationSpec;
import org.sparsitybench.prune.FeatureNorms;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.LayerSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.prune.SensitivityAllocation;
import org.sparsitybench.prune.mask.ThresholdMask;
import org.sparsitybench.prune.stats.HeatmapGrid;
import org.sparsitybench.prune.stats.WeightHistogram;
import org.sparsitybench.prune.stats.WeightUses;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.LongTask;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.LatestWins;
import org.sparsitybench.ui.common.UserFiles;
import org.sparsitybench.ui.distribution.SmallMultiplesView;
import org.sparsitybench.ui.layers.LayerRow;

/**
 * State of the workbench window without any Node: the open model, the pruning configuration (with undo/redo),
 * the engine's latest result and the statistics the views paint. Every change of configuration or selection
 * asks for one recomputation through a latest-wins coalescer, so dragging a slider never queues work.
 */
public final class WorkbenchViewModel {
    /** Bins of the distribution view. */
    public static final int HISTOGRAM_BINS = 80;
    /** Largest heatmap grid painted. */
    public static final int HEATMAP_CELLS = 256;

    private final FxTaskExecutor executor;
    private final ReadOnlyObjectWrapper<Model> model = new ReadOnlyObjectWrapper<>(this, "model");
    private final ReadOnlyObjectWrapper<PruningConfig> config = new ReadOnlyObjectWrapper<>(this, "config",
            PruningConfig.of(GlobalSettings.of(0, "magnitude", Allocation.UNIFORM)));
    private final ReadOnlyObjectWrapper<ViewSnapshot> snapshot = new ReadOnlyObjectWrapper<>(this, "snapshot");
    private final ObjectProperty<LayerRow> selected = new SimpleObjectProperty<>(this, "selected");
    private final ObservableList<LayerRow> rows = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper totals = new ReadOnlyStringWrapper(this, "totals", "");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error", "");
    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper(this, "canUndo", false);
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper(this, "canRedo", false);
    private final Deque<PruningConfig> undo = new ArrayDeque<>();
    private final Deque<PruningConfig> redo = new ArrayDeque<>();
    private final LatestWins<Request, ViewSnapshot> recompute;
    private final LatestWins<ViewSnapshot, Measured> evaluate;
    private final ReadOnlyObjectWrapper<Latency> latency = new ReadOnlyObjectWrapper<>(this, "latency");
    private long lastKept;
    private long lastSparseBytes;

    /** What the background measurement of one configuration found. */
    private record Measured(Evaluation evaluation, Latency latency) {
    }
    private final ReadOnlyStringWrapper accuracy = new ReadOnlyStringWrapper(this, "accuracy", "");
    private final ReadOnlyObjectWrapper<Evaluation> evaluation =
            new ReadOnlyObjectWrapper<>(this, "evaluation");
    private ModelCard card;
    private LabeledData data;
    private PruningEngine engine;
    private WeightUses uses;
    private boolean syncing;
    private PruningConfig dragOrigin;

    public WorkbenchViewModel(FxTaskExecutor executor) {
        this(executor, null);
    }

    /**
     * A view model that keeps an autosave and the recent-files list in {@code userDir} (see
     * {@link UserFiles}); with {@code null} it keeps neither (tests).
     */
    public WorkbenchViewModel(FxTaskExecutor executor, Path userDir) {
        this(executor, userDir, AUTOSAVE_DELAY);
    }

    /** As {@link #WorkbenchViewModel(FxTaskExecutor, Path)} with another autosave delay (tests). */
    public WorkbenchViewModel(FxTaskExecutor executor, Path userDir, java.time.Duration autosaveDelay) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.autosave = userDir == null ? null : new Autosave(userDir, autosaveDelay);
        this.recent = userDir == null ? null : new RecentFiles(userDir);
        if (recent != null) {
            recentFiles.setAll(recent.list());
        }
        snapshots.addListener((javafx.collections.ListChangeListener<Project.Snapshot>) c -> {
            if (!syncing) {
                dirty = true;
                offerAutosave();
            }
        });
        this.recompute = new LatestWins<>(executor, this::computeTask, this::apply, e -> fail(describe(e)),
                LatestWins.Policy.FINISH);
        this.evaluate = new LatestWins<>(executor, this::evaluateTask, m -> {
            Evaluation e = m.evaluation();
            accuracy.set(String.format(Locale.ROOT, "accuracy %.2f%%  loss %.3f  (%,d samples)  ·  latency %.3f ms "
                    + "(ONNX Runtime, batch 1, 1 thread, median of %d runs)", 100 * e.accuracy(), e.loss(), e.samples(),
                    m.latency().medianMs(), m.latency().runs()));
            latency.set(m.latency());
            evaluation.set(e);
        }, e -> accuracy.set("accuracy: " + describe(e)));
        selected.addListener((o, a, b) -> requestRecompute());
        heatmapMode.addListener((o, a, b) -> requestRecompute());
        signedWeights.addListener((o, a, b) -> requestRecompute());
        allLayers.addListener((o, a, b) -> requestRecompute());
    }

    /** Longest time a change waits before it reaches the autosave file. */
    static final java.time.Duration AUTOSAVE_DELAY = java.time.Duration.ofSeconds(10);

    private final Autosave autosave;
    private final RecentFiles recent;
    private final ObservableList<Path> recentFiles = FXCollections.observableArrayList();
    private final ObservableList<Sensitivity.LayerCurve> sensitivity =
            FXCollections.observableArrayList();
    private volatile String modelSha256;
    private ScoreCache scoreCache;

    /** Recently opened models and projects, newest first (empty without a user folder). */
    public ObservableList<Path> recentFiles() {
        return recentFiles;
    }

    /** The autosave of this session, or null without a user folder. */
    public Autosave autosave() {
        return autosave;
    }

    /** Per-layer sensitivity curves of the open model, once a sensitivity analysis ran. */
    public ObservableList<Sensitivity.LayerCurve> sensitivity() {
        return sensitivity;
    }

    /** The dataset accuracy is measured on, or null. */
    public Path datasetPath() {
        return datasetPath;
    }

    /** The open model's card, or null. */
    public ModelCard card() {
        return card;
    }

    /** How the heatmap reduces the selected tensor. */
    public enum HeatmapMode {
        /** The weight matrix [out, in·kh·kw], one cell per weight when it fits. */
        WEIGHTS,
        /** One cell per (output, input) kernel of a Conv; the weight matrix otherwise. */
        KERNELS,
        /** One cell per output channel: what structured pruning removes. */
        CHANNELS
    }

    private final ObjectProperty<HeatmapMode> heatmapMode = new SimpleObjectProperty<>(this, "heatmapMode",
            HeatmapMode.WEIGHTS);

    public ObjectProperty<HeatmapMode> heatmapModeProperty() {
        return heatmapMode;
    }

    /** Cell columns of the heatmap for {@code layer} in {@code mode}. */
    static int heatmapColumns(WeightTensor layer, HeatmapMode mode) {
        long[] shape = layer.shape();
        return switch (mode) {
            case WEIGHTS -> HEATMAP_CELLS;
            case KERNELS -> shape.length > 2 ? (int) Math.min(HEATMAP_CELLS, Math.max(1, shape[1])) : HEATMAP_CELLS;
            case CHANNELS -> 1;
        };
    }

    private final javafx.beans.property.BooleanProperty signedWeights =
            new javafx.beans.property.SimpleBooleanProperty(this, "signedWeights", false);
    private final javafx.beans.property.BooleanProperty allLayers =
            new javafx.beans.property.SimpleBooleanProperty(this, "allLayers", false);
    private final ReadOnlyObjectWrapper<List<SmallMultiplesView.Tile>> tiles =
            new ReadOnlyObjectWrapper<>(this, "tiles", List.of());

    /** Histograms of signed w instead of |w|. */
    public javafx.beans.property.BooleanProperty signedWeightsProperty() {
        return signedWeights;
    }

    /** Whether every layer's small histogram is wanted (computed only while shown). */
    public javafx.beans.property.BooleanProperty allLayersProperty() {
        return allLayers;
    }

    /** Every layer's histogram for the small multiples, when {@link #allLayersProperty()} is on. */
    public ReadOnlyObjectProperty<List<SmallMultiplesView.Tile>> tilesProperty() {
        return tiles.getReadOnlyProperty();
    }

    /** Bins of each small multiple. */
    static final int SMALL_BINS = 40;

    private record Request(PruningConfig config, WeightTensor layer, PruningEngine engine, HeatmapMode mode,
                           boolean signed, boolean allLayers) {
    }

    public ReadOnlyObjectProperty<Model> modelProperty() {
        return model.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<PruningConfig> configProperty() {
        return config.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<ViewSnapshot> snapshotProperty() {
        return snapshot.getReadOnlyProperty();
    }

    public ObjectProperty<LayerRow> selectedProperty() {
        return selected;
    }

    public ObservableList<LayerRow> rows() {
        return rows;
    }

    /** "accuracy 90.41% …", "evaluating…" or empty when the model has no card or data. */
    public ReadOnlyStringProperty accuracyProperty() {
        return accuracy.getReadOnlyProperty();
    }

    /** The last full evaluation of the current configuration. */
    public ReadOnlyObjectProperty<Evaluation> evaluationProperty() {
        return evaluation.getReadOnlyProperty();
    }

    /** Median latency of the current configuration as an export would store it (batch 1, one thread). */
    public ReadOnlyObjectProperty<Latency> latencyProperty() {
        return latency.getReadOnlyProperty();
    }

    /** Whether no evaluation runs or waits. */
    public boolean isEvaluationIdle() {
        return evaluate.isIdle();
    }

    public ReadOnlyStringProperty totalsProperty() {
        return totals.getReadOnlyProperty();
    }

    /** The last error, phrased for a dialog (file and problem); empty when none. */
    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }

    public FxTaskExecutor executor() {
        return executor;
    }

    /** Recomputations finished so far (applied or superseded), for diagnostics and tests. */
    public long recomputations() {
        return recompute.computedCount();
    }

    /** Whether no recomputation runs or waits. */
    public boolean isIdle() {
        return recompute.isIdle();
    }

    /**
     * Opens a model in the background. On failure the current session stays as it was and {@link #errorProperty()}
     * names the file and the problem.
     *
     * @return false when another long operation runs
     */
    public boolean open(Path file) {
        return open(file, file);
    }

    private boolean open(Path file, Path remember) {
        Path datasetOverride = pendingDataset;
        pendingDataset = null;
        return executor.startForeground("Opening " + file.getFileName(), (progress, cancel) -> {
            Model m = ModelFiles.read(file);
            ScoreCache cache = new ScoreCache(true);
            PruningEngine e = new PruningEngine(m, cache, null);
            WeightUses u = WeightUses.of(m);
            ModelCard c = null;
            LabeledData d = null;
            Path cardFile = file.toAbsolutePath().resolveSibling(ModelCard.FILE_NAME);
            if (m.format() == org.sparsitybench.model.ModelFormat.ONNX && Files.exists(cardFile)) {
                c = ModelCard.read(cardFile);
                if (datasetOverride != null && Files.exists(datasetOverride)) {
                    d = openFitting(datasetOverride, c);
                } else if (c.dataset() != null && c.dataset().hasNonNull("test")) {
                    Path test = cardFile.resolveSibling(c.dataset().get("test").asText()).normalize();
                    if (Files.exists(test)) {
                        d = Datasets.open(test);
                    }
                }
            }
            return new Object[] {m, e, u, c, d, cache};
        }, loaded -> {
            engine = (PruningEngine) loaded[1];
            scoreCache = (ScoreCache) loaded[5];
            sensitivityHook = null;
            featureNorms = Map.of();
            sensitivity.clear();
            modelSha256 = null;
            uses = (WeightUses) loaded[2];
            card = (ModelCard) loaded[3];
            data = (LabeledData) loaded[4];
            accuracy.set(data == null ? "accuracy: no model card with test data beside the model" : "");
            evaluation.set(null);
            latency.set(null);
            Model m = (Model) loaded[0];
            undo.clear();
            redo.clear();
            updateUndo();
            syncing = true;
            try {
                rows.clear();
                for (WeightTensor t : m.prunableTensors()) {
                    rows.add(new LayerRow(t));
                }
                model.set(m);
                config.set(pendingProject != null ? pendingProject.config() : PruningConfig.of(config.get().global()));
                snapshots.setAll(pendingProject != null ? pendingProject.snapshots() : List.of());
                pendingProject = null;
                datasetPath = data == null ? null : data.source();
                selected.set(rows.isEmpty() ? null : rows.get(0));
            } finally {
                syncing = false;
            }
            error.set("");
            if (usesWanda(config.get()) && data != null) {
                executor.onFx(() -> calibrate(this::requestRecompute)); // after this task has left the foreground
            } else {
                requestRecompute();
            }
            if (remember != null && recent != null) {
                recentFiles.setAll(recent.add(remember));
            }
            dirty = pendingRecovery;
            pendingRecovery = false;
            hashInBackground(m.file());
            statisticsInBackground(m);
            offerAutosave();
        }, e -> {
            pendingProject = null;
            fail(describe(e));
        });
    }

    /**
     * Opens a dataset (IDX, NPZ, image folder, CSV) for accuracy, sweeps and sensitivity. A set whose samples do
     * not fit the model's input is refused naming the file, the sample shape and the input shape; the current
     * dataset stays.
     *
     * @return false when no model with a card is open or another long task runs
     */
    public boolean openDataset(Path file) {
        ModelCard c = card;
        if (model.get() == null) {
            fail(file + ": open a model before its dataset");
            return false;
        }
        if (c == null) {
            fail(file + ": the model has no model card (model-card.json beside it) saying how to preprocess "
                    + "samples; see README, 'Model cards'");
            return false;
        }
        return executor.startForeground("Opening " + file.getFileName(), (progress, cancel) -> openFitting(file, c),
                d -> {
                    data = d;
                    datasetPath = d.source();
                    if (!featureNorms.isEmpty()) {
                        featureNorms = Map.of(); // calibrated on the previous data
                        rebuildEngine();
                        if (usesWanda(config.get())) {
                            executor.onFx(() -> calibrate(this::requestRecompute));
                        }
                    }
                    accuracy.set("");
                    evaluation.set(null);
                    latency.set(null);
                    sweepPoints.clear();
                    sensitivity.clear();
                    if (recent != null) {
                        recentFiles.setAll(recent.add(file));
                    }
                    dirty = true;
                    offerAutosave();
                    ViewSnapshot s = snapshot.get();
                    if (s != null) {
                        accuracy.set("accuracy: evaluating…");
                        evaluate.request(s);
                    }
                }, e -> fail(describe(e)));
    }

    private static LabeledData openFitting(Path file, ModelCard c)
            throws java.io.IOException {
        LabeledData d = Datasets.open(file);
        if (d.sampleSize() != c.sampleSize()) {
            throw new org.sparsitybench.model.ModelFormatException(file, "", "samples of shape "
                    + java.util.Arrays.toString(d.sampleShape()) + " (" + d.sampleSize() + " values) do not fit the "
                    + "model's input '" + c.input() + "' " + java.util.Arrays.toString(c.inputShape()) + " ("
                    + c.sampleSize() + " values per sample)");
        }
        return d;
    }

    /** Levels a sensitivity analysis from the window measures. */
    public static final List<Double> SENSITIVITY_LEVELS = List.of(0.0, 0.25, 0.5, 0.7, 0.8, 0.9, 0.95);

    /**
     * Runs a per-layer sensitivity analysis on (at most {@code limit} samples of) the test data as a long task;
     * when it finishes the curves appear and the sensitivity-guided allocation becomes available.
     */
    public boolean runSensitivity(List<Double> levels, int limit) {
        Model m = model.get();
        if (m == null || data == null || card == null) {
            fail("a sensitivity analysis needs a model with a model card and test data beside it");
            return false;
        }
        ModelCard c = card;
        LabeledData d = data;
        return executor.startForeground("Sensitivity", (progress, cancel) -> Sensitivity.analyze(
                m, c, d, levels, limit, progress, cancel), curves -> {
                    if (model.get() != m) {
                        return;
                    }
                    sensitivity.setAll(curves);
                    sensitivityHook = Sensitivity.hook(curves);
                    rebuildEngine();
                    for (Sensitivity.LayerCurve curve : curves) {
                        LayerRow row = row(curve.name());
                        if (row != null) {
                            row.setSensitivity(sensitivityScore(curve));
                        }
                    }
                    requestRecompute();
                }, e -> fail(describe(e)));
    }

    /**
     * Accuracy lost by a layer pruned alone to the measured level nearest 50 % (0 = insensitive), for the table's
     * bar; the first point is the reference.
     */
    static double sensitivityScore(Sensitivity.LayerCurve c) {
        if (c.points().size() < 2) {
            return 0;
        }
        double base = c.points().get(0).accuracy();
        Sensitivity.Point near = c.points().get(1);
        for (Sensitivity.Point p : c.points()) {
            if (Math.abs(p.level() - 0.5) < Math.abs(near.level() - 0.5)) {
                near = p;
            }
        }
        return Math.max(0, base - near.accuracy());
    }

    private CancellationToken.Source statistics;

    /**
     * Zeros and NaN/Inf per layer, one layer after another in the background (a billion-weight file takes a while),
     * each row filled as soon as its layer is done; a newly opened model cancels the previous pass.
     */
    private void statisticsInBackground(Model m) {
        if (statistics != null) {
            statistics.cancel();
        }
        CancellationToken.Source token = CancellationToken.newSource();
        statistics = token;
        executor.submit((progress, cancel) -> org.sparsitybench.prune.stats.LayerStatistics.compute(m, progress, cancel,
                s -> executor.onFx(() -> {
                    LayerRow row = model.get() == m ? row(s.name()) : null;
                    if (row != null) {
                        row.setStatistics(s.count() == 0 ? 0 : (double) s.zeros() / s.count(), s.nonFinite());
                    }
                })), token, org.sparsitybench.task.ProgressListener.NONE, r -> { }, e -> { });
    }

    /** The model's hash, for projects and autosaves, without holding up the first view. */
    private void hashInBackground(Path file) {
        executor.submit((progress, cancel) -> ProjectFiles.sha256(file),
                CancellationToken.newSource(), org.sparsitybench.task.ProgressListener.NONE, h -> {
                    Model m = model.get();
                    if (m != null && m.file().equals(file)) {
                        modelSha256 = h;
                        offerAutosave();
                    }
                }, e -> { });
    }

    /** The session as a project: model, dataset, configuration and snapshots (absolute paths). */
    public Project projectState() {
        Model m = model.get();
        if (m == null) {
            return null;
        }
        return new Project(Project.FORMAT,
                Project.VERSION, m.file().toAbsolutePath().normalize().toString(), modelSha256,
                datasetPath == null ? null : datasetPath.toAbsolutePath().normalize().toString(), config.get(),
                List.copyOf(snapshots));
    }

    /** Whether the session changed since it was opened (an untouched session needs no recovery). */
    private boolean dirty;

    private void offerAutosave() {
        if (autosave != null && !syncing && dirty) {
            Project p = projectState();
            if (p != null) {
                autosave.offer(p);
            }
        }
    }

    /**
     * Restores a session from an autosave left by a process that ended without closing: its model,
     * configuration and snapshots. A changed model is reported, as for a project.
     */
    public boolean recover(Path autosaveFile) {
        pendingRecovery = true;
        boolean started = openProject(autosaveFile, null);
        if (!started) {
            pendingRecovery = false;
        }
        return started;
    }

    /** A recovered session is unsaved work from the start: it is autosaved at once. */
    private boolean pendingRecovery;

    /** A clean end of the session: the autosave is deleted. */
    public void close() {
        if (autosave != null) {
            autosave.close();
        }
    }

    private final ObservableList<Project.Snapshot> snapshots = FXCollections.observableArrayList();
    private Path datasetPath;

    private final ObservableList<SweepPoint> sweepPoints = FXCollections.observableArrayList();

    /** Points measured by sweeps run in this session, in the order they finished. */
    public ObservableList<SweepPoint> sweepPoints() {
        return sweepPoints;
    }

    /**
     * Runs a sweep (magnitude and random, 0–90 % in steps of 10 %) on the model's test data as a long task with
     * progress and cancel; points appear as they finish, and a cancelled sweep keeps them.
     *
     * @return false when there is no data or another long task runs
     */
    public boolean runSweep(List<String> methods, List<Double> levels) {
        return runSweep(methods, levels, Integer.MAX_VALUE);
    }

    /** Timed runs per sweep point (batch 1, one thread), for the latency curves. */
    static final int SWEEP_LATENCY_RUNS = 20;

    /** As {@link #runSweep(List, List)} on at most {@code limit} samples. */
    public boolean runSweep(List<String> methods, List<Double> levels, int limit) {
        Model m = model.get();
        if (m == null || data == null || card == null) {
            fail("a sweep needs a model with a model card and test data beside it");
            return false;
        }
        ModelCard c = card;
        LabeledData d = data;
        Allocation alloc = config.get().global().allocation() == Allocation.SENSITIVITY ? Allocation.UNIFORM
                : config.get().global().allocation();
        return executor.startForeground("Sweep", (progress, cancel) -> Sweep.run(m, c, d,
                methods, alloc, levels, SWEEP_LATENCY_RUNS, limit, progress, cancel,
                p -> executor.onFx(() -> sweepPoints.add(p))), r -> { }, e -> fail(describe(e)));
    }

    /** Named configurations saved in this session (and in its project file). */
    public ObservableList<Project.Snapshot> snapshots() {
        return snapshots;
    }

    /** Saves the current configuration and its last measured results under {@code name}. */
    public void saveSnapshot(String name) {
        ViewSnapshot s = snapshot.get();
        Evaluation e = evaluation.get();
        Latency l = latency.get();
        boolean measured = e != null && isEvaluationIdle();
        snapshots.add(new Project.Snapshot(name, config.get(),
                s == null ? 0 : s.result().achievedSparsity(), measured ? e.accuracy() : null, measured ? e.loss() : null,
                measured && l != null ? l.medianMs() : null, s == null ? null : lastKept,
                s == null ? null : lastSparseBytes));
    }

    /** Writes the session to a {@code .sbproj} file (model path and hash, dataset, configuration, snapshots). */
    public void saveProject(Path file) {
        Model m = model.get();
        if (m == null) {
            fail(file + ": open a model before saving a project");
            return;
        }
        try {
            // The hash from opening, when the background pass has it: hashing a 2 GB model here froze the window.
            String sha = modelSha256;
            ProjectFiles.write(file, sha != null ? ProjectFiles.create(file, m.file(), sha, datasetPath, config.get(),
                    snapshots) : ProjectFiles.create(file, m.file(), datasetPath, config.get(), snapshots));
        } catch (java.io.IOException | RuntimeException e) {
            fail(describe(e));
        }
    }

    /**
     * Opens a project: its model, then its configuration and snapshots. A model whose hash changed since the
     * project was saved is reported and not opened.
     */
    public boolean openProject(Path file) {
        return openProject(file, file);
    }

    private boolean openProject(Path file, Path remember) {
        ProjectFiles.Opened opened;
        try {
            opened = ProjectFiles.read(file);
        } catch (java.io.IOException | RuntimeException e) {
            fail(describe(e));
            return false;
        }
        if (opened.modelChanged()) {
            fail(file + ": the model " + opened.model() + " changed since the project was saved (SHA-256 differs); "
                    + "open the model itself to start afresh");
            return false;
        }
        pendingProject = opened.project();
        pendingDataset = opened.dataset();
        boolean started = open(opened.model(), remember);
        if (!started) {
            pendingProject = null;
        }
        return started;
    }

    private Project pendingProject;
    private Path pendingDataset;

    /** Sets the global target sparsity (0–1); layers with overrides or locks keep theirs. */
    public void setGlobalTarget(double target) {
        setGlobalTarget(target, false);
    }

    /**
     * As {@link #setGlobalTarget(double)}; while {@code dragging}, the views follow but no undo step is recorded
     * until the drag ends (a call with {@code dragging = false}).
     */
    public void setGlobalTarget(double target, boolean dragging) {
        change(config.get().withTarget(clamp(target)), dragging);
    }

    /** Calibration samples Wanda uses when the configuration does not say. */
    public static final int CALIBRATION_SAMPLES = 128;

    private SensitivityAllocation sensitivityHook;
    private Map<String, FeatureNorms> featureNorms = Map.of();

    private void rebuildEngine() {
        engine = new PruningEngine(model.get(), scoreCache, sensitivityHook, featureNorms);
    }

    /** Whether Wanda's calibration (input norms per layer) has been captured for the current model and data. */
    public boolean isCalibrated() {
        return !featureNorms.isEmpty();
    }

    /**
     * Captures Wanda's calibration in the background: the model runs in ONNX Runtime on the first samples of the
     * test data with each layer's input exposed, and the norms per input feature go to the engine. Then
     * {@code then} runs on the FX thread.
     *
     * @return false when there is no data or another long task runs
     */
    public boolean calibrate(Runnable then) {
        Model m = model.get();
        if (m == null || data == null || card == null) {
            fail("wanda scores weights by the norm of their layer's input over calibration samples: it needs a model "
                    + "with a model card and test data (File ▸ Open dataset)");
            return false;
        }
        ModelCard c = card;
        LabeledData d = data;
        CalibrationSpec spec = config.get().global().calibration();
        int samples = spec == null ? CALIBRATION_SAMPLES : spec.count();
        return executor.startForeground("Calibrating wanda on " + samples + " samples", (progress, cancel) ->
                ActivationNorms.capture(m, c, d, samples, progress, cancel), norms -> {
                    if (model.get() != m) {
                        return;
                    }
                    featureNorms = Map.copyOf(norms);
                    rebuildEngine();
                    then.run();
                }, e -> fail(describe(e)));
    }

    private static boolean usesWanda(PruningConfig c) {
        return "wanda".equals(c.global().method())
                || c.layers().values().stream().anyMatch(l -> "wanda".equals(l.method()));
    }

    /** Chooses the method; Wanda first captures its calibration (a background task) if it has none yet. */
    public void setMethod(String method) {
        if ("wanda".equals(method) && featureNorms.isEmpty() && model.get() != null) {
            calibrate(() -> setMethodNow(method));
            return;
        }
        setMethodNow(method);
    }

    private void setMethodNow(String method) {
        GlobalSettings g = config.get().global();
        change(new PruningConfig(new GlobalSettings(g.target(), method, g.allocation(), g.nmPattern(), g.seed(),
                g.calibration()), config.get().layers()));
    }

    /** The N:M pattern for the {@code nm} method, e.g. "2:4". */
    public void setNmPattern(String pattern) {
        GlobalSettings g = config.get().global();
        try {
            change(new PruningConfig(new GlobalSettings(g.target(), g.method(), g.allocation(), pattern, g.seed(),
                    g.calibration()), config.get().layers()));
        } catch (IllegalArgumentException e) {
            fail(describe(e));
        }
    }

    /** The seed of the random method (and of any random tie-breaking a method uses). */
    public void setSeed(long seed) {
        GlobalSettings g = config.get().global();
        change(new PruningConfig(new GlobalSettings(g.target(), g.method(), g.allocation(), g.nmPattern(), seed,
                g.calibration()), config.get().layers()));
    }

    public void setAllocation(Allocation allocation) {
        if (allocation == Allocation.SENSITIVITY && sensitivity.isEmpty()) {
            fail("the sensitivity-guided allocation needs a sensitivity analysis of this model first: "
                    + "Run ▸ Sensitivity analysis");
            return;
        }
        GlobalSettings g = config.get().global();
        change(new PruningConfig(new GlobalSettings(g.target(), g.method(), allocation, g.nmPattern(), g.seed(),
                g.calibration()), config.get().layers()));
    }

    /** Overrides one layer's sparsity (its row slider). */
    public void setLayerSparsity(String tensor, double sparsity) {
        setLayerSparsity(tensor, sparsity, false);
    }

    /** As {@link #setLayerSparsity(String, double)}, with drag semantics as for the global target. */
    public void setLayerSparsity(String tensor, double sparsity, boolean dragging) {
        LayerSettings s = config.get().layer(tensor);
        change(config.get().withLayer(tensor, new LayerSettings(s.method(), clamp(sparsity), s.locked(), false)),
                dragging);
    }

    public void setLocked(String tensor, boolean locked) {
        LayerSettings s = config.get().layer(tensor);
        Double level = s.sparsity();
        if (locked && level == null) {
            LayerRow row = row(tensor);
            level = row == null ? 0.0 : row.achievedProperty().get();
        }
        change(config.get().withLayer(tensor, new LayerSettings(s.method(), level, locked, s.excluded())));
    }

    public void setExcluded(String tensor, boolean excluded) {
        LayerSettings s = config.get().layer(tensor);
        change(config.get().withLayer(tensor, new LayerSettings(s.method(), s.sparsity(), s.locked(), excluded)));
    }

    /** Replaces the whole configuration (opening a project, applying a snapshot). */
    public void setConfig(PruningConfig newConfig) {
        change(newConfig);
    }

    public void undo() {
        if (!undo.isEmpty()) {
            redo.push(config.get());
            config.set(undo.pop());
            afterChange();
        }
    }

    public void redo() {
        if (!redo.isEmpty()) {
            undo.push(config.get());
            config.set(redo.pop());
            afterChange();
        }
    }

    private void change(PruningConfig next) {
        change(next, false);
    }

    private void change(PruningConfig next, boolean dragging) {
        if (syncing) {
            return;
        }
        if (dragging) {
            if (dragOrigin == null) {
                dragOrigin = config.get();
            }
            if (!next.equals(config.get())) {
                config.set(next);
                requestRecompute();
            }
            return;
        }
        PruningConfig origin = dragOrigin != null ? dragOrigin : config.get();
        dragOrigin = null;
        if (next.equals(origin)) {
            if (!next.equals(config.get())) {
                config.set(next);
                requestRecompute();
            }
            return;
        }
        undo.push(origin);
        redo.clear();
        config.set(next);
        afterChange();
    }

    private void afterChange() {
        updateUndo();
        requestRecompute();
        dirty = true;
        offerAutosave();
    }

    private void updateUndo() {
        canUndo.set(!undo.isEmpty());
        canRedo.set(!redo.isEmpty());
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    private LayerRow row(String tensor) {
        for (LayerRow r : rows) {
            if (r.name().equals(tensor)) {
                return r;
            }
        }
        return null;
    }

    private void requestRecompute() {
        if (engine == null || syncing) {
            return;
        }
        LayerRow sel = selected.get();
        recompute.request(new Request(config.get(), sel == null ? null : sel.tensor(), engine, heatmapMode.get(),
                signedWeights.get(), allLayers.get()));
    }

    private LongTask<ViewSnapshot> computeTask(Request r) {
        return (progress, cancel) -> {
            PruningResult result = r.engine.run(r.config, progress, cancel);
            WeightHistogram h = null;
            HeatmapGrid g = null;
            double threshold = Double.NaN;
            if (r.layer != null) {
                Mask mask = result.masks().get(r.layer.name());
                h = WeightHistogram.of(r.layer.data(), mask, HISTOGRAM_BINS, r.signed, WeightHistogram.Scale.LINEAR, cancel);
                g = HeatmapGrid.of(r.layer.data(), r.layer.shape(), mask, HEATMAP_CELLS, heatmapColumns(r.layer, r.mode),
                        cancel);
                if (mask instanceof ThresholdMask tm && tm.score().isMagnitude() && tm.prunedCount() > 0) {
                    threshold = tm.threshold().value();
                }
            }
            Map<String, Long> dense = new HashMap<>();
            Map<String, Long> kept = new HashMap<>();
            for (Map.Entry<String, Mask> e : result.masks().entrySet()) {
                dense.put(e.getKey(), e.getValue().size());
                kept.put(e.getKey(), e.getValue().keptCount());
            }
            List<SmallMultiplesView.Tile> all = null;
            if (r.allLayers) {
                all = new ArrayList<>();
                for (LayerResult lr : result.layers()) {
                    cancel.throwIfCancelled();
                    WeightTensor t = r.engine.model().tensor(lr.name()).orElse(null);
                    if (t != null) {
                        all.add(new SmallMultiplesView.Tile(lr.name(), WeightHistogram.of(
                                t.data(), result.masks().get(lr.name()), SMALL_BINS, r.signed, WeightHistogram.Scale.LINEAR,
                                cancel), lr.achieved()));
                    }
                }
            }
            return new ViewSnapshot(result, r.layer == null ? null : r.layer.name(), h, g, threshold,
                    uses.flops(dense), uses.flops(kept), all);
        };
    }

    private void apply(ViewSnapshot s) {
        snapshot.set(s);
        if (s.tiles() != null) {
            tiles.set(s.tiles());
        }
        if (data != null && card != null) {
            accuracy.set("accuracy: evaluating…");
            evaluate.request(s);
        }
        syncing = true;
        try {
            for (LayerResult lr : s.result().layers()) {
                LayerRow row = row(lr.name());
                if (row != null) {
                    row.setAchieved(lr.achieved());
                    row.requestedProperty().set(lr.requested());
                    LayerSettings ls = s.result().config().layer(lr.name());
                    row.lockedProperty().set(ls.locked());
                    row.excludedProperty().set(ls.excluded());
                }
            }
        } finally {
            syncing = false;
        }
        Model m = model.get();
        long total = s.result().selectedParams();
        long kept = total - s.result().pruned();
        // The export's report sizes sparse storage with the same estimate.
        org.sparsitybench.eval.StorageEstimate sizes = org.sparsitybench.eval.StorageEstimate.of(m, s.result().masks());
        long bytes = sizes.denseBytes();
        long compact = sizes.sparseStorageBytes();
        lastKept = kept;
        lastSparseBytes = compact;
        // Weight-only files (SafeTensors) have no graph, so no shapes to count FLOPs from.
        String flops = s.flopsBefore() > 0 ? "FLOPs " + human(s.flopsAfter()) + " of " + human(s.flopsBefore())
                : "FLOPs n/a (no graph)";
        totals.set(String.format(Locale.ROOT,
                "achieved %.1f%%  ·  prunable weights kept %,d of %,d  ·  %s  ·  file ≈ %s, sparse storage ≈ %s",
                100 * s.result().achievedSparsity(), kept, total, flops, bytesHuman(bytes), bytesHuman(compact)));
    }

    /** Samples of the quick first estimate before the full set. */
    static final int QUICK_SAMPLES = 500;

    /**
     * Evaluates the configuration from the bytes an export would write: the pruned model goes to a temporary file
     * (deleted after), runs on a quick subset first (shown as an estimate), then on the whole set.
     */
    /** Timed runs of the latency measurement after each full evaluation. */
    static final int LATENCY_RUNS = 30;

    private LongTask<Measured> evaluateTask(ViewSnapshot s) {
        Model m = model.get();
        ModelCard c = card;
        LabeledData d = data;
        return (progress, cancel) -> {
            cancel.throwIfCancelled();
            Path tmp = PrunedModels.write(m, s.result().masks(), cancel);
            try {
                try (OrtModel session = OrtModel.open(tmp, c.input(), 0)) {
                    Evaluation quick = Evaluator.evaluate(session, c, d, 250,
                            QUICK_SAMPLES, progress, cancel);
                    executor.onFx(() -> {
                        if (!cancel.isCancelled()) {
                            accuracy.set(String.format(Locale.ROOT, "accuracy ≈ %.1f%% (quick estimate on %d samples; "
                                    + "evaluating all…)", 100 * quick.accuracy(), quick.samples()));
                        }
                    });
                    Evaluation full = Evaluator.evaluate(session, c, d, 250,
                            Integer.MAX_VALUE, progress, cancel);
                    Latency l = LatencyMeter.measure(tmp, c, 1, 1, 5,
                            LATENCY_RUNS, cancel);
                    return new Measured(full, l);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        };
    }

    static String human(long v) {
        if (v >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2fG", v / 1e9);
        }
        if (v >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1_000) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return Long.toString(v);
    }

    static String bytesHuman(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format(Locale.ROOT, "%.2f MB", b / (double) (1L << 20));
        }
        if (b >= 1L << 10) {
            return String.format(Locale.ROOT, "%.1f kB", b / 1024.0);
        }
        return b + " B";
    }

    /** Reports an error; a repeat of the same message is shown again. */
    private void fail(String message) {
        error.set("");
        error.set(message);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.toString() : m;
    }
}
