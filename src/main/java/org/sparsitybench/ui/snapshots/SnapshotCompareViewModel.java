package org.sparsitybench.ui.snapshots;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.eval.StorageEstimate;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.project.Project;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.stats.MaskDiffGrid;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.Sizes;

/**
 * State of the snapshot comparison without any Node. Snapshots store configurations, and a configuration gives
 * bit-identical masks, so {@link #load()} recomputes every snapshot's masks with the engine (a background task);
 * then the table holds one row per layer (achieved sparsity per snapshot) and summary rows (achieved in all,
 * accuracy, loss, kept parameters, estimated sparse size, latency), each cell flagged when it differs from the
 * first snapshot, and the mask-difference grid of the chosen layer between snapshots A and B.
 */
public final class SnapshotCompareViewModel {
    /** Largest mask-difference grid painted. */
    public static final int GRID_CELLS = 256;

    /**
     * One table row.
     *
     * @param label   layer name or summary name
     * @param layer   whether this is a layer row (a summary row otherwise)
     * @param cells   one text per snapshot
     * @param changed per snapshot, whether its value differs from the first snapshot's
     */
    public record Row(String label, boolean layer, List<String> cells, List<Boolean> changed) {
        public Row {
            cells = List.copyOf(cells);
            changed = List.copyOf(changed);
        }
    }

    private final Model model;
    private final List<Project.Snapshot> snapshots;
    private final FxTaskExecutor executor;
    private final ObservableList<Row> rows = FXCollections.observableArrayList();
    private final ObservableList<String> layers = FXCollections.observableArrayList();
    private final ObjectProperty<String> layer = new SimpleObjectProperty<>(this, "layer");
    private final IntegerProperty a = new SimpleIntegerProperty(this, "a", 0);
    private final IntegerProperty b = new SimpleIntegerProperty(this, "b", 1);
    private final ReadOnlyObjectWrapper<MaskDiffGrid> grid = new ReadOnlyObjectWrapper<>(this, "grid");
    private final ReadOnlyStringWrapper gridSummary = new ReadOnlyStringWrapper(this, "gridSummary", "");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error", "");
    private final ReadOnlyBooleanWrapper loaded = new ReadOnlyBooleanWrapper(this, "loaded", false);
    private List<PruningResult> results = List.of();

    /**
     * @param model     the opened model
     * @param snapshots two or more snapshots, in the order shown
     * @param executor  the window's executor (the recomputation is its foreground task)
     * @throws IllegalArgumentException with fewer than two snapshots
     */
    public SnapshotCompareViewModel(Model model, List<Project.Snapshot> snapshots, FxTaskExecutor executor) {
        this.model = Objects.requireNonNull(model, "model");
        this.snapshots = List.copyOf(snapshots);
        this.executor = Objects.requireNonNull(executor, "executor");
        if (this.snapshots.size() < 2) {
            throw new IllegalArgumentException("comparing needs two or more snapshots, got " + this.snapshots.size());
        }
        for (WeightTensor t : model.prunableTensors()) {
            layers.add(t.name());
        }
        layer.addListener((o, x, y) -> updateGrid());
        a.addListener((o, x, y) -> updateGrid());
        b.addListener((o, x, y) -> updateGrid());
    }

    public List<Project.Snapshot> snapshots() {
        return snapshots;
    }

    /** Layer rows in model order, then the summary rows. */
    public ObservableList<Row> rows() {
        return rows;
    }

    /** Prunable layers to choose from for the mask difference. */
    public ObservableList<String> layers() {
        return layers;
    }

    public ObjectProperty<String> layerProperty() {
        return layer;
    }

    /** Index of snapshot A in {@link #snapshots()}. */
    public IntegerProperty aProperty() {
        return a;
    }

    /** Index of snapshot B in {@link #snapshots()}. */
    public IntegerProperty bProperty() {
        return b;
    }

    /** The chosen layer's mask difference between A and B; null before loading. */
    public ReadOnlyObjectProperty<MaskDiffGrid> gridProperty() {
        return grid.getReadOnlyProperty();
    }

    /** "conv1.weight: 45 of 150 weights differ (only A 45, only B 0)". */
    public ReadOnlyStringProperty gridSummaryProperty() {
        return gridSummary.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty loadedProperty() {
        return loaded.getReadOnlyProperty();
    }

    /** The engine's result for each snapshot, after loading. */
    public List<PruningResult> results() {
        return results;
    }

    /**
     * Recomputes every snapshot's masks from its configuration as a foreground task with progress and cancel.
     *
     * @return false when another long task runs
     */
    public boolean load() {
        List<Project.Snapshot> list = snapshots;
        boolean started = executor.foreground("Comparing " + list.size() + " snapshots", (progress, cancel) -> {
            PruningEngine plain = new PruningEngine(model);
            List<PruningResult> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                cancel.throwIfCancelled();
                Project.Snapshot s = list.get(i);
                progress.progress((double) i / list.size(), "masks of " + s.name());
                // A sensitivity-guided snapshot carries the curves it was pruned with: its masks need them.
                PruningEngine engine = s.sensitivity() == null ? plain
                        : new PruningEngine(model, new org.sparsitybench.prune.ScoreCache(false), Sensitivity.hook(s.sensitivity()));
                out.add(engine.run(s.config(), progress.range((double) i / list.size(),
                        (double) (i + 1) / list.size()), cancel));
            }
            return out;
        }).onSucceeded(r -> {
            results = List.copyOf(r);
            rows.setAll(buildRows());
            loaded.set(true);
            if (layer.get() == null && !layers.isEmpty()) {
                layer.set(layers.get(0));
            } else {
                updateGrid();
            }
        }).onFailed(e -> error.set(FxTaskExecutor.describe(e))).start();
        if (!started) {
            error.set("another long task is running; compare when it has finished");
        }
        return started;
    }

