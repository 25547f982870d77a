package org.sparsitybench.ui.heatmap;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.stats.HeatmapGrid;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.ui.reconstruct.ReconstructedWeights;

/**
 * The heatmap pane's state: what one cell covers (the user's choice) and the grid of the selected tensor under
 * the latest result. The grid is computed off the FX thread with the rest of the workbench's frame.
 */
public final class HeatmapViewModel {
    /** Largest heatmap grid painted, per side. */
    public static final int CELLS = 256;

    private final ObjectProperty<HeatmapMode> mode = new SimpleObjectProperty<>(this, "mode", HeatmapMode.WEIGHTS);
    private final ReadOnlyObjectWrapper<HeatmapGrid> grid = new ReadOnlyObjectWrapper<>(this, "grid");
    private final ReadOnlyStringWrapper caption = new ReadOnlyStringWrapper(this, "caption", caption(HeatmapMode.WEIGHTS,
            ""));

    public ObjectProperty<HeatmapMode> modeProperty() {
        return mode;
    }

    /** The selected tensor's grid; null before the first result. */
    public ReadOnlyObjectProperty<HeatmapGrid> gridProperty() {
        return grid.getReadOnlyProperty();
    }

    /** What a cell's colour is, and of which weights: "mean |w| per cell (W under the mask (mask only))". */
    public ReadOnlyStringProperty captionProperty() {
        return caption.getReadOnlyProperty();
    }

    public void show(HeatmapGrid g) {
        grid.set(g);
    }

    /**
     * Shows {@code g}, computed in {@code shownMode} from the weights {@code weights} names (see
     * {@link org.sparsitybench.ui.reconstruct.ReconstructedWeights#label}).
     */
    public void show(HeatmapGrid g, HeatmapMode shownMode, String weights) {
        caption.set(caption(shownMode, weights));
        grid.set(g); // last: the view repaints and retitles when it changes
    }

    /** The heatmap's caption for {@code m} over the weights {@code weights} names (empty: not said). */
    static String caption(HeatmapMode m, String weights) {
        if (m == HeatmapMode.CHANGE) {
            return weights.equals(ReconstructedWeights.RECONSTRUCTED)
                    ? "mean |Ŵ − W| on kept weights (the change)"
                    : "mean |Ŵ − W|: 0, no reconstruction on screen";
        }
        return weights.isEmpty() ? "mean |w| per cell" : "mean |w| per cell of " + weights;
    }

    /**
     * The grid of {@code layer} under {@code mask}, at most {@link #CELLS} rows and {@link #columns} columns.
     *
     * @param layer the tensor (not modified)
     * @param mask  its mask (not modified)
     */
    public static HeatmapGrid compute(WeightTensor layer, Mask mask, HeatmapMode mode, CancellationToken cancel) {
        return compute(layer, layer.data(), mask, mode, cancel);
    }

    /**
     * As {@link #compute(WeightTensor, Mask, HeatmapMode, CancellationToken)} over {@code values} (what is shown
     * of {@code layer}: reconstructed weights, or {@code |Ŵ − W|} in {@link HeatmapMode#CHANGE}; not modified).
     */
    public static HeatmapGrid compute(WeightTensor layer, TensorData values, Mask mask, HeatmapMode mode,
                                      CancellationToken cancel) {
        return HeatmapGrid.of(values, layer.shape(), mask, cells(layer.shape().length == 0 ? 1
                : layer.shape()[0]), columns(layer, mode), cancel);
    }

    /**
     * Cells along a side of {@code n} weights: one per weight up to {@code 2·CELLS} (so 288 columns stay 288, not
     * squeezed unevenly into 256), beyond that {@code ceil(n / k)} cells of {@code k = ceil(n / CELLS)} weights.
     */
    public static int cells(long n) {
        if (n <= 2L * CELLS) {
            return (int) Math.max(1, n);
        }
        long k = (n + CELLS - 1) / CELLS;
        return (int) ((n + k - 1) / k);
    }

    /** Columns of the matrix the heatmap shows: every axis after the first, flattened. */
    static long weightColumns(long[] shape) {
        long c = 1;
        for (int i = 1; i < shape.length; i++) {
            c *= shape[i];
        }
        return c;
    }

    /** Cell columns of the heatmap for {@code layer} in {@code mode}. */
    static int columns(WeightTensor layer, HeatmapMode mode) {
        long[] shape = layer.shape();
        return switch (mode) {
            case WEIGHTS, CHANGE -> cells(weightColumns(shape));
            case KERNELS -> shape.length > 2 ? cells(Math.max(1, shape[1])) : cells(weightColumns(shape));
            case CHANNELS -> 1;
        };
    }
}
