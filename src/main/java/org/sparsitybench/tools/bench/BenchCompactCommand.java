package org.sparsitybench.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.eval.Latency;
import org.sparsitybench.eval.LatencyMeter;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.task.CancellationToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sparsitybench bench compact}: whether a compacted model (structured pruning with {@code --compact}, e.g.
 * {@code finetune --compact}'s output) runs faster than its dense source in ONNX Runtime. The two are timed in
 * alternating rounds in one process ({@link LatencyMeter}: fresh session, warm-up, timed runs, median, p10, p90),
 * the order swapped every round, so a stretch of load from other processes falls on both; the speedup is taken
 * per round (dense median / compacted median) and its median reported, beside each model's median of medians
 * and the spread of its rounds. The goal of issue 15: the compacted fashion-resnet-mini faster at batch 1 and at a
 * large batch.
 *
 * <p>With one thread ONNX Runtime computes on the calling thread, so each round also times the runs by that
 * thread's CPU time ({@code cpuMs}): on a machine shared with other work, wall time also counts the time the
 * thread waited for a core, CPU time only the work done.
 */
@Command(name = "compact", mixinStandardHelpOptions = true,
        description = "Time a compacted model against its dense source in ONNX Runtime (alternating rounds, JSON).")
final class BenchCompactCommand implements Callable<Integer> {
    @Option(names = "--dense", defaultValue = "sample-models/fashion-resnet-mini/model.onnx",
            description = "The dense model, with a model card beside it (default ${DEFAULT-VALUE}).")
    Path dense;

    @Option(names = "--compacted", required = true, description = "The compacted model (same input).")
    Path compacted;

    @Option(names = "--batches", split = ",", defaultValue = "1,256",
            description = "Batch sizes timed (default ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime intra-op threads, 0 = all cores "
            + "(default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--rounds", defaultValue = "7", description = "Alternating rounds (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--runs", defaultValue = "50", description = "Timed runs per measurement, at least (default "
            + "${DEFAULT-VALUE}).")
    int runs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || runs < 1 || threads < 0 || batches.stream().anyMatch(b -> b < 1)) {
            throw new SparsityBenchCli.UsageException("--rounds, --runs and --batches >= 1, --threads >= 0");
        }
        ModelCard card = ModelCard.forModel(dense, null);
        Model d = ModelFiles.read(dense);
        Model c = ModelFiles.read(compacted);
        PrintWriter err = spec.commandLine().getErr();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode out = json.createObjectNode();
        out.put("dense", dense.toString());
        out.put("compacted", compacted.toString());
        out.put("denseParams", d.totalParams());
        out.put("compactedParams", c.totalParams());
        out.put("threads", threads);
        out.put("rounds", rounds);
        out.put("loadAverageBefore", BenchFigures.loadAverage());
        ArrayNode cases = out.putArray("cases");
        for (int batch : batches) {
            err.printf("bench compact: batch %d, %d rounds ...%n", batch, rounds);
            err.flush();
            Latency[][] lat = new Latency[2][rounds];
            double[][][] cpu = new double[2][rounds][];
            for (int r = 0; r < rounds; r++) {
                // Swapping the order each round keeps a model from always running right after the other's warm-up.
                for (int k = 0; k < 2; k++) {
                    int which = (r + k) % 2;
                    Path file = which == 0 ? dense : compacted;
                    lat[which][r] = LatencyMeter.measure(file, card, batch, threads, 10, runs, CancellationToken.NONE);
                    if (threads == 1) {
                        cpu[which][r] = cpuMs(file, card, batch, runs);
                    }
                }
            }
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = lat[0][r].medianMs() / lat[1][r].medianMs();
            }
            ObjectNode o = cases.addObject();
            o.put("batch", lat[0][0].batch());
            summary(o.putObject("denseMs"), lat[0]);
            summary(o.putObject("compactedMs"), lat[1]);
            o.put("speedupMedian", BenchFigures.round(BenchFigures.median(ratio), 3));
            o.put("speedupMin", BenchFigures.round(Arrays.stream(ratio).min().orElseThrow(), 3));
            o.put("compactedFaster", BenchFigures.median(ratio) > 1);
            if (threads == 1) {
                cpuSummary(o.putObject("denseCpuMs"), cpu[0]);
                cpuSummary(o.putObject("compactedCpuMs"), cpu[1]);
                double[] cpuRatio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    cpuRatio[r] = BenchFigures.median(cpu[0][r]) / BenchFigures.median(cpu[1][r]);
                }
                o.put("cpuSpeedupMedian", BenchFigures.round(BenchFigures.median(cpuRatio), 3));
                o.put("cpuSpeedupMin", BenchFigures.round(Arrays.stream(cpuRatio).min().orElseThrow(), 3));
            }
        }
        out.put("loadAverageAfter", BenchFigures.loadAverage());
        BenchFigures.print(spec, json, out);
        return SparsityBenchCli.EXIT_OK;
    }

    /**
     * CPU time of this thread per run, in ms, for {@code runs} runs after as many warm-up runs (ONNX Runtime on
     * one thread computes on the caller's).
     */
    private static double[] cpuMs(Path file, ModelCard card, int batch, int runs) throws Exception {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        try (OrtModel m = OrtModel.open(file, card.input(), 1)) {
            long[] shape = card.inputShape().clone();
            shape[0] = m.batchFor(batch);
            float[] x = new float[Math.toIntExact(shape[0] * card.sampleSize())];
            SplittableRandom rng = new SplittableRandom(7);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextDouble(-1, 1);
            }
            for (int i = 0; i < runs; i++) {
                m.run(x, shape);
            }
            double[] ms = new double[runs];
            for (int i = 0; i < runs; i++) {
                long t0 = bean.getCurrentThreadCpuTime();
                m.run(x, shape);
                ms[i] = (bean.getCurrentThreadCpuTime() - t0) / 1e6;
            }
            return ms;
        }
    }

    /**
     * One model's CPU times: the median over rounds of each round's median, p10 and p90 (ms per run).
     *
     * @param o modified
     */
    private static void cpuSummary(ObjectNode o, double[][] rounds) {
        double[] med = new double[rounds.length];
        double[] p10 = new double[rounds.length];
        double[] p90 = new double[rounds.length];
        for (int r = 0; r < rounds.length; r++) {
            double[] s = rounds[r].clone();
            Arrays.sort(s);
            med[r] = LatencyMeter.percentile(s, 0.5);
            p10[r] = LatencyMeter.percentile(s, 0.1);
            p90[r] = LatencyMeter.percentile(s, 0.9);
        }
        o.put("median", BenchFigures.round(BenchFigures.median(med), 4));
        o.put("p10", BenchFigures.round(BenchFigures.median(p10), 4));
        o.put("p90", BenchFigures.round(BenchFigures.median(p90), 4));
    }

    /**
     * One model's rounds: the median of their medians, of their p10s and of their p90s (ms per run), and each
     * round's median.
     *
     * @param o modified
     */
    private static void summary(ObjectNode o, Latency[] rounds) {
        double[] med = new double[rounds.length];
        double[] p10 = new double[rounds.length];
        double[] p90 = new double[rounds.length];
        ArrayNode each = o.putArray("roundMedians");
        for (int r = 0; r < rounds.length; r++) {
            med[r] = rounds[r].medianMs();
            p10[r] = rounds[r].p10Ms();
            p90[r] = rounds[r].p90Ms();
            each.add(BenchFigures.round(med[r], 4));
        }
        o.put("median", BenchFigures.round(BenchFigures.median(med), 4));
        o.put("p10", BenchFigures.round(BenchFigures.median(p10), 4));
        o.put("p90", BenchFigures.round(BenchFigures.median(p90), 4));
    }
}
