package org.sparsitybench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sparsitybench sensitivity MODEL [--data D] --levels ... --out sens.json}: sensitivity chooses, so it reads
 * the card's validation split unless {@code --data} names other data; the JSON says which ({@code split},
 * {@code dataset}).
 */
@Command(name = "sensitivity", mixinStandardHelpOptions = true,
        description = "Prune each layer alone at each level and measure accuracy and loss.")
public final class SensitivityCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    MeasuredModelOptions in = new MeasuredModelOptions();

    @Option(names = "--levels", split = ",", paramLabel = "L,L,...", description = "Comma-separated sparsity levels each layer is pruned to alone (default: "
            + "those the window and 'prune --allocation sensitivity' measure).")
    List<Double> levels;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the curves as JSON here and print a short "
            + "table instead (default: the JSON to stdout).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (levels == null) {
            levels = Sensitivity.DEFAULT_LEVELS;
        }
        SweepCommand.checkLevels(levels);
        Model m = in.readModel();
        ModelCard card = in.card();
        DataSplits.Split on = in.validation(card, spec.commandLine().getErr());
        List<Sensitivity.LayerCurve> curves = Sensitivity.analyze(m, card, on.data(), levels, in.limit,
                ProgressListener.NONE, CancellationToken.NONE);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("split", on.name());
        root.put("dataset", on.description());
        root.put("samples", Math.min(in.limit, on.data().count()));
        ArrayNode layers = root.putArray("layers");
        for (Sensitivity.LayerCurve c : curves) {
            ObjectNode l = layers.addObject();
            l.put("name", c.name());
            l.put("params", c.params());
            ArrayNode pts = l.putArray("points");
            for (Sensitivity.Point p : c.points()) {
                pts.addObject().put("level", p.level()).put("accuracy", p.accuracy()).put("loss", p.loss())
                        .put("energyRemoved", p.energyRemoved());
            }
        }
        String text = json.writeValueAsString(root);
        java.io.PrintWriter pw = spec.commandLine().getOut();
        if (out != null) {
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            AtomicFiles.writeStream(out, os -> os.write(bytes));
            // The file holds the curves; the terminal gets accuracy per layer and level.
            StringBuilder head = new StringBuilder(String.format(java.util.Locale.ROOT, "%-24s %10s", "layer", "params"));
            for (double l : levels) {
                head.append(String.format(java.util.Locale.ROOT, " %6.0f%%", 100 * l));
            }
            pw.println(head);
            for (Sensitivity.LayerCurve c : curves) {
                StringBuilder row = new StringBuilder(String.format(java.util.Locale.ROOT, "%-24s %,10d", c.name(),
                        c.params()));
                for (Sensitivity.Point p : c.points()) {
                    row.append(String.format(java.util.Locale.ROOT, " %6.2f%%", 100 * p.accuracy()));
                }
                pw.println(row);
            }
            pw.println("accuracy with each layer pruned alone; " + curves.size() + " layers written to " + out);
        } else {
            pw.println(text);
        }
        pw.flush();
        return SparsityBenchCli.EXIT_OK;
    }
}
