package org.sparsitybench.eval;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.locks.Lock;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.CancelledException;

/**
 * Measures inference latency the way a deployment sees it: a fresh session (its creation timed on its own),
 * warm-up runs (at least 100 ms of them), then at least N timed runs spanning at least 50 ms on a fixed random
 * batch; reports median and the 10th/90th percentiles.
 */
public final class LatencyMeter {
    /** Shortest warm-up, whatever the run count asked for. */
    static final long WARMUP_NANOS = 100_000_000L;
    /** Most warm-up runs added to reach {@link #WARMUP_NANOS}. */
    static final int MAX_WARMUP_RUNS = 5_000;
    /** Shortest span of timed runs, whatever the run count asked for. */
    static final long TIMED_NANOS = 50_000_000L;
    /** Most timed runs added to reach {@link #TIMED_NANOS}. */
    static final int MAX_TIMED_RUNS = 10_000;

    private LatencyMeter() {
    }

    /**
     * @param model   model file
     * @param card    input name and shape
     * @param batch   samples per run (the model's own when its input fixes the batch size; the result says which)
     * @param threads intra-op threads (0 = all cores)
     * @param warmup  untimed runs first
     * @param runs    timed runs, at least; more are added (without cancellation checks) until they span
     *                {@link #TIMED_NANOS}: 20 runs of a 25-µs model last half a millisecond, so one stretch of
     *                contention (the window repainting on the other core of two) moved a sweep point's median
     *                by 2×, drawing spikes into a flat latency curve
     */
    public static Latency measure(Path model, ModelCard card, int batch, int threads, int warmup, int runs,
                                  CancellationToken cancel) throws IOException, OrtException {
        if (batch < 1 || runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("batch " + batch + ", runs " + runs + ", warmup " + warmup
                    + ": need batch >= 1, runs >= 1, warmup >= 0");
        }
        try (OrtModel m = OrtModel.open(model, card.input(), threads)) {
            batch = m.batchFor(batch); // a model that fixes its batch size runs only that
            long[] shape = card.inputShape().clone();
            shape[0] = batch;
            float[] x = new float[batch * card.sampleSize()];
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextDouble(-1, 1);
            }
            Lock exclusive = OrtModel.exclusiveTiming();
            exclusive.lockInterruptibly();
            try {
                return timed(m, x, shape, batch, threads, warmup, runs, cancel);
            } finally {
                exclusive.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException();
        }
    }

    /** The warm-up and timed runs of {@link #measure}, with this process's other inferences held off. */
    private static Latency timed(OrtModel m, float[] x, long[] shape, int batch, int threads, int warmup, int runs,
                                 CancellationToken cancel) throws OrtException {
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
        double[] ms = new double[Math.max(runs, 64)];
        int done = 0;
        long timedStart = System.nanoTime();
        while (done < runs || (System.nanoTime() - timedStart < TIMED_NANOS && done < MAX_TIMED_RUNS)) {
            if (done < runs) {
                cancel.throwIfCancelled(); // as for the warm-up: a fixed number of checks
            }
            if (done == ms.length) {
                ms = Arrays.copyOf(ms, Math.min(2 * ms.length, Math.max(runs, MAX_TIMED_RUNS)));
            }
            long t0 = System.nanoTime();
            m.run(x, shape);
            ms[done++] = (System.nanoTime() - t0) / 1e6;
        }
        ms = Arrays.copyOf(ms, done);
        Arrays.sort(ms);
        double median = percentile(ms, 0.5);
        return new Latency(batch, threads, median, percentile(ms, 0.1), percentile(ms, 0.9),
                batch / (median / 1000.0), m.createNanos() / 1e6, done);
    }

    /** Linear-interpolated percentile of sorted values (not modified), {@code 0 ≤ q ≤ 1}. */
    public static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
