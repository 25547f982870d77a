package org.sparsitybench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.Evaluation;
import org.sparsitybench.eval.Evaluator;
import org.sparsitybench.eval.Latency;
import org.sparsitybench.eval.LatencyMeter;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.eval.SparseKernelBench;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sparsitybench eval MODEL [--data DATASET]}: accuracy, top-5, loss, per-class accuracy and latency. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Measure a model's accuracy on a dataset and its latency in ONNX Runtime.")
public final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "An .onnx model with a model-card.json beside it.")
    Path model;

    @Option(names = "--data", paramLabel = "DATASET", description = "IDX images file, NPZ, image folder or CSV "
            + "(default: the model card's test split).")
    Path data;

    @Mixin
    ModelCardOption modelCard;

    @Option(names = "--batch", defaultValue = "256", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime threads, 0 = all cores (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--latency-runs", defaultValue = "50", description = "Timed runs for latency, 0 to skip (default ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Option(names = "--limit", defaultValue = "2147483647", description = "Evaluate at most this many samples.")
    int limit;

    @Option(names = "--sparse-kernel", description = "Also time the project's CSR kernel against the dense product for "
            + "each Gemm/MatMul weight with zeros (batch 1 and 8, one thread): what unstructured sparsity could gain "
            + "outside ONNX Runtime's dense kernels.")
    boolean sparseKernel;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    /** The model's fixed batch size (0 when the batch dimension is free), read when the session opens. */
    private int fixed;

    /** The data measured on, with the split it plays. */
    private DataSplits.Split on;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || threads < 0 || latencyRuns < 0 || limit < 1) {
            throw new SparsityBenchCli.UsageException("--batch and --limit must be >= 1, --threads and --latency-runs >= 0");
        }
        ModelCard card = modelCard.card(model);
        on = split(card);
        LabeledData set = on.data();
        Evaluation e;
        try (OrtModel m = OrtModel.open(model, card.input(), threads)) {
            fixed = m.fixedBatch();
            e = Evaluator.evaluate(m, card, set, batch, limit, ProgressListener.NONE, CancellationToken.NONE);
        }
        Latency lat = latencyRuns == 0 ? null
                : LatencyMeter.measure(model, card, batch, threads, Math.min(10, latencyRuns), latencyRuns, CancellationToken.NONE);
        List<Latency> grid = latencyGrid(card);
        ObjectNode root = json(e, lat, grid);
        root.put("dataset", on.description());
        root.put("split", on.name());
        if (sparseKernel) {
            sparseKernel(root);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(root.toPrettyString());
        } else {
            printText(out, e, lat, grid, root);
        }
        out.flush();
        return SparsityBenchCli.EXIT_OK;
    }

    /**
     * {@code --data} when given, as the split it is in the model card (test or validation; "given" for a file the
     * card does not name), else the card's test split.
     *
     * @throws ModelFormatException naming the model when neither is there (exit 3, as a card without data is)
     */
    private DataSplits.Split split(ModelCard card) throws java.io.IOException {
        if (data == null) {
            return DataSplits.test(card, model).orElseThrow(() -> new ModelFormatException(model, "", "the model "
                    + "card names no test data (dataset.test): give --data DATASET"));
        }
        return new DataSplits.Split(DataSplits.roleOf(card, model, data), Datasets.open(data), data.toString());
    }

    /** Deployment sees batch 1 and a larger batch, on one thread and on all cores: all four, when timing at all. */
    private List<Latency> latencyGrid(ModelCard card) throws Exception {
        List<Latency> grid = new ArrayList<>();
        if (latencyRuns > 0) {
            for (int b : fixed > 0 ? Set.of(fixed) : new TreeSet<>(List.of(1, batch))) {
                for (int t : new int[] {1, 0}) {
                    grid.add(LatencyMeter.measure(model, card, b, t, Math.min(10, latencyRuns), latencyRuns,
                            CancellationToken.NONE));
                }
            }
        }
        return grid;
    }

    private ObjectNode json(Evaluation e, Latency lat, List<Latency> grid) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("accuracy", e.accuracy());
        root.put("top5", e.top5());
        root.put("loss", e.loss());
        root.put("samples", e.samples());
        if (fixed > 0) {
            root.put("fixedBatch", fixed);
        }
        var per = root.putArray("perClass");
        e.perClass().forEach(per::add);
        if (lat != null) {
            lat.putInto(root.putObject("latency")).put("sessionCreateMs", lat.sessionCreateMs());
            var all = root.putArray("latencies");
            for (Latency g : grid) {
                g.putInto(all.addObject());
            }
        }
        return root;
    }

    /** Adds {@code sparseKernel}: the CSR kernel against the dense product for each weight with zeros. */
    private void sparseKernel(ObjectNode root) throws Exception {
        Model m = ModelFiles.read(model);
        Map<String, Mask> masks = new LinkedHashMap<>();
        for (WeightTensor t : m.prunableTensors()) {
            if (t.stats().zeros() > 0 && t.elementCount() <= Integer.MAX_VALUE - 8) {
                float[] v = t.data().readAllFloats();
                boolean[] kept = new boolean[v.length];
                for (int i = 0; i < v.length; i++) {
                    kept[i] = v[i] != 0f;
                }
                masks.put(t.name(), BitMask.ofKept(kept));
            }
        }
        var arr = root.putArray("sparseKernel");
        for (var l : SparseKernelBench.perLayer(m, masks, 1, 20, 21)) {
            arr.addObject().put("tensor", l.tensor()).put("op", l.op()).put("sparsity", l.sparsity())
                    .put("batch1Speedup", l.batch1().speedup()).put("batch8Speedup", l.batch8().speedup());
        }
        root.put("note", "ONNX Runtime's CPU kernels are dense: zeros do not change its latency above. "
                + "sparseKernel lists what the project's CSR kernel gains per layer over the dense product.");
    }

    private void printText(PrintWriter out, Evaluation e, Latency lat, List<Latency> grid, ObjectNode root) {
        if (fixed > 0 && fixed != batch) {
            out.printf(Locale.ROOT, "note: %s takes a fixed batch of %d: evaluated and timed %d sample%s per run "
                    + "instead of --batch %d%n", model, fixed, fixed, fixed == 1 ? "" : "s", batch);
        }
        out.printf(Locale.ROOT, "accuracy %.2f%%  top-5 %.2f%%  loss %.4f  on %,d samples of the %s split (%s)%n",
                100 * e.accuracy(), 100 * e.top5(), e.loss(), e.samples(), on.name(), on.description());
        if (root.has("sparseKernel")) {
            for (var l : root.get("sparseKernel")) {
                out.printf(Locale.ROOT, "sparse kernel %s (%.0f%% zeros): %.2fx dense at batch 1, %.2fx at batch 8%n",
                        l.get("tensor").asText(), 100 * l.get("sparsity").asDouble(),
                        l.get("batch1Speedup").asDouble(), l.get("batch8Speedup").asDouble());
            }
            out.println("note: ONNX Runtime's CPU kernels are dense; its latency does not change with zeros.");
        }
        if (lat != null) {
            out.printf(Locale.ROOT, "latency batch %d, %s threads: median %.3f ms (p10 %.3f, p90 %.3f), %,.0f items/s; "
                    + "session created in %.1f ms%n", lat.batch(), threads == 0 ? "all" : Integer.toString(threads),
                    lat.medianMs(), lat.p10Ms(), lat.p90Ms(), lat.itemsPerSecond(), lat.sessionCreateMs());
            for (Latency g : grid) {
                out.printf(Locale.ROOT, "  batch %3d, %s thread(s): median %.3f ms (p10 %.3f, p90 %.3f), %,.0f items/s%n",
                        g.batch(), g.threads() == 0 ? "all" : Integer.toString(g.threads()), g.medianMs(), g.p10Ms(),
                        g.p90Ms(), g.itemsPerSecond());
            }
        }
    }
}
