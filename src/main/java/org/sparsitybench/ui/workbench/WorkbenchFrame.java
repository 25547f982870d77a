package org.sparsitybench.ui.workbench;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparsitybench.eval.Reconstruction;
import org.sparsitybench.eval.StorageEstimate;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.stats.HeatmapGrid;
import org.sparsitybench.prune.stats.WeightHistogram;
import org.sparsitybench.prune.stats.FlopCounter;
import org.sparsitybench.task.LongTask;
import org.sparsitybench.ui.common.Sizes;
import org.sparsitybench.ui.distribution.DistributionViewModel;
import org.sparsitybench.ui.distribution.LayerHistogram;
import org.sparsitybench.ui.heatmap.HeatmapMode;
import org.sparsitybench.ui.heatmap.HeatmapViewModel;
import org.sparsitybench.ui.reconstruct.ReconstructedWeights;
import org.sparsitybench.ui.recovery.RecoveredWeights;

/**
 * Everything the panes show for one configuration, computed off the FX thread in one go.
 *
 * @param result      the engine's masks and per-layer results
 * @param layer       the selected tensor's name (null when none)
 * @param histogram   its weight histogram, all and kept
 * @param heatmap     its heatmap grid
 * @param threshold   its magnitude threshold (NaN when the mask is not a magnitude cut)
 * @param flopsBefore dense FLOPs per sample
 * @param flopsAfter  FLOPs per sample counting kept weights only
 * @param tiles       every layer's small histogram, or null when the small multiples are not shown
 * @param storage     the file's size dense and with sparse storage
 * @param reconstructed the reconstruction of {@code result} the panes show (histograms and heatmap of Ŵ, its
 *                      masks, the accuracy of Ŵ), or null when they show the engine's mask over the original W
 * @param mode        the heatmap's cell mode {@code heatmap} was computed in
 * @param recovered   the recovered weights shown instead of the one-shot ones (same masks), or null; when set, no
 *                    reconstruction is shown (recovery started from what was on screen and supersedes it)
 * @param pruneMillis wall milliseconds the engine run that chose {@code result}'s masks took (an export's report
 *                    gives it as the {@code prune} step, as the command line's does)
 */
