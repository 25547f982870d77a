package org.sparsitybench.ui.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.EquivalenceCheck;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.eval.PruneExportCurves;
import org.sparsitybench.eval.PrunePipeline;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * The export dialog's background work, toolkit-free: the pruned model as the window shows it (the engine's masks
 * with the reconstructed or recovered weights on screen) and its report with what the window measured, the files
 * derived from it (the quantized model), then the curves CSV. The opened model is never written.
 */
final class ExportFiles {
    private ExportFiles() {
    }

    /**
     * What an export task wrote.
     *
     * @param report the model's report, or null when no model was written
     * @param files  the files written, in order
     */
    record Exported(PruneExport.Report report, List<Path> files) {
    }

    /**
     * @param model  where and how to write the model, or null for no model
     * @param curves the curves CSV to write, or null for none
     */
    static Exported write(ExportRequestSource source, PruneExport.Options model, Path curves, ProgressListener progress,
                          CancellationToken cancel) throws Exception {
        List<Path> files = new ArrayList<>();
        PruneExport.Report r = null;
        if (model != null) {
            AtomicFiles.refuseOverwrite(source.model().file(), model.out());
            progress.progress(0, "preparing " + model.out().getFileName());
            PruneExport.Request req = PrunePipeline.exportRequest(pruned(source), model, cancel);
            r = PruneExport.write(req, curves != null ? progress.range(0, 0.9) : progress, cancel);
            if (source.measured() != null) {
                // What the window measured for this result, as the CLI's prune puts its own measurement.
                r = PruneExport.amendReport(r, "measured", source.measured());
            }
            files.add(r.model());
            files.add(r.file());
            if (source.afterModel() != null) {
                files.addAll(source.afterModel().write(r.model(), ProgressListener.NONE, cancel));
            }
        }
        if (curves != null) {
            cancel.throwIfCancelled();
            progress.progress(0.95, "writing " + curves.getFileName());
            AtomicFiles.refuseOverwrite(source.model().file(), curves);
            // The window's sweeps measure the data the accuracy line reports on: the test role.
            if (source.runs() != null) {
                PruneExportCurves.write(curves, source.points(), source.runs(), DataSplits.TEST);
            } else {
                PruneExportCurves.write(curves, source.points(), DataSplits.TEST);
            }
            files.add(curves);
        }
        return new Exported(r, files);
    }

    /** The result as the window shows it: the engine's masks, with the reconstructed or recovered weights on screen. */
    static PrunePipeline.Pruned pruned(ExportRequestSource source) {
        PruningResult r = source.result();
        ExportRequestSource.Weights w = source.weights();
        ObjectNode extra = new ObjectMapper().createObjectNode();
        if (w != null) {
            extra.put("weights", w.label());
        }
        if (!Double.isNaN(source.pruneMillis())) {
            // The window chose the masks in a background task before the export: that run is the report's prune step.
            extra.putObject(PruneExport.TIMINGS).put("prune", source.pruneMillis());
        }
        return new PrunePipeline.Pruned(source.model(), source.model().file(), r.config().global().method(),
                r.config().global().target(), r, extra, w == null ? null : w.reconstruction(),
                w == null ? null : w.recovered());
    }

    /** "Compaction check passed: max |diff| 8.3e-07 (tolerance 1e-04 × output scale 12.5)". */
    static String describe(EquivalenceCheck.Result c) {
        return String.format(Locale.ROOT, "Compaction check %s: max |diff| %.3g (tolerance %.0e × output scale %.3g, "
                + "%d random batches)", c.passed() ? "passed" : "FAILED", c.maxAbsDiff(), c.tolerance(),
                Math.max(1, c.outputScale()), c.trials());
    }
}
