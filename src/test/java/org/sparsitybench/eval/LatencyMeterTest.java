package org.sparsitybench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.CancelledException;
import org.sparsitybench.testing.Fixtures;

/** The latency meter on the bundled LeNet-5 in ONNX Runtime. */
class LatencyMeterTest {
    private static final Path MODEL = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");

    @Test
    void fewRunsOfAFastModelAreExtendedToSpanTheMinimumTime() throws Exception {
        ModelCard card = ModelCard.forModel(MODEL, null);
        long t0 = System.nanoTime();
        Latency l = LatencyMeter.measure(MODEL, card, 1, 1, 2, 5, CancellationToken.NONE);
        long elapsed = System.nanoTime() - t0;
        // 5 runs of a model that takes well under a millisecond would last microseconds: the median of so few is
        // at the mercy of one stretch of contention. The meter keeps running until the timed runs span 50 ms.
        assertTrue(l.runs() > 5 && l.runs() <= LatencyMeter.MAX_TIMED_RUNS, l.runs() + " runs");
        assertTrue(l.runs() * l.medianMs() < 1000, "runs stop after the minimum span: " + l);
        assertTrue(elapsed >= LatencyMeter.WARMUP_NANOS + LatencyMeter.TIMED_NANOS, elapsed / 1e6 + " ms");
        assertTrue(l.p10Ms() <= l.medianMs() && l.medianMs() <= l.p90Ms(), l.toString());
        assertEquals(1, l.batch());
    }

    @Test
    void cancellationIsCheckedOncePerRequestedRunOnly() throws Exception {
        ModelCard card = ModelCard.forModel(MODEL, null);
        long[] checks = {0};
        LatencyMeter.measure(MODEL, card, 1, 1, 3, 7, () -> {
            checks[0]++;
            return false;
        });
        assertEquals(3 + 7, checks[0], "a fixed number of checks, however many runs the clock adds");
        assertThrows(CancelledException.class, () -> LatencyMeter.measure(MODEL, card, 1, 1, 3, 7, () -> true));
    }

    @Test
    void timedRunsAndOtherInferencesInThisProcessDoNotOverlap() throws Exception {
        ModelCard card = ModelCard.forModel(MODEL, null);
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        java.util.concurrent.locks.Lock exclusive = OrtModel.exclusiveTiming();
        try (OrtModel m = OrtModel.open(MODEL, card.input(), 1)) {
            long[] shape = card.inputShape().clone();
            float[] x = new float[card.sampleSize()];
            // While a measurement holds the timing lock, an inference elsewhere waits for it ...
            exclusive.lock();
            java.util.concurrent.Future<float[]> run;
            try {
                run = other.submit(() -> m.run(x, shape));
                Thread.sleep(300);
                assertTrue(!run.isDone(), "an inference ran during a measurement");
            } finally {
                exclusive.unlock();
            }
            assertEquals(10, run.get(10, java.util.concurrent.TimeUnit.SECONDS).length);
            // ... and a measurement waits for the timing lock too (here held by this thread).
            exclusive.lock();
            java.util.concurrent.Future<Latency> measured;
            try {
                measured = other.submit(() -> LatencyMeter.measure(MODEL, card, 1, 1, 1, 3, CancellationToken.NONE));
                Thread.sleep(500);
                assertTrue(!measured.isDone(), "two measurements overlapped");
            } finally {
                exclusive.unlock();
            }
            assertTrue(measured.get(30, java.util.concurrent.TimeUnit.SECONDS).runs() >= 3);
        } finally {
            other.shutdownNow();
        }
    }
}
