package org.sparsitybench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.sparsitybench.eval.Reconstruction;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.prune.reconstruct.SparseGpt;
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

    /** {@code sparsegpt} and {@code wanda} with an explicit {@code --nm} are their N:M variants. */
    static String engineMethod(String method, boolean nmGiven) {
        if (nmGiven && method.equals("wanda")) {
            return org.sparsitybench.prune.method.WandaMethod.NM_ID;
        }
        return method.equals("sparsegpt") && nmGiven ? "sparsegpt-nm" : method;
    }

    /** Whether anything here has to run for the methods {@code used}. */
    boolean active(Collection<String> used) {
        return reconstruct || biasCorrection || recalibrateBn || used.stream().anyMatch(Reconstruction::isSparseGpt);
    }

    /** Usage errors before any work: a graph is needed (calibration data: --data or the card's validation split). */
    void check(Model m, Collection<String> used) {
        if (active(used) && m.format() != ModelFormat.ONNX) {
            throw new SparsityBenchCli.UsageException("sparsegpt, --reconstruct, --bias-correction and --recalibrate-bn"
                    + " need an ONNX model and calibration data: --data DATASET [--calibration K] (default: the model "
                    + "card's validation split)");
        }
        if (!(percDamp > 0 && percDamp < 1e6)) {
            throw new SparsityBenchCli.UsageException("--percdamp " + percDamp + " is not a positive share");
        }
    }

    /** The reconstruction the options ask for, or null when none (sparsegpt layers still reconstruct). */
    Reconstruction.Options options() {
        if (!(reconstruct || biasCorrection || recalibrateBn) && percDamp == SparseGpt.Settings.DEFAULT.percDamp()) {
            return null;
        }
        return new Reconstruction.Options(reconstruct, biasCorrection, recalibrateBn,
                new SparseGpt.Settings(SparseGpt.DEFAULT_BLOCK_SIZE, percDamp));
    }

    /** One line per reconstructed layer, from the report's {@code reconstruction} (nothing when absent). */
    void print(ObjectNode report, PrintWriter out) {
        JsonNode o = report.path("reconstruction");
        if (o.isMissingNode()) {
            return;
        }
        int samples = o.path("calibrationSamples").asInt();
        for (JsonNode l : o.path("layers")) {
            JsonNode damp = l.path("percDamp");
            out.printf(Locale.ROOT, "%-28s %-13s rel. error on %d validation samples: mask only %.4g, after %.4g%s%s%n",
                    l.path("name").asText(), l.path("mode").asText(), samples, number(l.path("relErrorMaskOnly")),
                    number(l.path("relErrorAfter")),
                    damp.isNumber() ? String.format(Locale.ROOT, " (damping %.3g·mean diag H)", damp.asDouble()) : "",
                    l.has("note") ? "; " + l.path("note").asText() : "");
        }
        out.printf(Locale.ROOT, "reconstruction: %d layer(s), %d BatchNorm(s), %.2f s%n", o.path("layers").size(),
                o.path("batchNormsRecalibrated").size(), o.path("seconds").asDouble());
        if (!o.path("batchNormsRecalibrated").isEmpty()) {
            List<String> names = new ArrayList<>();
            o.path("batchNormsRecalibrated").forEach(n -> names.add(n.asText()));
            out.println("BatchNorm statistics re-estimated: " + String.join(", ", names));
        }
        out.flush();
    }

    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }
}
