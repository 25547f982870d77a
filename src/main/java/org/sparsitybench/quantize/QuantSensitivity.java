package org.sparsitybench.quantize;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sparsitybench.eval.Evaluator;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Validation accuracy lost by quantizing each layer alone (every other layer float), as pruning's sensitivity
 * analysis prunes each layer alone: which layers tolerate INT8 or INT4 and which should stay float.
 */
public final class QuantSensitivity {
    private QuantSensitivity() {
    }

    /** One layer quantized alone: {@code drop = floatAccuracy − accuracy}, on {@code samples} validation samples. */
    public record Entry(String name, Precision precision, double floatAccuracy, double accuracy, double drop,
                        int samples) {
    }

    /**
     * @param params activation ranges calibrated for the whole configuration (each layer alone needs a subset)
     * @param limit  validation samples evaluated per layer
     */
    public static List<Entry> analyze(Model model, ModelCard card, LabeledData validation, QuantizationConfig config,
                                      Map<String, AffineParams> params, int limit, ProgressListener progress,
                                      CancellationToken cancel) throws Exception {
        QdqRewriter full = QdqRewriter.plan(model, config);
        List<QdqRewriter.LayerPlan> layers = full.layers().stream()
                .filter(l -> l.precision() != Precision.FLOAT32).toList();
        double base;
        try (OrtModel m = OrtModel.open(model.file(), card.input(), 0)) {
            base = Evaluator.evaluate(m, card, validation, 256, limit, ProgressListener.NONE, cancel).accuracy();
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            cancel.throwIfCancelled();
            QdqRewriter.LayerPlan l = layers.get(i);
            QdqRewriter one = QdqRewriter.plan(model, config.onlyLayer(l.weight(), full.quantizable()));
            Quantizer.Outcome o = Quantizer.rewrite(one, params);
            try (OrtModel m = OrtModel.fromBytes(o.bytes(), card.input(), 0)) {
                var e = Evaluator.evaluate(m, card, validation, 256, limit, ProgressListener.NONE, cancel);
                out.add(new Entry(l.weight(), l.precision(), base, e.accuracy(), base - e.accuracy(), e.samples()));
            }
            progress.progress((i + 1.0) / layers.size(), "sensitivity " + l.weight());
        }
        return out;
    }
}
