package org.sparsitybench.ui.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparsitybench.task.LongTask;

/**
 * The coalescer with real worker threads and a hand-pumped "FX thread" (a queue this test drains), so the order of
 * events is exact: requests arrive while a computation is held open by a latch.
 */
class LatestWinsTest {
    private final ExecutorService workers = Executors.newFixedThreadPool(2);
    private final BlockingQueue<Runnable> fxQueue = new LinkedBlockingQueue<>();
    private final FxTaskExecutor executor = new FxTaskExecutor(workers, fxQueue::add);
    private final List<Integer> started = new ArrayList<>();
    private final List<Integer> applied = new ArrayList<>();
    private final List<Integer> cancelled = new ArrayList<>();
    private volatile CountDownLatch gate = new CountDownLatch(1);

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    private LongTask<Integer> work(int q) {
        synchronized (started) {
            started.add(q);
        }
        CountDownLatch g = gate;
        return (progress, cancel) -> {
            while (!g.await(1, TimeUnit.MILLISECONDS)) {
                if (cancel.isCancelled()) {
                    synchronized (cancelled) {
                        cancelled.add(q);
                    }
                    cancel.throwIfCancelled();
                }
            }
            return q;
        };
    }

    private void pumpUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            Runnable r = fxQueue.poll(10, TimeUnit.MILLISECONDS);
            if (r != null) {
                r.run();
            }
            assertTrue(System.nanoTime() < end, "timed out");
        }
    }

    @Test
    void finishPolicyShowsTheFrameInFlightThenOnlyTheNewestOfAThousandRequests() throws Exception {
        LatestWins<Integer, Integer> lw = new LatestWins<>(executor, this::work, applied::add, e -> { },
                LatestWins.Policy.FINISH);
        lw.request(0);
        for (int i = 1; i <= 1000; i++) {
            lw.request(i);
        }
        assertEquals(List.of(0), started, "nothing queued while one runs");
        gate.countDown();
        pumpUntil(lw::isIdle);
        assertEquals(List.of(0, 1000), started);
        assertEquals(List.of(0, 1000), applied, "the frame in flight is shown, then the last value");
        assertEquals(List.of(), cancelled);
        assertEquals(2, lw.computedCount());
    }

    @Test
    void cancelPolicyDropsTheStaleComputation() throws Exception {
        LatestWins<Integer, Integer> lw = new LatestWins<>(executor, this::work, applied::add, e -> { },
                LatestWins.Policy.CANCEL);
        lw.request(0);
        for (int i = 1; i <= 1000; i++) {
            lw.request(i);
        }
        pumpUntil(() -> !cancelled.isEmpty() && started.size() == 2);
        gate.countDown();
        pumpUntil(lw::isIdle);
        assertEquals(List.of(0, 1000), started);
        assertEquals(List.of(0), cancelled, "the stale computation was cancelled");
        assertEquals(List.of(1000), applied, "only the newest is shown");
    }

    @Test
    void aFailureOfTheNewestIsReportedButNotOneThatWasSuperseded() throws Exception {
        List<Throwable> failures = new ArrayList<>();
        LatestWins<Integer, Integer> lw = new LatestWins<>(executor, q -> (p, c) -> {
            throw new IllegalStateException("bad " + q);
        }, applied::add, failures::add, LatestWins.Policy.FINISH);
        lw.request(1);
        pumpUntil(lw::isIdle);
        assertEquals(1, failures.size());
        assertEquals("bad 1", failures.get(0).getMessage());
        assertTrue(applied.isEmpty());
    }
}