public record WorkbenchFrame(PruningResult result, String layer, WeightHistogram histogram, HeatmapGrid heatmap,
                             double threshold, long flopsBefore, long flopsAfter, List<LayerHistogram> tiles,
                             StorageEstimate storage, Reconstruction.Result reconstructed, HeatmapMode mode,
                             RecoveredWeights.State recovered, double pruneMillis) {
    /**
     * What a frame is computed from, captured on the FX thread when it is asked for.
     *
     * @param selected the tensor the distribution and heatmap show, or null
     * @param reconstructed the reconstruction to show, computed for {@code config}; null for the mask alone
     * @param recovered recovered weights of this configuration to show (the masks stay the engine's), or null
     */
    record Request(PruningConfig config, PruningEngine engine, FlopCounter uses, WeightTensor selected,
                   HeatmapMode mode, boolean signed, boolean allLayers, Reconstruction.Result reconstructed,
                   RecoveredWeights.State recovered) {
    }

    /** The engine run and the panes' statistics for {@code r}. */
    static LongTask<WorkbenchFrame> compute(Request r) {
        return (progress, cancel) -> {
            long start = System.nanoTime();
            PruningResult result = r.engine().run(r.config(), progress, cancel);
            double pruneMillis = org.sparsitybench.eval.PruneExport.millis(System.nanoTime() - start);
            // Recovered weights keep the masks (pruned weights stay 0): the engine's masks over their values.
            Model model = r.recovered() != null ? r.recovered().model() : r.engine().model();
            WeightTensor layer = r.selected() == null ? null : model.tensor(r.selected().name()).orElse(r.selected());
            Reconstruction.Result rec = r.recovered() != null ? null : r.reconstructed();
            Map<String, Mask> masks = ReconstructedWeights.masks(rec, result.masks());
            WeightHistogram h = null;
            HeatmapGrid g = null;
            double threshold = Double.NaN;
            if (layer != null) {
                Mask mask = masks.get(layer.name());
                h = DistributionViewModel.histogram(ReconstructedWeights.shown(rec, layer, mask), mask, r.signed(), cancel);
                g = HeatmapViewModel.compute(layer, r.mode() == HeatmapMode.CHANGE ? ReconstructedWeights.change(rec,
                        layer, mask) : ReconstructedWeights.shown(rec, layer, mask), mask, r.mode(), cancel);
                // The cut was made on the one-shot weights; recovered kept weights have moved across it since.
                threshold = r.recovered() == null ? DistributionViewModel.threshold(result.masks().get(layer.name()))
                        : Double.NaN;
            }
            Map<String, Long> dense = new HashMap<>();
            Map<String, Long> kept = new HashMap<>();
            for (Map.Entry<String, Mask> e : masks.entrySet()) {
                dense.put(e.getKey(), e.getValue().size());
                kept.put(e.getKey(), e.getValue().keptCount());
            }
            List<LayerHistogram> tiles = r.allLayers() ? DistributionViewModel.tiles(model, result, masks,
                    (t, m) -> ReconstructedWeights.shown(rec, t, m), r.signed(), cancel) : null;
            return new WorkbenchFrame(result, layer == null ? null : layer.name(), h, g, threshold,
                    r.uses().flops(dense), r.uses().flops(kept), tiles, StorageEstimate.of(model, masks), rec, r.mode(),
                    r.recovered(), pruneMillis);
        };
    }

    /** Weights of the pruned layers the configuration keeps. */
    public long keptParams() {
        return result.selectedParams() - result.pruned();
    }

    /** The values the accuracy line measures instead of the masked ones (recovered), or null for the masked ones. */
    public Map<String, org.sparsitybench.model.TensorData> values() {
        return recovered == null ? null : recovered.values();
    }

    /**
     * The values of the weights on screen, as the accuracy lines measure and an export writes them: the recovered
     * ones, else the reconstruction's Ŵ, else null for the engine's mask over the original weights.
     */
    public Map<String, org.sparsitybench.model.TensorData> shownValues() {
        return recovered != null ? recovered.values() : reconstructed != null ? reconstructed.values() : null;
    }

    /** Which weights the panes show: "reconstructed Ŵ", "W under the mask (mask only)", or the recovered ones. */
    public String weights() {
        return recovered != null ? recovered.label() : ReconstructedWeights.label(reconstructed);
    }

    /** The engine's messages (why the target is not met, layers a pattern cannot take, ...), one per line. */
    public String messages() {
        return String.join("\n", result.messages());
    }

    /** The totals line: achieved sparsity, parameters, FLOPs, file size dense and with sparse storage. */
    public String totals() {
        // Weight-only files (SafeTensors) have no graph, so no shapes to count FLOPs from.
        String flops = flopsBefore > 0 ? "FLOPs " + human(flopsAfter) + " of " + human(flopsBefore)
                : "FLOPs n/a (no graph)";
        String nm = result.config().global().nmPattern() == null ? org.sparsitybench.prune.method.NmPattern.DEFAULT
                : result.config().global().nmPattern();
        String met = "nm".equals(result.config().global().method())
                ? " (the N:M pattern " + nm + " decides each layer's level; the target is not used)"
                : result.targetMet() ? "" : String.format(Locale.ROOT, " — target %.1f%% NOT met",
                100.0 * result.targetPruned() / Math.max(1, result.selectedParams()));
        // "of N" counts every prunable weight, excluded layers too, so excluding one does not move the denominator.
        long all = result.layers().stream().mapToLong(LayerResult::params).sum();
        long kept = result.layers().stream().mapToLong(LayerResult::kept).sum();
        return String.format(Locale.ROOT, "achieved %.1f%%%s  ·  prunable weights kept %,d of %,d  ·  %s  ·  file ≈ %s, "
                + "sparse storage ≈ %s", 100 * result.achievedSparsity(), met, kept, all, flops,
                Sizes.bytes(storage.denseBytes()), Sizes.bytes(storage.sparseStorageBytes()))
                + (recovered != null ? "  ·  weights: " + RecoveredWeights.RECOVERED
                : reconstructed == null ? "" : "  ·  weights: reconstructed");
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
}
