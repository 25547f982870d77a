package org.sparsitybench.quantize;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sparsitybench.eval.ActivationCapture;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Activation ranges measured in ONNX Runtime on calibration samples (the validation split's first K): one pass
 * for the extremes, and for percentile and MSE ranges a second pass filling a histogram over them.
 */
public final class Calibration {
    private Calibration() {
    }

    /**
     * @param values graph values to calibrate
     * @return uint8 parameters per value
     */
    public static Map<String, AffineParams> calibrate(Model model, ModelCard card, LabeledData data,
                                                      Collection<String> values, QuantizationConfig config,
                                                      ProgressListener progress, CancellationToken cancel)
            throws Exception {
        Map<String, AffineParams> out = new LinkedHashMap<>();
        if (values.isEmpty()) {
            return out;
        }
        Map<String, double[]> extremes = new HashMap<>();
        boolean twoPasses = config.range() != RangeMethod.MINMAX;
        ProgressListener first = twoPasses ? (f, m) -> progress.progress(f / 2, m) : progress;
        ActivationCapture.run(model, card, data, config.calibration(), values, (name, buf) -> {
            double[] mm = extremes.computeIfAbsent(name, k -> new double[] {Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY});
            while (buf.hasRemaining()) {
                float v = buf.get();
                if (Float.isFinite(v)) {
                    mm[0] = Math.min(mm[0], v);
                    mm[1] = Math.max(mm[1], v);
                }
            }
        }, first, cancel);
        if (!twoPasses) {
            for (String v : values) {
                double[] mm = extremes.getOrDefault(v, new double[] {0, 0});
                out.put(v, AffineParams.uint8(finite(mm[0]), finite(mm[1])));
            }
            return out;
        }
        Map<String, ActivationHistogram> hist = new HashMap<>();
        for (String v : values) {
            double[] mm = extremes.getOrDefault(v, new double[] {0, 0});
            hist.put(v, new ActivationHistogram(finite(mm[0]), finite(mm[1])));
        }
        ActivationCapture.run(model, card, data, config.calibration(), values,
                (name, buf) -> hist.get(name).add(buf), (f, m) -> progress.progress(0.5 + f / 2, m), cancel);
        for (String v : values) {
            double[] r = hist.get(v).range(config.range(), config.percentile());
            out.put(v, AffineParams.uint8(r[0], r[1]));
        }
        return out;
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }
}
