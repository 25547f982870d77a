package org.sparsitybench.ui.distribution;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.mask.ThresholdMask;
import org.sparsitybench.prune.stats.WeightHistogram;
import org.sparsitybench.task.CancellationToken;

/**
 * The distribution pane and its small multiples: the user's choices (signed weights, log counts, whether every
 * layer's small histogram is wanted) and what the latest result shows (the selected layer's histogram and
 * magnitude threshold, every layer's tile). The histograms are computed off the FX thread with the workbench's
 * frame, the tiles only while they are shown.
 */
public final class DistributionViewModel {
    /** Bins of the distribution view. */
    public static final int BINS = 80;
    /** Bins of each small multiple. */
    public static final int SMALL_BINS = 40;

    private final BooleanProperty signed = new SimpleBooleanProperty(this, "signed", false);
    private final BooleanProperty logCounts = new SimpleBooleanProperty(this, "logCounts", false);
    private final BooleanProperty allLayers = new SimpleBooleanProperty(this, "allLayers", false);
    private final ReadOnlyObjectWrapper<WeightHistogram> histogram = new ReadOnlyObjectWrapper<>(this, "histogram");
    private final ReadOnlyDoubleWrapper threshold = new ReadOnlyDoubleWrapper(this, "threshold", Double.NaN);
    private final ReadOnlyStringWrapper layer = new ReadOnlyStringWrapper(this, "layer", "");
    private final ReadOnlyStringWrapper weights = new ReadOnlyStringWrapper(this, "weights", "");
    private final ReadOnlyObjectWrapper<List<LayerHistogram>> tiles = new ReadOnlyObjectWrapper<>(this, "tiles",
            List.of());

    /** Histograms of signed w instead of |w|. */
    public BooleanProperty signedProperty() {
        return signed;
    }

    /** Counts on a log axis (painting only). */
    public BooleanProperty logCountsProperty() {
        return logCounts;
    }

    /** Whether every layer's small histogram is wanted (computed only while shown). */
    public BooleanProperty allLayersProperty() {
        return allLayers;
    }

    public ReadOnlyObjectProperty<WeightHistogram> histogramProperty() {
        return histogram.getReadOnlyProperty();
    }

    /** The selected layer's magnitude threshold; NaN when its mask is no magnitude cut or prunes nothing. */
    public ReadOnlyDoubleProperty thresholdProperty() {
        return threshold.getReadOnlyProperty();
    }

    /** The selected layer's name; empty when none. */
    public ReadOnlyStringProperty layerProperty() {
        return layer.getReadOnlyProperty();
    }

    /** Which weights the histograms count ("W under the mask (mask only)", "reconstructed Ŵ"); empty before a frame. */
    public ReadOnlyStringProperty weightsProperty() {
        return weights.getReadOnlyProperty();
    }

    /** Every layer's tile, as last computed while {@link #allLayersProperty()} was on. */
    public ReadOnlyObjectProperty<List<LayerHistogram>> tilesProperty() {
        return tiles.getReadOnlyProperty();
    }

    /**
     * Shows one frame's part of this pane (the histogram is set last, so a view redraws once).
     *
     * @param name  the selected layer, or null
     * @param h     its histogram, or null
     * @param t     its threshold (NaN for none)
     * @param all   every layer's tile, or null when they were not computed (the tiles shown stay)
     */
    public void show(String name, WeightHistogram h, double t, List<LayerHistogram> all) {
        show(name, h, t, all, "");
    }

    /** As {@link #show(String, WeightHistogram, double, List)}, saying which weights were counted ({@code what}). */
    public void show(String name, WeightHistogram h, double t, List<LayerHistogram> all, String what) {
        weights.set(what);
        threshold.set(t);
        layer.set(name == null ? "" : name);
        histogram.set(h); // last: the view redraws when it changes
        if (all != null) {
            tiles.set(all);
        }
    }

    /** The histogram of {@code layer} under {@code mask}. */
    public static WeightHistogram histogram(WeightTensor layer, Mask mask, boolean signed, CancellationToken cancel) {
        return histogram(layer.data(), mask, signed, cancel);
    }

    /** The histogram of {@code values} (a layer's weights as shown, e.g. reconstructed; not modified) under {@code mask}. */
    public static WeightHistogram histogram(TensorData values, Mask mask, boolean signed, CancellationToken cancel) {
        return WeightHistogram.of(values, mask, BINS, signed, WeightHistogram.Scale.LINEAR, cancel);
    }

    /** The magnitude cut of {@code mask}, or NaN when it is no magnitude threshold or prunes nothing. */
    public static double threshold(Mask mask) {
        return mask instanceof ThresholdMask tm && tm.score().isMagnitude() && tm.prunedCount() > 0
                ? tm.threshold().value() : Double.NaN;
    }

    /** Every pruned layer's small histogram, in result order. */
    public static List<LayerHistogram> tiles(Model model, PruningResult result, boolean signed,
                                             CancellationToken cancel) {
        return tiles(model, result, result.masks(), (t, m) -> t.data(), signed, cancel);
    }

    /**
     * As {@link #tiles(Model, PruningResult, boolean, CancellationToken)} with the masks and values shown instead
     * of the engine's (reconstructed ones).
     *
     * @param masks  the mask shown per tensor (not modified)
     * @param values the values shown of a tensor under its mask
     */
    public static List<LayerHistogram> tiles(Model model, PruningResult result, Map<String, Mask> masks,
                                             BiFunction<WeightTensor, Mask, TensorData> values, boolean signed,
                                             CancellationToken cancel) {
        List<LayerHistogram> all = new ArrayList<>();
        for (LayerResult lr : result.layers()) {
            cancel.throwIfCancelled();
            WeightTensor t = model.tensor(lr.name()).orElse(null);
            if (t != null) {
                Mask m = masks.get(lr.name());
                all.add(new LayerHistogram(lr.name(), WeightHistogram.of(values.apply(t, m), m, SMALL_BINS,
                        signed, WeightHistogram.Scale.LINEAR, cancel), lr.achieved()));
            }
        }
        return all;
    }
}
