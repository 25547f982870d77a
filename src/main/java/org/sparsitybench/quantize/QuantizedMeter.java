package org.sparsitybench.quantize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.Deflater;
import org.sparsitybench.eval.Evaluation;
import org.sparsitybench.eval.Evaluator;
import org.sparsitybench.eval.Latency;
import org.sparsitybench.eval.LatencyMeter;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Measures one precision configuration of a (pruned) model file the way an export would ship it: quantized
 * ({@link Quantizer}), evaluated in ONNX Runtime on the given data, timed (batch 1, one thread) on a temporary copy
 * that is deleted afterwards, and sized (file bytes and DEFLATE bytes). The window re-measures through this when a
 * precision changes; the CLI's figures come from the same classes.
 */
public final class QuantizedMeter {
    private QuantizedMeter() {
    }

    /**
     * @param evaluation      accuracy etc. on the data
     * @param latency         timed runs, or null when none were asked for
     * @param fileBytes       size of the quantized model file
     * @param compressedBytes its size after DEFLATE (level 6)
     * @param bitsPerWeight   stored bits per weight of the quantizable layers (float layers count 32)
     * @param layers          per-layer outcome
     */
    public record Measurement(Evaluation evaluation, Latency latency, long fileBytes, long compressedBytes,
                              double bitsPerWeight, List<QdqRewriter.LayerReport> layers) {
    }

    /**
     * @param model       the model file to quantize (not modified), e.g. a pruned configuration's temporary file
     * @param calibration validation samples for static ranges (may be null for weight-only configurations)
     * @param data        samples to evaluate on (the caller names the split)
     * @param limit       samples evaluated
     * @param latencyRuns timed runs (0 = none)
     */
    public static Measurement measure(Path model, ModelCard card, LabeledData calibration, LabeledData data,
                                      QuantizationConfig config, int limit, int latencyRuns, ProgressListener progress,
                                      CancellationToken cancel) throws Exception {
        Model m = ModelFiles.read(model);
        Quantizer.Outcome o = Quantizer.quantize(m, card, calibration, config, progress, cancel);
        Evaluation e;
        try (OrtModel s = OrtModel.fromBytes(o.bytes(), card.input(), 0)) {
            e = Evaluator.evaluate(s, card, data, 256, limit, progress, cancel);
        }
        Latency latency = null;
        if (latencyRuns > 0) {
            Path tmp = AtomicFiles.createProcessTempFile(model.toAbsolutePath().getParent(), ".sparsitybench-quant-",
                    ".onnx");
            try {
                Files.write(tmp, o.bytes());
                latency = LatencyMeter.measure(tmp, card, 1, 1, 5, latencyRuns, cancel);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        long elements = 0;
        double bits = 0;
        for (QdqRewriter.LayerReport l : o.result().layers()) {
            elements += l.elements();
            bits += (double) l.bits() * l.elements();
        }
        return new Measurement(e, latency, o.bytes().length, deflated(o.bytes()), elements == 0 ? 32 : bits / elements,
                o.result().layers());
    }

    /** Bytes after DEFLATE level 6 (zip's algorithm), as the export report counts them. */
    static long deflated(byte[] bytes) throws IOException {
        Deflater d = new Deflater(6);
        try {
            d.setInput(bytes);
            d.finish();
            byte[] sink = new byte[1 << 16];
            long n = 0;
            while (!d.finished()) {
                n += d.deflate(sink);
            }
            return n;
        } finally {
            d.end();
        }
    }
}
