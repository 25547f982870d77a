package org.sparsitybench.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.Reconstruction;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.reconstruct.SparseGpt;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import picocli.CommandLine.Option;

/**
 * The prune command's options for recovering accuracy without training ({@code sparsegpt},
 * {@code --reconstruct}, {@code --bias-correction}, {@code --recalibrate-bn}) and the step that applies them to
 * the engine's result: a mixin, so the command only wires it in.
 */
public final class ReconstructOptions {
    @Option(names = "--reconstruct", description = "Keep each layer's mask and re-solve its kept weights by least "
            + "squares on the calibration inputs (needs --data).")
    boolean reconstruct;

    @Option(names = "--bias-correction", description = "Add E[x]·(W − Ŵ)ᵀ to each pruned layer's bias (needs --data).")
    boolean biasCorrection;

    @Option(names = "--recalibrate-bn", description = "Re-estimate every BatchNormalization's running mean and "
            + "variance on the pruned model (needs --data).")
    boolean recalibrateBn;

    @Option(names = "--percdamp", paramLabel = "P", defaultValue = "0.01", description = "Damping as a share of "
            + "mean diag H for sparsegpt and --reconstruct (default ${DEFAULT-VALUE}; raised when a factorisation fails).")
    double percDamp;

    /** {@code sparsegpt} with an explicit {@code --nm} is the N:M variant. */
    static String engineMethod(String method, boolean nmGiven) {
        return method.equals("sparsegpt") && nmGiven ? "sparsegpt-nm" : method;
    }

    /** Whether anything here has to run for the methods {@code used}. */
    boolean active(Collection<String> used) {
        return reconstruct || biasCorrection || recalibrateBn || used.stream().anyMatch(Reconstruction::isSparseGpt);
    }

    /** Usage errors before any work: calibration data and a graph are needed. */
    void check(Model m, Path data, Collection<String> used) {
        if (active(used) && (data == null || m.format() != ModelFormat.ONNX)) {
            throw new SparsityBenchCli.UsageException("sparsegpt, --reconstruct, --bias-correction and --recalibrate-bn"
                    + " need an ONNX model and calibration data: --data DATASET [--calibration K]");
        }
        if (!(percDamp > 0 && percDamp < 1e6)) {
            throw new SparsityBenchCli.UsageException("--percdamp " + percDamp + " is not a positive share");
        }
    }

    /**
     * Runs the reconstruction and replaces {@code masks} and {@code values} (both modified) with its outcome;
     * adds its per-layer report to {@code extra} (modified) and prints one line per layer.
     */
    void apply(Model m, Path modelPath, Path data, int calibration, PruningResult r, Map<String, Mask> masks,
               Map<String, TensorData> values, ObjectNode extra, PrintWriter out) throws Exception {
        ModelCard card = ModelCard.forModel(modelPath, null);
        String nm = r.config().global().nmPattern();
        long t0 = System.nanoTime();
        Reconstruction.Result rec = Reconstruction.run(m, card, r, Map.copyOf(values), Datasets.open(data), calibration,
                nm, new Reconstruction.Options(reconstruct, biasCorrection, recalibrateBn,
                        new SparseGpt.Settings(SparseGpt.DEFAULT_BLOCK_SIZE, percDamp)),
                ProgressListener.NONE, CancellationToken.NONE);
        double seconds = (System.nanoTime() - t0) / 1e9;
        masks.clear();
        masks.putAll(rec.masks());
        values.clear();
        values.putAll(rec.values());
        ObjectNode o = extra.putObject("reconstruction");
        // The split label follows the project's data discipline: calibration chooses, so it reads validation data.
        o.put("calibrationSplit", "validation");
        o.put("calibrationDataset", data.toString());
        o.put("calibrationSamples", rec.samples());
        o.put("seconds", Math.round(seconds * 1000) / 1000.0);
        o.put("reconstruct", reconstruct);
        o.put("biasCorrection", biasCorrection);
        o.put("recalibrateBn", recalibrateBn);
        o.putPOJO("batchNormsRecalibrated", rec.batchNorms());
        ArrayNode layers = o.putArray("layers");
        for (Reconstruction.LayerReport l : rec.layers()) {
            ObjectNode n = layers.addObject();
            n.put("name", l.name());
            n.put("mode", l.mode());
            n.put("pruned", l.pruned());
            putNumber(n, "relErrorMaskOnly", l.errorMaskOnly());
            putNumber(n, "relErrorAfter", l.errorAfter());
            n.put("errorAgainst", l.againstDense() ? "dense layer output" : "dense weights on the pruned model's inputs");
            putNumber(n, "percDamp", l.percDamp());
            if (l.bias() != null) {
                n.put("biasCorrected", l.bias());
            }
            if (l.note() != null) {
                n.put("note", l.note());
            }
            out.printf(Locale.ROOT, "%-28s %-13s rel. error on %d validation samples: mask only %.4g, after %.4g%s%s%n",
                    l.name(), l.mode(), rec.samples(), l.errorMaskOnly(), l.errorAfter(),
                    Double.isNaN(l.percDamp()) ? "" : String.format(Locale.ROOT, " (damping %.3g·mean diag H)", l.percDamp()),
                    l.note() == null ? "" : "; " + l.note());
        }
        out.printf(Locale.ROOT, "reconstruction: %d layer(s), %d BatchNorm(s) in %.2f s%n", rec.layers().size(),
                rec.batchNorms().size(), seconds);
        if (!rec.batchNorms().isEmpty()) {
            out.println("BatchNorm statistics re-estimated: " + String.join(", ", rec.batchNorms()));
        }
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }
}
