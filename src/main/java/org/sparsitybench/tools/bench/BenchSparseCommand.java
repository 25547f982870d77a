package org.sparsitybench.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.eval.SparseKernelBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench sparse}: the project's CSR kernel against the dense OpenBLAS product on the same weights, because
 * ONNX Runtime's dense CPU kernels gain nothing from unstructured zeros.
 */
@Command(name = "sparse", mixinStandardHelpOptions = true,
        description = {"Time y = x * W^T for a seeded SIZE x SIZE float32 W with SPARSITY zeros: the hand-written "
                + "CSR kernel against ND4J gemm (OpenBLAS) at the same thread count, for each batch and thread "
                + "count. Prints one JSON object."})
public final class BenchSparseCommand implements Callable<Integer> {
    static final int GOAL_SIZE = 4096;
    static final double GOAL_SPARSITY = 0.9;
    static final double GOAL_SPEEDUP = 4.0;

    @Option(names = "--size", defaultValue = "4096", description = "Rows and columns of W (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--sparsity", defaultValue = "0.9", description = "Fraction of zeros in W (default ${DEFAULT-VALUE}).")
    double sparsity;

    @Option(names = "--batch", split = ",", defaultValue = "1,8,32", description = "Batch sizes (default ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--threads", split = ",",
            description = "Thread counts for both kernels (default 1 and the available processors).")
    List<Integer> threads;

    @Option(names = "--repeats", defaultValue = "11", description = "Timed repeats per case, after warm-up (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Mixin
    SeedOption seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        List<Integer> threadCounts = threads != null ? threads : cores > 1 ? List.of(1, cores) : List.of(1);
        validate(threadCounts);
        PrintWriter err = spec.commandLine().getErr();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode out = json.createObjectNode();
        out.put("rows", size);
        out.put("cols", size);
        out.put("requestedSparsity", sparsity);
        out.put("warmup", warmup);
        out.put("repeats", repeats);
        out.put("availableProcessors", cores);
        out.put("java", System.getProperty("java.version"));
        out.put("loadAverageAtStart", BenchFigures.loadAverage());
        ArrayNode cases = out.putArray("cases");
        Double goalSpeedup = null;
        for (int t : threadCounts) {
            for (int b : batches) {
                err.println("bench sparse: batch " + b + ", " + t + " thread(s) ...");
                err.flush();
                SparseKernelBench.Result r = randomCase(b, t);
                addCase(cases, r);
                if (b == 1 && t == 1) {
                    goalSpeedup = r.speedup();
                }
            }
        }
        goal(out.putObject("goal"), goalSpeedup);
        out.put("loadAverageAtEnd", BenchFigures.loadAverage());
        BenchFigures.print(spec, json, out);
        return SparsityBenchCli.EXIT_OK;
    }

    private void validate(List<Integer> threadCounts) {
        if (size < 1 || size > 46340) { // one float[] per matrix
            throw new SparsityBenchCli.UsageException("--size " + size + " outside [1, 46340]");
        }
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new SparsityBenchCli.UsageException("--sparsity " + sparsity + " outside [0, 1]");
        }
        if (repeats < 1 || warmup < 0) {
            throw new SparsityBenchCli.UsageException("--repeats " + repeats + " < 1 or --warmup " + warmup + " < 0");
        }
        for (int b : batches) {
            if (b < 1) {
                throw new SparsityBenchCli.UsageException("--batch " + b + " < 1");
            }
        }
        for (int t : threadCounts) {
            if (t < 1) {
                throw new SparsityBenchCli.UsageException("--threads " + t + " < 1");
            }
        }
    }

    private static void addCase(ArrayNode cases, SparseKernelBench.Result r) {
        ObjectNode c = cases.addObject();
        c.put("batch", r.batch());
        c.put("threads", r.threads());
        c.put("blasThreads", r.blasThreads());
        c.put("sparsity", BenchFigures.round(r.sparsity(), 6));
        c.put("denseMedianUs", BenchFigures.round(r.denseMedianUs(), 1));
        c.put("sparseMedianUs", BenchFigures.round(r.sparseMedianUs(), 1));
        c.put("speedup", BenchFigures.round(r.speedup(), 3));
        c.put("maxAbsDiff", r.maxAbsDiff());
    }

    /** Whether the goal holds, when this run measured its case (batch 1, one thread, 4096 x 4096 at 90 %). */
    private void goal(ObjectNode goal, Double goalSpeedup) {
        goal.put("description", "sparse >= 4x dense at 90 % zeros, batch 1, 4096 x 4096, one thread");
        boolean applies = size == GOAL_SIZE && sparsity == GOAL_SPARSITY && goalSpeedup != null;
        if (applies) {
            goal.put("speedup", BenchFigures.round(goalSpeedup, 3));
            goal.put("holds", goalSpeedup >= GOAL_SPEEDUP);
        } else {
            goal.putNull("speedup");
            goal.putNull("holds");
            goal.put("note", "not measured: needs --size 4096 --sparsity 0.9 with batch 1 and 1 thread among the cases");
        }
    }

    /**
     * One case on seeded random weights: each weight of the SIZE x SIZE matrix is zero with probability SPARSITY,
     * else N(0, 1); the inputs are N(0, 1) from the next seed.
     */
    private SparseKernelBench.Result randomCase(int batch, int threadCount) {
        SplittableRandom rnd = new SplittableRandom(seed.seed);
        float[] w = new float[Math.multiplyExact(size, size)];
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextDouble() < sparsity ? 0f : (float) rnd.nextGaussian();
        }
        return SparseKernelBench.measure(w, size, size, batch, threadCount, warmup, repeats, seed.seed + 1);
    }
}
