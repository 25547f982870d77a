package org.sparsitybench.quantize;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Quantizes an ONNX model: plans the layers ({@link QdqRewriter#plan}), calibrates activation ranges on validation
 * samples when any layer is static INT8 ({@link Calibration}), rewrites the graph, and loads the result in ONNX
 * Runtime before anything is written, so no model ONNX Runtime rejects ever reaches the disk.
 */
public final class Quantizer {
    private Quantizer() {
    }

    /**
     * A quantized model, serialized and loaded once in ONNX Runtime.
     *
     * @param bytes  the model file's bytes
     * @param result the rewritten graph and per-layer outcome
     * @param params the activation parameters used (empty in weight-only mode)
     */
    public record Outcome(byte[] bytes, QdqRewriter.Result result, Map<String, AffineParams> params) {
    }

    /**
     * @param model       the model (not modified)
     * @param card        preprocessing for calibration; may be null when no layer is static
     * @param calibration validation samples for the activation ranges; may be null when no layer is static
     * @throws UnsupportedModelException naming the node when the graph cannot be quantized as asked, or when ONNX
     *                                   Runtime rejects the result
     */
    public static Outcome quantize(Model model, ModelCard card, LabeledData calibration, QuantizationConfig config,
                                   ProgressListener progress, CancellationToken cancel) throws Exception {
        QdqRewriter plan = QdqRewriter.plan(model, config);
        var values = plan.valuesToCalibrate();
        Map<String, AffineParams> params = Map.of();
        if (!values.isEmpty()) {
            if (card == null || calibration == null) {
                throw new IllegalArgumentException("static quantization needs calibration data and a model card");
            }
            params = Calibration.calibrate(model, card, calibration, values, config, progress, cancel);
        }
        return rewrite(plan, params);
    }

    /** Rewrites with ranges already measured (a sensitivity run reuses one calibration for every layer). */
    public static Outcome rewrite(QdqRewriter plan, Map<String, AffineParams> params) throws IOException {
        QdqRewriter.Result r = plan.rewrite(params);
        byte[] bytes = r.model().toByteArray();
        try (OrtModel m = OrtModel.fromBytes(bytes, null, 1)) {
            // loaded: ONNX Runtime accepts the graph, its types and its opset
        } catch (IOException | ai.onnxruntime.OrtException e) {
            throw new UnsupportedModelException("ONNX Runtime rejects the quantized model, so it was not written: "
                    + e.getMessage());
        }
        return new Outcome(bytes, r, params);
    }

    /** Writes {@code outcome} to {@code out} atomically; refuses to overwrite {@code input}. */
    public static void write(Outcome outcome, Path input, Path out) throws IOException {
        AtomicFiles.refuseOverwrite(input, out);
        AtomicFiles.writeStream(out, os -> os.write(outcome.bytes()));
    }
}
