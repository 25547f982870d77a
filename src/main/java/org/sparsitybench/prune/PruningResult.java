package org.sparsitybench.prune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.structure.ChannelSelection;

/**
 * One engine run: per-layer results and masks in model order, the totals and whether the target was met.
 * A new object each run; nothing in an earlier result changes.
 *
 * @param config         the configuration run
 * @param layers         per-layer results, model order
 * @param masks          mask per tensor name, model order (excluded layers get an all-kept mask)
 * @param selectedParams weights of the non-excluded prunable layers
 * @param targetPruned   {@code round(target · selectedParams)} (half to even)
 * @param pruned         weights pruned in all
 * @param targetMet      {@code pruned == targetPruned}
 * @param messages       why the target was not met, layers the configuration names but the model lacks, ...
 * @param channels       the channels kept by structured layers (for bias/BatchNorm zeroing and compaction), or
 *                       null when no layer was pruned structurally
 */
public record PruningResult(PruningConfig config, List<LayerResult> layers, Map<String, Mask> masks,
                            long selectedParams, long targetPruned, long pruned, boolean targetMet,
                            List<String> messages, ChannelSelection channels) {
    /** A result without structured layers. */
    public PruningResult(PruningConfig config, List<LayerResult> layers, Map<String, Mask> masks, long selectedParams,
                         long targetPruned, long pruned, boolean targetMet, List<String> messages) {
        this(config, layers, masks, selectedParams, targetPruned, pruned, targetMet, messages, null);
    }

    public PruningResult {
        layers = List.copyOf(layers);
        masks = Collections.unmodifiableMap(new LinkedHashMap<>(masks));
        messages = List.copyOf(messages);
    }

    /**
     * Share of zeros the selected (not excluded) layers hold: {@code 1 − Σ kept / selectedParams}, with each
     * layer's {@link LayerResult#kept()} the non-zeros its written tensor holds, so zeros already in the file count
     * (a 97 % zero layer pruned "to 70 %" reads 97 %, as its row does); 0 when nothing is selected.
     */
    public double achievedSparsity() {
        if (selectedParams == 0) {
            return 0.0;
        }
        long kept = layers.stream().filter(l -> l.status() != LayerResult.Status.EXCLUDED).mapToLong(LayerResult::kept)
                .sum();
        return 1 - (double) kept / selectedParams;
    }

    /**
     * The values to export or evaluate: each pruned tensor's weights with its mask applied, and for structured
     * layers also the removed channels' biases, BatchNorm scale and shift zeroed, so a removed channel contributes
     * exactly nothing. Tensors that do not change are absent. Every value is a lazy view over the model's values
     * ({@link Masking#masked}): nothing is copied, so a writer streams a pruned model of any size with only the
     * masks in memory.
     *
     * @param model the model this result was computed for (not modified)
     */
    public Map<String, TensorData> prunedValues(org.sparsitybench.model.Model model) {
        Map<String, TensorData> values = new LinkedHashMap<>();
        for (Map.Entry<String, Mask> e : masks.entrySet()) {
            if (e.getValue().prunedCount() > 0) {
                values.put(e.getKey(), Masking.masked(model.tensor(e.getKey()).orElseThrow().data(), e.getValue()));
            }
        }
        if (channels != null) {
            values.putAll(channels.zeroRemoved(model, values));
        }
        return values;
    }

    public Mask mask(String tensorName) {
        Mask m = masks.get(tensorName);
        if (m == null) {
            throw new IllegalArgumentException("no mask for tensor '" + tensorName + "'");
        }
        return m;
    }
}
