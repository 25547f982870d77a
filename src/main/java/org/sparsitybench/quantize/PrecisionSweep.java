package org.sparsitybench.quantize;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.sparsitybench.eval.Evaluation;
import org.sparsitybench.eval.Evaluator;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.eval.TemporaryModels;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Sparsity × precision: each sparsity level pruned (magnitude, the given allocation), then kept float32 or
 * quantized to static INT8 or weight-only INT4, each point's accuracy measured in ONNX Runtime and its file
 * compressed as shipped. The Pareto front over compressed size and accuracy says which combinations are worth
 * shipping.
 */
public final class PrecisionSweep {
    private PrecisionSweep() {
    }

    /** One measured combination. */
    public record Point(double sparsity, Precision precision, double accuracy, long fileBytes, long compressedBytes,
                        int samples) {
    }

    /**
     * @param levels      sparsity levels
     * @param calibration validation samples for static INT8 ranges
     * @param data        evaluation samples (the caller names the split)
     */
    public static List<Point> run(Model model, ModelCard card, LabeledData calibration, LabeledData data,
                                  List<Double> levels, Allocation allocation, int block, int limit,
                                  ProgressListener progress, CancellationToken cancel) throws Exception {
        List<Point> out = new ArrayList<>();
        PruningEngine engine = new PruningEngine(model);
        List<Precision> precisions = List.of(Precision.FLOAT32, Precision.INT8, Precision.INT4);
        int step = 0;
        for (double level : levels) {
            cancel.throwIfCancelled();
            PruningResult r = engine.run(PruningConfig.of(GlobalSettings.of(level, "magnitude", allocation)),
                    ProgressListener.NONE, cancel);
            Path pruned = TemporaryModels.writeValues(model, r.prunedValues(model), cancel);
            try {
                for (Precision p : precisions) {
                    if (p == Precision.FLOAT32) {
                        byte[] bytes = Files.readAllBytes(pruned);
                        Evaluation e;
                        try (OrtModel s = OrtModel.open(pruned, card.input(), 0)) {
                            e = Evaluator.evaluate(s, card, data, 256, limit, ProgressListener.NONE, cancel);
                        }
                        out.add(new Point(level, p, e.accuracy(), bytes.length, QuantizedMeter.deflated(bytes),
                                e.samples()));
                    } else {
                        QuantizationConfig cfg = p == Precision.INT8 ? QuantizationConfig.staticInt8()
                                : QuantizationConfig.weightsOnly(Precision.INT4, block);
                        QuantizedMeter.Measurement m = QuantizedMeter.measure(pruned, card, calibration, data, cfg,
                                limit, 0, ProgressListener.NONE, cancel);
                        out.add(new Point(level, p, m.evaluation().accuracy(), m.fileBytes(), m.compressedBytes(),
                                m.evaluation().samples()));
                    }
                    progress.progress((double) ++step / (levels.size() * precisions.size()),
                            String.format(java.util.Locale.ROOT, "%.0f%% sparse, %s", 100 * level, p.id()));
                }
            } finally {
                Files.deleteIfExists(pruned);
            }
        }
        return out;
    }

    /**
     * The points no other point beats: none smaller (compressed) with accuracy at least as high. Ascending by size.
     *
     * @param points measured points (not modified)
     */
    public static List<Point> paretoFront(List<Point> points) {
        List<Point> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingLong(Point::compressedBytes).thenComparing(Point::accuracy,
                Comparator.reverseOrder()));
        List<Point> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (Point p : sorted) {
            if (p.accuracy() > best) {
                front.add(p);
                best = p.accuracy();
            }
        }
        return front;
    }
}
