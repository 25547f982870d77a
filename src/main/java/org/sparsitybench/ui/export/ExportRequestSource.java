package org.sparsitybench.ui.export;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.sparsitybench.eval.Reconstruction;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.PruningResult;

/**
 * What the window hands the export dialog: the opened model, the engine's current result (its masks are what gets
 * written), the weights on screen (reconstructed or recovered ones are written as shown), the measured curve points (sweeps, snapshots) for the CSV, and the charts it can render.
 *
 * @param model  the opened model (never overwritten)
 * @param result the current pruning result
 * @param points curve points for the CSV; empty disables the CSV option
 * @param charts chart exporters shown as checkboxes; may be empty
 * @param afterModel what is written from the exported model afterwards (the window's precision choices), or null
 * @param runs   the sweep run of each point (the CSV's run column), or null for a CSV without one
 * @param measured what the window measured for this very result (the report's {@code measured}: accuracy, loss,
 *               latency with its spread, dataset and split), or null when nothing was; not modified
 * @param weights the weights on screen when they are not the engine's masked ones, or null
 * @param pruneMillis wall milliseconds of the engine run that chose {@code result}'s masks (the report's
 *                {@code timingsMs.prune}), or NaN when unknown
 */
public record ExportRequestSource(Model model, PruningResult result, List<SweepPoint> points,
                                  List<ChartExporter> charts, AfterModel afterModel, List<String> runs,
                                  ObjectNode measured, Weights weights, double pruneMillis) {
    /**
     * Weights the window shows instead of the engine's mask over the original ones: what the user sees is what the
     * export writes.
     *
     * @param reconstruction the reconstruction on screen (its masks and Ŵ), or null
     * @param recovered      fine-tuned tensors by name (masks kept), written over the masked values, or null
     * @param label          how the window names them ("reconstructed", "recovered: epoch 3 of 3 …")
     */
    public record Weights(Reconstruction.Result reconstruction, Map<String, TensorData> recovered, String label) {
        public Weights {
            Objects.requireNonNull(label, "label");
            if ((reconstruction == null) == (recovered == null)) {
                throw new IllegalArgumentException("weights on screen are either reconstructed or recovered");
            }
        }
    }

    /**
     * As the canonical constructor, without the engine run's time ({@code pruneMillis} NaN: the report then times
     * only its own steps).
     */
    public ExportRequestSource(Model model, PruningResult result, List<SweepPoint> points, List<ChartExporter> charts,
                               AfterModel afterModel, List<String> runs, ObjectNode measured, Weights weights) {
        this(model, result, points, charts, afterModel, runs, measured, weights, Double.NaN);
    }

    /** An export of the engine's masked weights. */
    public ExportRequestSource(Model model, PruningResult result, List<SweepPoint> points, List<ChartExporter> charts,
                               AfterModel afterModel, List<String> runs, ObjectNode measured) {
        this(model, result, points, charts, afterModel, runs, measured, null, Double.NaN);
    }

    public ExportRequestSource {
        measured = measured == null ? null : measured.deepCopy();
        runs = runs == null ? null : List.copyOf(runs);
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(result, "result");
        points = points == null ? List.of() : List.copyOf(points);
        charts = charts == null ? List.of() : List.copyOf(charts);
    }

    /** An export without a measurement of the result. */
    public ExportRequestSource(Model model, PruningResult result, List<SweepPoint> points, List<ChartExporter> charts,
                               AfterModel afterModel, List<String> runs) {
        this(model, result, points, charts, afterModel, runs, null);
    }

    /** An export with nothing written after the model and a CSV without a run column. */
    public ExportRequestSource(Model model, PruningResult result, List<SweepPoint> points, List<ChartExporter> charts) {
        this(model, result, points, charts, null, null, null);
    }

    /** An export with something written after the model and a CSV without a run column. */
    public ExportRequestSource(Model model, PruningResult result, List<SweepPoint> points, List<ChartExporter> charts,
                               AfterModel afterModel) {
        this(model, result, points, charts, afterModel, null, null);
    }

    /** Files derived from the written model (the quantized model and its report), written in the same task. */
    @FunctionalInterface
    public interface AfterModel {
        /**
         * @param model the pruned model just written (not modified)
         * @return the files written
         */
        List<java.nio.file.Path> write(java.nio.file.Path model, org.sparsitybench.task.ProgressListener progress,
                                       org.sparsitybench.task.CancellationToken cancel) throws Exception;
    }
}
