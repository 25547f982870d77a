package org.sparsitybench.ui.quantize;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.quantize.Precision;
import org.sparsitybench.quantize.QdqRewriter;
import org.sparsitybench.quantize.QuantMode;
import org.sparsitybench.quantize.QuantizationConfig;
import org.sparsitybench.quantize.QuantizedMeter;
import org.sparsitybench.quantize.RangeMethod;
import org.sparsitybench.task.LongTask;

/**
 * The window's precision choices without any toolkit: a global precision beside the method, a per-layer
 * override (the layer table's Precision column), the stored bits per weight they imply, and the last measurement
 * of the quantized model with a plain statement of whether it is faster than float here. A layer that cannot be
 * quantized (not a Conv, Gemm or MatMul weight) always reads float32.
 */
public final class PrecisionViewModel {
    private final Map<String, Long> params = new LinkedHashMap<>();
    private final Map<String, Precision> overrides = new LinkedHashMap<>();
    private final List<Runnable> listeners = new ArrayList<>();
    private final List<Runnable> choiceListeners = new ArrayList<>();
    private Precision global = Precision.FLOAT32;
    private QuantMode mode = QuantMode.STATIC;
    private int block = 32;
    private QuantizedMeter.Measurement measured;

    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    /** Called only when a choice changes (not when a measurement arrives): the trigger to measure again. */
    public void addChoiceListener(Runnable listener) {
        choiceListeners.add(listener);
    }

    private void changed() {
        for (Runnable r : List.copyOf(listeners)) {
            r.run();
        }
    }

    private void chosen() {
        changed();
        for (Runnable r : List.copyOf(choiceListeners)) {
            r.run();
        }
    }

    /**
     * Takes the quantizable layers of {@code model} (weight name → parameters; none for a model without an ONNX
     * graph); clears overrides for others.
     */
    public void setModel(Model model) {
        params.clear();
        // Quantization rewrites an ONNX graph: a weights-only file (SafeTensors) or one with external data has
        // no layer to offer, and every row reads float32.
        boolean graph = model.format() == org.sparsitybench.model.ModelFormat.ONNX
                && model.tensors().stream().noneMatch(t -> t.storage().contains("external"));
        if (graph) {
            for (QdqRewriter.LayerPlan l : QdqRewriter.plan(model, QuantizationConfig.staticInt8()).layers()) {
                params.put(l.weight(), model.tensor(l.weight()).orElseThrow().elementCount());
            }
        }
        overrides.keySet().retainAll(params.keySet());
        measured = null;
        changed();
    }

    /** Weight names that can be quantized, in graph order. */
    public List<String> layers() {
        return List.copyOf(params.keySet());
    }

    public boolean quantizable(String layer) {
        return params.containsKey(layer);
    }

    public Precision global() {
        return global;
    }

    public void setGlobal(Precision p) {
        global = p;
        measured = null;
        chosen();
    }

    public QuantMode mode() {
        return mode;
    }

    public void setMode(QuantMode m) {
        mode = m;
        measured = null;
        chosen();
    }

    public void setBlock(int b) {
        if (b != 32 && b != 64) {
            throw new IllegalArgumentException("block " + b + " is not 32 or 64");
        }
        block = b;
        chosen();
    }

    /** The precision a layer gets: its override, else the global one; float32 for a layer that cannot be quantized. */
    public Precision precision(String layer) {
        if (!params.containsKey(layer)) {
            return Precision.FLOAT32;
        }
        return overrides.getOrDefault(layer, global);
    }

    /** Sets one layer's precision; null makes it follow the global precision again. */
    public void setLayer(String layer, Precision p) {
        if (!params.containsKey(layer)) {
            throw new IllegalArgumentException(layer + " is not a Conv, Gemm or MatMul weight; it stays float32");
        }
        if (p == null) {
            overrides.remove(layer);
        } else {
            overrides.put(layer, p);
        }
        measured = null;
        chosen();
    }

