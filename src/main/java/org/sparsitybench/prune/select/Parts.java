package org.sparsitybench.prune.select;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.sparsitybench.task.CancelledException;

/**
 * How the engine splits one tensor's element range for its passes, and runs the parts on a small pool.
 * The split depends only on the element count, never on the machine, so every result (including the order of
 * floating-point sums, which are merged in part order) is the same on one core or many. Part boundaries are
 * multiples of 64, so parts write whole words of a bit mask.
 */
public final class Parts {
    /** Elements read per chunk: 64 Ki floats (256 KiB), which stays in a core's L2 cache with its score bits. */
    public static final int CHUNK = 1 << 16;

    /** Tensors from this size on are split into {@link #MAX_PARTS} parts. */
    public static final long PARALLEL_MIN = 1L << 20;

    /** Parts of a large tensor. */
    public static final int MAX_PARTS = 4;

    private static final int THREADS = Math.max(1, Math.min(MAX_PARTS, Runtime.getRuntime().availableProcessors()));
    private static volatile ExecutorService pool;

    private Parts() {
    }

    /**
     * Part boundaries of a tensor of {@code n} elements: {@code b[0] = 0 < b[1] < ... < b[P] = n}, inner
     * boundaries multiples of 64. One part below {@link #PARALLEL_MIN} elements.
     */
    public static long[] boundaries(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("element count " + n + " < 0");
        }
        int parts = n >= PARALLEL_MIN ? MAX_PARTS : 1;
        long[] b = new long[parts + 1];
        for (int p = 1; p < parts; p++) {
            b[p] = (n / parts * p) & ~63L;
        }
        b[parts] = n;
        return b;
    }

    /** A unit of work for part {@code p}. */
    @FunctionalInterface
    public interface PartTask {
        void run(int part) throws Exception;
    }

    /**
     * Runs {@code task} for parts {@code 0..parts-1} on the calling thread and up to {@code THREADS - 1} pool
     * threads, and returns when all are done. The caller never waits for a pool thread to start: it takes parts
     * itself until none is left, so a busy pool (or a call from inside a part) slows the run but cannot block it.
     * The first failure is rethrown (a real error before a {@link CancelledException}).
     */
    public static void run(int parts, PartTask task) {
        int workers = Math.min(THREADS, parts);
        if (workers <= 1 || Thread.currentThread() instanceof PartThread) {
            for (int p = 0; p < parts; p++) {
                runOne(task, p);
            }
            return;
        }
        // Workers take the next unclaimed part; which thread runs a part never changes what it computes.
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(parts);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Runnable worker = () -> {
            for (int p = next.getAndIncrement(); p < parts; p = next.getAndIncrement()) {
                try {
                    runOne(task, p);
                } catch (RuntimeException e) {
                    failure.accumulateAndGet(e, Parts::pick);
                } finally {
                    done.countDown();
                }
            }
        };
        for (int w = 1; w < workers; w++) {
            pool().execute(worker);
        }
        worker.run();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.accumulateAndGet(new CancelledException(), Parts::pick);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private static RuntimeException pick(RuntimeException first, RuntimeException next) {
        // A real error beats a cancellation that other parts merely noticed.
        if (first == null || (first instanceof CancelledException && !(next instanceof CancelledException))) {
            return next;
        }
        return first;
    }

    private static void runOne(PartTask task, int part) {
        try {
            task.run(part);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (Parts.class) {
                p = pool;
                if (p == null) {
                    AtomicInteger id = new AtomicInteger();
                    p = Executors.newFixedThreadPool(THREADS - 1, r -> new PartThread(r, id.incrementAndGet()));
                    pool = p;
                }
            }
        }
        return p;
    }

    /** A pool thread; parts started from one run on it directly. */
    private static final class PartThread extends Thread {
        PartThread(Runnable r, int id) {
            super(r, "sparsitybench-prune-" + id);
            setDaemon(true);
        }
    }
}
