package org.sparsitybench.ui.layers;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.sparsitybench.eval.Reconstruction;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.LayerSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.stats.LayerStatistics;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.UndoableConfig;

/**
 * The layer table's state: one {@link LayerRow} per prunable tensor and the selected one. Row edits (slider,
 * lock, exclude) change the shared configuration; a row shows its own override from the configuration at once
 * and everything else from the engine's latest result, so a result computed for an older configuration never
 * moves a slider the user is dragging.
 */
public final class LayerTableViewModel {
    private final UndoableConfig config;
    private final ObservableList<LayerRow> rows = FXCollections.observableArrayList();
    private final Map<String, LayerRow> byName = new HashMap<>();
    private final ObjectProperty<LayerRow> selected = new SimpleObjectProperty<>(this, "selected");
    /** The level the allocation gave each layer without an own level in the latest result. */
    private final Map<String, Double> allocated = new HashMap<>();
    /** The statistics pass over the tensors shown; null when none runs. */
    private CancellationToken.Source statistics;

    private final ReadOnlyBooleanWrapper sensitivityShown = new ReadOnlyBooleanWrapper(this, "sensitivityShown");
    private final ReadOnlyBooleanWrapper reconstructionShown = new ReadOnlyBooleanWrapper(this, "reconstructionShown");

    public LayerTableViewModel(UndoableConfig config) {
        this.config = config;
        config.configProperty().addListener((o, a, b) -> showConfig(b));
    }

    public ObservableList<LayerRow> rows() {
        return rows;
    }

    /** Whether any row has a sensitivity figure (the column is shown only then: at 1280 px every column counts). */
    public ReadOnlyBooleanProperty sensitivityShownProperty() {
        return sensitivityShown.getReadOnlyProperty();
    }

    /** Whether reconstruction's output errors are on screen (the column is shown only then). */
    public ReadOnlyBooleanProperty reconstructionShownProperty() {
        return reconstructionShown.getReadOnlyProperty();
    }

    /** The row whose tensor the distribution and heatmap show. */
    public ObjectProperty<LayerRow> selectedProperty() {
        return selected;
    }

    /** One row per tensor, the first selected (a model was opened). */
    public void setTensors(List<WeightTensor> tensors) {
        if (statistics != null) {
            statistics.cancel();
            statistics = null;
        }
        allocated.clear();
        byName.clear();
        rows.clear();
        sensitivityShown.set(false);
        reconstructionShown.set(false);
        for (WeightTensor t : tensors) {
            LayerRow row = new LayerRow(t);
            byName.put(t.name(), row);
            rows.add(row);
        }
        showConfig(config.get());
        selected.set(rows.isEmpty() ? null : rows.get(0));
    }

    /** The row of {@code tensor}, or null. */
    public LayerRow row(String tensor) {
        return byName.get(tensor);
    }

    /**
     * Overrides one layer's sparsity (its row slider); clamped to {@link #floor} – 1. While {@code dragging} the views follow
     * but no undo step is recorded until the edit that ends the drag.
     */
    public void setLayerSparsity(String tensor, double sparsity, boolean dragging) {
        double level = Math.max(floor(tensor), Math.min(1, sparsity));
        config.edit(c -> {
            LayerSettings s = c.layer(tensor);
            return c.withLayer(tensor, new LayerSettings(s.method(), level, s.locked(), false));
        }, dragging);
    }

    /**
     * The lowest level a row's slider reaches: the share of zeros already in the file (0 until the statistics
     * have read it). Less is no request at all: those zeros are the starting point whatever the method.
     */
    public double floor(String tensor) {
        LayerRow row = row(tensor);
        double z = row == null ? 0 : row.zerosProperty().get();
        return Double.isNaN(z) ? 0 : z;
    }

    /** Locks a layer at its level (an unset level becomes the achieved one) or unlocks it. */
    public void setLocked(String tensor, boolean locked) {
        LayerRow row = row(tensor);
        double achieved = row == null ? 0.0 : row.achievedProperty().get();
        config.edit(c -> {
            LayerSettings s = c.layer(tensor);
            Double level = locked && s.sparsity() == null ? Double.valueOf(achieved) : s.sparsity();
            return c.withLayer(tensor, new LayerSettings(s.method(), level, locked, s.excluded()));
        });
    }