    /** Per-layer precision by weight name, as a snapshot records it ({@code float}, {@code int8}, {@code int4}). */
    public Map<String, String> snapshot() {
        Map<String, String> out = new LinkedHashMap<>();
        params.keySet().forEach(l -> out.put(l, precision(l).id()));
        return out;
    }

    /**
     * Restores a snapshot's precisions (layers it does not name follow the global precision); null, a snapshot of
     * an all-float32 configuration, makes every layer float32 again.
     */
    public void restore(Map<String, String> snapshot) {
        overrides.clear();
        if (snapshot == null) {
            global = Precision.FLOAT32;
            measured = null;
            chosen();
            return;
        }
        snapshot.forEach((k, v) -> {
            if (params.containsKey(k)) {
                overrides.put(k, Precision.parse(v));
            }
        });
        measured = null;
        chosen();
    }

    /** The configuration to quantize with, or empty when every layer stays float32 (nothing to quantize). */
    public Optional<QuantizationConfig> config() {
        boolean any = params.keySet().stream().anyMatch(l -> precision(l) != Precision.FLOAT32);
        if (!any) {
            return Optional.empty();
        }
        Map<String, Precision> per = new LinkedHashMap<>();
        params.keySet().forEach(l -> per.put(l, precision(l)));
        return Optional.of(new QuantizationConfig(mode, Precision.FLOAT32, block,
                QuantizationConfig.DEFAULT_CALIBRATION, RangeMethod.MINMAX, QuantizationConfig.DEFAULT_PERCENTILE, per,
                Set.of()));
    }

    /** Stored bits per weight over the quantizable layers: Σ bits·params / Σ params (scales not counted). */
    public double bitsPerWeight() {
        long n = 0;
        double bits = 0;
        for (Map.Entry<String, Long> e : params.entrySet()) {
            n += e.getValue();
            bits += (double) precision(e.getKey()).bits() * e.getValue();
        }
        return n == 0 ? 32 : bits / n;
    }

    /**
     * The background measurement for the current choices of the pruned model at {@code prunedModel} (the file the
     * window's configuration meter wrote), or empty when everything is float32.
     *
     * @param calibration validation samples for the activation ranges
     * @param data        samples accuracy is measured on (the caller names the split)
     */
    public Optional<LongTask<QuantizedMeter.Measurement>> measurement(Path prunedModel, ModelCard card,
                                                                      LabeledData calibration, LabeledData data,
                                                                      int limit, int latencyRuns) {
        return config().map(cfg -> (progress, cancel) -> QuantizedMeter.measure(prunedModel, card, calibration, data,
                cfg, limit, latencyRuns, progress, cancel));
    }

    public Optional<QuantizedMeter.Measurement> measured() {
        return Optional.ofNullable(measured);
    }

    public void setMeasured(QuantizedMeter.Measurement m) {
        measured = m;
        changed();
    }

    /** Totals line: bits per weight, and the measured file and compressed sizes when there are any. */
    public String totals() {
        String bits = String.format(Locale.ROOT, "%.2f bits/weight", bitsPerWeight());
        if (measured == null) {
            return bits;
        }
        return String.format(Locale.ROOT, "%s · %,d bytes (%,d compressed)", bits, measured.fileBytes(),
                measured.compressedBytes());
    }

    /**
     * Whether the measured quantized model is faster than float here, said plainly.
     *
     * @param floatLatencyMs the float (pruned) model's median latency, batch 1, one thread
     */
    public String speedNote(double floatLatencyMs) {
        if (measured == null || measured.latency() == null || !(floatLatencyMs > 0)) {
            return "";
        }
        double ratio = floatLatencyMs / measured.latency().medianMs();
        if (ratio >= 1.05) {
            return String.format(Locale.ROOT, "quantized: %.2f× the float speed on this CPU", ratio);
        }
        return String.format(Locale.ROOT, "quantized: not faster on this CPU (%.2f× the float speed); the file is "
                + "smaller, inference is not faster", ratio);
    }
}
