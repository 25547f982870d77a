package org.sparsitybench.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.LayerSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Masks for fine-tuning: read from a model's zeros, or computed by the prune engine on the network's current
 * values (once, or at each step of a gradual schedule). A frozen position is one the optimiser never moves.
 */
public final class MaskedPruning {
    private MaskedPruning() {
    }

    /**
     * Freezes the zeros already in the network: in every prunable weight of {@code model}, and in every 1-D
     * trained tensor (bias, batch-norm scale and shift) — structured pruning zeroes those of a removed channel, so
     * the channel stays removed. A weight that happens to be exactly 0 stays 0 as well.
     *
     * @param net   the network (modified: {@link Param#frozen} set)
     * @param model the model it was read from (not modified)
     */
    public static void freezeZeros(GraphNetwork net, Model model) {
        for (Param p : net.params().values()) {
            boolean prunable = model.tensor(p.name).map(WeightTensor::prunable).orElse(false);
            if (prunable || p.shape.length == 1) {
                p.frozen = zeros(p.value);
            }
        }
    }

    private static boolean[] zeros(float[] v) {
        boolean[] z = new boolean[v.length];
        boolean any = false;
        for (int i = 0; i < v.length; i++) {
            z[i] = v[i] == 0f;
            any |= z[i];
        }
        return any ? z : null;
    }

    /**
     * Prunes the network's current values with {@code config} through the prune engine, writes the pruned values
     * (structured methods also zero the removed channels' biases and batch-norm parameters) into the network and
     * freezes every zero, as {@link #freezeZeros}.
     *
     * @param net    the network (modified: values of pruned tensors and {@link Param#frozen})
     * @param model  the model it was read from (not modified); its graph tells the engine the channel groups
     * @return the engine's result (masks, per-layer figures)
     */
    public static PruningResult prune(GraphNetwork net, Model model, PruningConfig config, CancellationToken cancel) {
        Model current = withValues(model, net);
        PruningResult r = new PruningEngine(current).run(config, ProgressListener.NONE, cancel);
        applyValues(net, model, r.prunedValues(current));
        return r;
    }

    /**
     * Writes pruned values (the engine's, or SparseGPT's reconstructed ones) into the network and freezes every
     * zero, as {@link #freezeZeros}; tensors the network does not train are skipped.
     *
     * @param net    the network (modified: values of the given tensors and {@link Param#frozen})
     * @param model  the model it was read from (not modified)
     * @param values values by tensor name (not modified)
     */
    public static void applyValues(GraphNetwork net, Model model, Map<String, TensorData> values) {
        for (Map.Entry<String, TensorData> e : values.entrySet()) {
            Param p = net.params().get(e.getKey());
            if (p != null) {
                float[] v = e.getValue().readAllFloats();
                for (int i = 0; i < v.length; i++) {
                    // The engine's 0 is written as +0.0, so a pruned weight's bits are those of 0.0f.
                    p.value[i] = v[i] == 0f ? 0f : v[i];
                }
            }
        }
        freezeZeros(net, model);
    }

    /**
     * The cubic schedule of Zhu &amp; Gupta (2017): {@code s_k = s_f + (s_i − s_f)·(1 − k/K)³} for step k of K.
     */
    public static double cubic(double initial, double target, int k, int steps) {
        double f = 1 - (double) k / steps;
        return target + (initial - target) * f * f * f;
    }

    /**
     * {@code config} with its target replaced by {@code sparsity} and each per-layer override scaled by
     * {@code sparsity / config's target}, so a gradual step moves every layer along the same schedule.
     */
    public static PruningConfig at(PruningConfig config, double sparsity) {
        double target = config.global().target();
        double scale = target > 0 ? sparsity / target : 0;
        PruningConfig c = config.withTarget(sparsity);
        for (Map.Entry<String, LayerSettings> e : config.layers().entrySet()) {
            LayerSettings l = e.getValue();
            if (!l.excluded() && l.sparsity() != null) {
                c = c.withLayer(e.getKey(), new LayerSettings(l.method(), Math.min(1, l.sparsity() * scale),
                        l.locked(), false));
            }
        }
        return c;
    }

    /** Zeros over all prunable weights of the network's current values. */
    public static long prunableZeros(GraphNetwork net, Model model) {
        long zeros = 0;
        for (Param p : net.params().values()) {
            if (model.tensor(p.name).map(WeightTensor::prunable).orElse(false)) {
                for (float v : p.value) {
                    if (v == 0f) {
                        zeros++;
                    }
                }
            }
        }
        return zeros;
    }

    /** {@code model} with the network's current values in place of its tensors' (same graph, same source). */
    static Model withValues(Model model, GraphNetwork net) {
        Map<String, Param> values = net.tensors();
        List<WeightTensor> tensors = new ArrayList<>();
        for (WeightTensor t : model.tensors()) {
            Param p = values.get(t.name());
            tensors.add(p == null ? t : new WeightTensor(t.name(), t.op(), t.node(), t.shape(), t.dtype(), t.role(),
                    t.prunable(), t.pruneAxis(), t.storage(), TensorData.ofFloats(p.value.clone())));
        }
        return new Model(model.format(), model.file(), tensors, model.graph(), new LinkedHashMap<>(model.metadata()),
                model.source());
    }
}
