package org.sparsitybench.ui.common;

import java.util.concurrent.atomic.AtomicLong;
import javafx.application.Platform;

/**
 * Measures how long the FX thread fails to respond: a daemon thread posts a ping every {@code periodMillis} and
 * records how late each runs (post to execution). A ping that waits 300 ms means a user's click would have
 * waited as long. Only one ping is in flight at a time, so a frozen FX thread shows as one long stall, not as a
 * queue of pings.
 */
public final class FxStallMonitor implements AutoCloseable {
    private final AtomicLong longestNanos = new AtomicLong();
    private final AtomicLong pings = new AtomicLong();
    private final AtomicLong over100 = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    private FxStallMonitor(long periodMillis) {
        thread = new Thread(() -> loop(periodMillis), "sparsitybench-fx-stall-monitor");
        thread.setDaemon(true);
    }

    /** Starts monitoring. */
    public static FxStallMonitor start(long periodMillis) {
        FxStallMonitor m = new FxStallMonitor(periodMillis);
        m.thread.start();
        return m;
    }

    private void loop(long periodMillis) {
        Object lock = new Object();
        while (running) {
            long posted = System.nanoTime();
            boolean[] ran = new boolean[1];
            Platform.runLater(() -> {
                long late = System.nanoTime() - posted;
                longestNanos.accumulateAndGet(late, Math::max);
                pings.incrementAndGet();
                if (late > 100_000_000L) {
                    over100.incrementAndGet();
                }
                synchronized (lock) {
                    ran[0] = true;
                    lock.notifyAll();
                }
            });
            boolean sampled = false;
            synchronized (lock) {
                while (!ran[0] && running) {
                    try {
                        lock.wait(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (!ran[0] && !sampled && System.nanoTime() - posted > 100_000_000L) {
                        sampled = true;
                        sampleFxThread();
                    }
                }
            }
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private final java.util.List<String> stallStacks = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * What the FX thread was doing 100 ms into a stall, and the renderer thread (the FX thread waits for it at the
     * end of each pulse): the top frames of each, one string per stall.
     */
    public java.util.List<String> stallStacks() {
        return java.util.List.copyOf(stallStacks);
    }

    private void sampleFxThread() {
        StringBuilder b = new StringBuilder();
        for (java.util.Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            String name = e.getKey().getName();
            if (name.equals("JavaFX Application Thread") || name.startsWith("QuantumRenderer")) {
                b.append(name).append(":\n");
                StackTraceElement[] st = e.getValue();
                for (int i = 0; i < Math.min(25, st.length); i++) {
                    b.append("  at ").append(st[i]).append('\n');
                }
            }
        }
        stallStacks.add(b.toString());
    }

    /** Longest delay seen so far, in milliseconds. */
    public double longestMillis() {
        return longestNanos.get() / 1e6;
    }

    /** Pings answered. */
    public long pings() {
        return pings.get();
    }

    /** Pings that waited more than 100 ms. */
    public long stallsOver100Millis() {
        return over100.get();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
