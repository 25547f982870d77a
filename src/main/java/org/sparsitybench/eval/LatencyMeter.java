package org.sparsitybench.eval;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.sparsitybench.task.CancellationToken;

/**
 * Measures inference latency the way a deployment sees it: a fresh session (its creation timed on its own),
 * warm-up runs, then N timed runs on a fixed random batch; reports median and the 10th/90th percentiles.
 */
public final class LatencyMeter {
    /** Shortest warm-up, whatever the run count asked for. */
    static final long WARMUP_NANOS = 100_000_000L;
    /** Most warm-up runs added to reach {@link #WARMUP_NANOS}. */
    static final int MAX_WARMUP_RUNS = 5_000;

    private LatencyMeter() {
    }

    /**
     * @param model   model file
     * @param card    input name and shape
     * @param batch   samples per run
     * @param threads intra-op threads (0 = all cores)
     * @param warmup  untimed runs first
     * @param runs    timed runs
     */
    public static Latency measure(Path model, ModelCard card, int batch, int threads, int warmup, int runs,
                                  CancellationToken cancel) throws IOException, OrtException {
        if (batch < 1 || runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("batch " + batch + ", runs " + runs + ", warmup " + warmup
                    + ": need batch >= 1, runs >= 1, warmup >= 0");
        }
        try (OrtModel m = OrtModel.open(model, card.input(), threads)) {
            long[] shape = card.inputShape().clone();
            shape[0] = batch;
            float[] x = new float[batch * card.sampleSize()];
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextDouble(-1, 1);
            }
            // At least `warmup` runs and at least WARMUP_NANOS of them: a 30-µs model needs thousands of runs before
            // ONNX Runtime's buffers, the caches and the JIT settle, and a sweep that warmed up for 0.2 ms showed
            // its first points "slower" than its last.
            long warmStart = System.nanoTime();
            for (int i = 0; i < warmup || (System.nanoTime() - warmStart < WARMUP_NANOS && i < MAX_WARMUP_RUNS); i++) {
                if (i < warmup) {
                    cancel.throwIfCancelled(); // a fixed number of checks, whatever the clock (the extra runs last 100 ms)
                }
                m.run(x, shape);
            }
            double[] ms = new double[runs];
            for (int i = 0; i < runs; i++) {
                cancel.throwIfCancelled();
                long t0 = System.nanoTime();
                m.run(x, shape);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            double median = percentile(ms, 0.5);
            return new Latency(batch, threads, median, percentile(ms, 0.1), percentile(ms, 0.9),
                    batch / (median / 1000.0), m.createNanos() / 1e6, runs);
        }
    }

    /** Linear-interpolated percentile of sorted values. */
    static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