    private List<Row> buildRows() {
        List<Row> out = new ArrayList<>();
        int n = results.size();
        for (WeightTensor t : model.prunableTensors()) {
            List<String> cells = new ArrayList<>();
            String firstSha = null;
            for (PruningResult r : results) {
                LayerResult lr = r.layers().stream().filter(l -> l.name().equals(t.name())).findFirst().orElse(null);
                Mask m = r.masks().get(t.name());
                String text = lr == null ? "—" : lr.status() == LayerResult.Status.EXCLUDED ? "excluded"
                        : pct(lr.achieved());
                String sha = m == null ? "" : m.sha256();
                if (firstSha == null) {
                    firstSha = sha;
                }
                // The same level with other weights pruned is a real difference: the text says which kind.
                cells.add(!sha.equals(firstSha) && !cells.isEmpty() && text.equals(cells.get(0))
                        ? text + " (other weights)" : text);
            }
            List<Boolean> changed = new ArrayList<>();
            for (String c : cells) {
                changed.add(!c.equals(cells.get(0)));
            }
            out.add(new Row(t.name(), true, cells, changed));
        }
        // What is being compared heads the summary: each snapshot's method and allocation.
        out.add(summary("method", n, i -> describeMethod(snapshots.get(i)), i -> describeMethod(snapshots.get(i))));
        out.add(summary("allocation", n, i -> snapshots.get(i).config().global().allocation().label(),
                i -> snapshots.get(i).config().global().allocation().label()));
        double[] achieved = new double[n];
        Double[] accuracy = new Double[n];
        Double[] loss = new Double[n];
        long[] kept = new long[n];
        long[] bytes = new long[n];
        for (int i = 0; i < n; i++) {
            PruningResult r = results.get(i);
            Project.Snapshot s = snapshots.get(i);
            achieved[i] = r.achievedSparsity();
            accuracy[i] = s.accuracy();
            loss[i] = s.loss();
            for (WeightTensor t : model.tensors()) {
                Mask m = r.masks().get(t.name());
                kept[i] += m == null ? t.elementCount() : m.keptCount();
            }
            // The same estimate as the window's totals line, so the two never disagree.
            bytes[i] = StorageEstimate.of(model, r.masks()).sparseStorageBytes();
        }
        out.add(summary("achieved sparsity (all layers)", n, i -> pct(achieved[i]), i -> achieved[i]));
        out.add(summary("test accuracy", n, i -> accuracy[i] == null ? "not measured" : pct(accuracy[i]), i -> accuracy[i]));
        out.add(summary("test loss", n, i -> loss[i] == null ? "not measured"
                : String.format(Locale.ROOT, "%.4f", loss[i]), i -> loss[i]));
        out.add(summary("latency, batch 1: median (p10–p90)", n, i -> latencyText(snapshots.get(i)),
                i -> snapshots.get(i).latencyMs()));
        out.add(summary("parameters kept (all tensors)", n, i -> String.format(Locale.ROOT, "%,d", kept[i]), i -> kept[i]));
        out.add(summary("size with sparse storage (est.)", n, i -> Sizes.bytes(bytes[i]), i -> bytes[i]));
        return out;
    }

    /** "0.420 ms (0.400–0.450)": median (p10–p90); the median alone when an older file kept no spread. */
    static String latencyText(Project.Snapshot s) {
        if (s.latencyMs() == null) {
            return "not measured";
        }
        return s.hasLatencySpread()
                ? String.format(Locale.ROOT, "%.3f ms (%.3f–%.3f)", s.latencyMs(), s.latencyP10Ms(), s.latencyP90Ms())
                : String.format(Locale.ROOT, "%.3f ms (no spread)", s.latencyMs());
    }

    private static Row summary(String label, int n, java.util.function.IntFunction<String> text,
                               java.util.function.IntFunction<Object> value) {
        List<String> cells = new ArrayList<>();
        List<Boolean> changed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            cells.add(text.apply(i));
        }
        // Flagged when what is shown differs: 50.00 % beside 50.00 % is not a difference to the reader.
        for (int i = 0; i < n; i++) {
            changed.add(!cells.get(i).equals(cells.get(0)));
        }
        return new Row(label, false, cells, changed);
    }

    private void updateGrid() {
        String name = layer.get();
        int ia = a.get();
        int ib = b.get();
        if (results.isEmpty() || name == null || ia < 0 || ib < 0 || ia >= results.size() || ib >= results.size()) {
            grid.set(null);
            gridSummary.set("");
            return;
        }
        WeightTensor t = model.tensor(name).orElseThrow();
        MaskDiffGrid g = MaskDiffGrid.of(t.shape(), results.get(ia).mask(name), results.get(ib).mask(name), GRID_CELLS,
                GRID_CELLS, CancellationToken.NONE);
        grid.set(g);
        gridSummary.set(String.format(Locale.ROOT, "%s: %,d of %,d weights differ — kept only in %s: %,d, kept only in "
                        + "%s: %,d; kept in both %,d, pruned in both %,d", name, g.differing(), t.elementCount(),
                snapshots.get(ia).name(), g.total(MaskDiffGrid.Kind.ONLY_A), snapshots.get(ib).name(),
                g.total(MaskDiffGrid.Kind.ONLY_B), g.total(MaskDiffGrid.Kind.KEPT_BOTH),
                g.total(MaskDiffGrid.Kind.PRUNED_BOTH)));
    }

    private static String describeMethod(Project.Snapshot s) {
        var g = s.config().global();
        return "nm".equals(g.method()) && g.nmPattern() != null ? "nm " + g.nmPattern() : g.method();
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }
}
