package org.sparsitybench.eval;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * What an export's report says was measured for its configuration: accuracy and loss of the written model on a
 * named dataset and split, and its latency beside the source model's, each with its spread, measured the same
 * way (one sample, one thread, {@link LatencyMeter}). The window and {@code prune} both put it under the report's
 * {@code measured} ({@link PruneExport#amendReport}). Stateless.
 */
public final class ExportMeasurement {
    /** Batch of the accuracy pass. */
    static final int EVAL_BATCH = 256;

    private ExportMeasurement() {
    }

    /**
     * Evaluates {@code written} (not modified) on {@code data} and times it and {@code source} alike.
     *
     * @param split        which split {@code data} is ("test", "validation"...), recorded as given
     * @param latencyRuns  timed runs per model, 0 to skip latency
     */
    public static ObjectNode measure(Path source, Path written, ModelCard card, LabeledData data, String dataset,
                                     String split, int latencyRuns, CancellationToken cancel)
            throws IOException, OrtException {
        Evaluation e;
        try (OrtModel m = OrtModel.open(written, card.input(), 0)) {
            e = Evaluator.evaluate(m, card, data, EVAL_BATCH, Integer.MAX_VALUE, ProgressListener.NONE, cancel);
        }
        Latency after = null;
        Latency before = null;
        if (latencyRuns > 0) {
            before = LatencyMeter.measure(source, card, 1, 1, Math.min(10, latencyRuns), latencyRuns, cancel);
            after = LatencyMeter.measure(written, card, 1, 1, Math.min(10, latencyRuns), latencyRuns, cancel);
        }
        return json(e, dataset, split, before, after);
    }

    /**
     * The report's {@code measured} object.
     *
     * @param before the source model's latency, or null
     * @param after  the written model's latency, or null
     */
    public static ObjectNode json(Evaluation e, String dataset, String split, Latency before, Latency after) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("dataset", dataset);
        o.put("split", split);
        o.put("samples", e.samples());
        o.put("accuracy", e.accuracy());
        o.put("top5", e.top5());
        o.put("loss", e.loss());
        if (after != null) {
            o.set("latencyMs", latency(after));
        }
        if (before != null) {
            o.set("sourceLatencyMs", latency(before));
        }
        if (before != null && after != null) {
            o.put("latencyRatio", after.medianMs() / before.medianMs());
            o.put("latencyNote", "ONNX Runtime, batch " + after.batch() + ", one thread, medians with p10/p90 of "
                    + "timed runs of each model alike; latencyRatio = this model's median over the source's");
        }
        return o;
    }

    private static ObjectNode latency(Latency l) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("median", l.medianMs());
        o.put("p10", l.p10Ms());
        o.put("p90", l.p90Ms());
        o.put("runs", l.runs());
        o.put("batch", l.batch());
        o.put("threads", l.threads());
        return o;
    }
}