    /** Keeps a layer dense, or lets it be pruned again. */
    public void setExcluded(String tensor, boolean excluded) {
        config.edit(c -> {
            LayerSettings s = c.layer(tensor);
            return c.withLayer(tensor, new LayerSettings(s.method(), s.sparsity(), s.locked(), excluded));
        });
    }

    /** Shows the engine's result: achieved levels, and the allocation's level for rows without an override. */
    public void showResult(PruningResult result) {
        PruningConfig now = config.get();
        for (LayerResult lr : result.layers()) {
            LayerRow row = row(lr.name());
            if (row != null) {
                row.setAchieved(lr.achieved());
                // The engine's messages about this layer (they start with its name) go on its row too.
                row.setNote(String.join("\n", result.messages().stream()
                        .filter(m -> m.startsWith(lr.name() + " ") || m.startsWith(lr.name() + ":")).toList()));
                Double own = now.layer(lr.name()).sparsity();
                if (own == null) {
                    allocated.put(lr.name(), lr.requested());
                    row.setRequested(lr.requested());
                } else {
                    allocated.remove(lr.name()); // its own level, not the allocation's
                    row.setRequested(own);
                }
            }
        }
    }

    /**
     * Shows which weights are on screen after {@link #showResult}: with {@code r} (the reconstruction of that
     * result) each row's achieved level comes from reconstruction's mask (SparseGPT chooses its own) and its
     * output error reads mask only → reconstructed; with null the rows keep the engine's figures.
     */
    public void showReconstruction(Reconstruction.Result r) {
        reconstructionShown.set(r != null);
        Map<String, Reconstruction.LayerReport> reports = new HashMap<>();
        if (r != null) {
            r.layers().forEach(l -> reports.put(l.name(), l));
        }
        for (LayerRow row : rows) {
            Reconstruction.LayerReport l = reports.get(row.name());
            if (r != null && r.masks().containsKey(row.name())) {
                row.setAchieved(r.masks().get(row.name()).sparsity());
            }
            row.setReconstruction(l == null || Double.isNaN(l.errorAfter()) ? "" : String.format(Locale.ROOT,
                    "%.1f → %.1f%%", 100 * l.errorMaskOnly(), 100 * l.errorAfter()));
        }
    }

    /** Accuracy lost per layer at 50 % (see {@code eval.SensitivityScore}); rows not named keep theirs. */
    public void setSensitivity(Map<String, Double> drops) {
        drops.forEach((name, drop) -> {
            LayerRow row = row(name);
            if (row != null) {
                row.setSensitivity(drop);
                sensitivityShown.set(sensitivityShown.get() || !Double.isNaN(drop));
            }
        });
    }

    /**
     * Zeros and NaN/Inf per layer of {@code model} (whose tensors the rows show), one layer after another in the
     * background (a billion-weight file takes a while), each row filled as soon as its layer is done; other
     * tensors shown later cancel the pass.
     */
    public void statisticsInBackground(FxTaskExecutor executor, Model model) {
        CancellationToken.Source token = CancellationToken.newSource();
        statistics = token;
        executor.submit((progress, cancel) -> LayerStatistics.compute(model, progress, cancel, s -> executor.onFx(() -> {
            LayerRow row = statistics == token ? row(s.name()) : null;
            if (row != null) {
                row.setStatistics(s.count() == 0 ? 0 : (double) s.zeros() / s.count(), s.nonFinite());
            }
        })), token, ProgressListener.NONE, r -> { }, e -> { });
    }

    /** Lock, exclude and own levels from the configuration, as soon as it changes. */
    private void showConfig(PruningConfig c) {
        for (LayerRow row : rows) {
            LayerSettings s = c.layer(row.name());
            row.setSettings(s.locked(), s.excluded());
            // Until the next result: the allocation's last level, else the global target (uniform's level).
            row.setRequested(s.sparsity() != null ? s.sparsity()
                    : allocated.getOrDefault(row.name(), c.global().target()));
        }
    }
}
