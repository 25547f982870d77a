package org.sparsitybench.ui.workbench;

import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.stats.HeatmapGrid;
import org.sparsitybench.prune.stats.WeightHistogram;

/**
 * Everything the views show for one configuration, computed off the FX thread in one go.
 *
 * @param result    the engine's masks and per-layer results
 * @param layer     the selected tensor's name (null when none)
 * @param histogram its weight histogram, all and kept
 * @param heatmap   its heatmap grid
 * @param threshold its magnitude threshold (NaN when the mask is not a magnitude cut)
 * @param flopsBefore dense FLOPs per sample
 * @param flopsAfter  FLOPs per sample counting kept weights only
 * @param tiles       every layer's small histogram, or null when the small multiples are not shown
 */
public record ViewSnapshot(PruningResult result, String layer, WeightHistogram histogram, HeatmapGrid heatmap,
                           double threshold, long flopsBefore, long flopsAfter,
                           java.util.List<org.sparsitybench.ui.distribution.SmallMultiplesView.Tile> tiles) {
}
