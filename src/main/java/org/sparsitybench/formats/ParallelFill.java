package org.sparsitybench.formats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.sparsitybench.task.CancelledException;

/**
 * Fills the pieces of one output buffer on the calling thread and, where there is a second core, one helper
 * thread: an export's reading, masking and counting of new values was one core's work while the other only moved
 * bytes into the file. Pieces are claimed in order from a shared counter; which thread fills a piece never changes
 * what it holds. One per export; {@link #close} always.
 */
public final class ParallelFill implements AutoCloseable {
    /** Fills piece {@code i}. */
    @FunctionalInterface
    public interface Piece {
        void fill(int i) throws IOException;
    }

    private final ExecutorService helper;

    /** A fill with one helper thread when the machine has more than one core, else none. */
    public ParallelFill() {
        this(Runtime.getRuntime().availableProcessors() > 1);
    }

    /** A fill with or without its helper thread (tests run both). */
    public ParallelFill(boolean withHelper) {
        this.helper = !withHelper ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sparsitybench-fill");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Fills pieces {@code 0..count-1} and returns when all are done; the first failure is rethrown (the other
     * thread stops claiming pieces then).
     */
    public void run(int count, Piece piece) throws IOException {
        if (helper == null || count < 2) {
            for (int i = 0; i < count; i++) {
                piece.fill(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Future<?> other = helper.submit(() -> {
            claim(next, count, piece);
            return null;
        });
        Throwable failure = null;
        try {
            claim(next, count, piece);
        } catch (IOException | RuntimeException | Error e) {
            next.set(count);
            failure = e;
        }
        try {
            other.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            other.cancel(true);
            failure = failure != null ? failure : new CancelledException();
        } catch (ExecutionException e) {
            failure = failure != null ? failure : e.getCause();
        }
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new UncheckedIOException(new IOException(failure));
        }
    }

    private static void claim(AtomicInteger next, int count, Piece piece) throws IOException {
        for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
            piece.fill(i);
        }
    }

    @Override
    public void close() {
        if (helper != null) {
            helper.shutdownNow();
        }
    }
}
