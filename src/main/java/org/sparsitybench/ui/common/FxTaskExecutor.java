package org.sparsitybench.ui.common;

import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.CancelledException;
import org.sparsitybench.task.LongTask;
import org.sparsitybench.task.ProgressListener;

/**
 * Runs the engine's {@link LongTask}s off the FX thread and delivers results, failures and progress on it.
 * One executor per window: it also tracks the one "foreground" task the status bar shows, so two conflicting
 * long operations are never started together. Tests construct it with {@link #direct()} to run on the calling
 * thread.
 */
public class FxTaskExecutor {
    private final ExecutorService workers;
    private final Consumer<Runnable> fx;
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private volatile CancellationToken.Source current;
    /** Title of the foreground task whose failure callback runs now; null otherwise. */
    private String failing;

    public FxTaskExecutor() {
        this(Executors.newFixedThreadPool(2, daemonThreads()), Platform::runLater);
    }

    FxTaskExecutor(ExecutorService workers, Consumer<Runnable> fx) {
        this.workers = workers;
        this.fx = fx;
    }

    /** An executor that runs tasks and callbacks on the calling thread (for ViewModel tests). */
    public static FxTaskExecutor direct() {
        return new FxTaskExecutor(null, Runnable::run);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "sparsitybench-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The title of the foreground task ("Opening model.onnx", "Sweep") while its failure callback runs, so an error
     * shown from there can say what failed; null at any other time.
     */
    public String failingTitle() {
        return failing;
    }

    /** Whether a foreground task runs. */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** Cancels the foreground task, if any. */
    public void cancelForeground() {
        CancellationToken.Source c = current;
        if (c != null) {
            c.cancel();
        }
    }

    /**
     * A foreground task (open, sweep, export, ...) to be started with {@link BackgroundTask#start()} once its
     * callbacks are set: the status bar shows its title and progress, and only one runs at a time.
     *
     * @param <T> the task's result, a record (never an array of parts to cast apart)
     */
    public <T> BackgroundTask<T> foreground(String title, LongTask<T> task) {
        return new BackgroundTask<>(this, title, task);
    }

    /**
     * Starts a foreground task unless one is running; as {@link #foreground} with success and failure callbacks
     * (kept for {@code ExportViewModel}, which another change rewrites; new code uses {@link #foreground}).
     *
     * @return false when another foreground task runs (nothing started)
     */
    public <T> boolean startForeground(String title, LongTask<T> task, Consumer<T> onSuccess, Consumer<Throwable> onFailure) {
        return foreground(title, task).onSucceeded(onSuccess).onFailed(onFailure).start();
    }

    /** Starts {@code t} in the foreground; called by {@link BackgroundTask#start()}. */
    <T> boolean start(BackgroundTask<T> t) {
        if (busy.get()) {
            return false;
        }
        String title = t.title();
        CancellationToken.Source token = CancellationToken.newSource();
        current = token;
        busy.set(true);
        progress.set(-1);
        message.set(title);
        submit(t.task(), token, (fraction, text) -> fx.accept(() -> {
            if (current == token) {
                progress.set(fraction);
                message.set(title + ": " + text);
            }
        }), result -> {
            finish(token);
            t.succeeded(result);
        }, error -> {
            finish(token);
            if (error instanceof CancelledException) {
                message.set(title + ": cancelled");
                t.cancelled();
            } else {
                failing = title;
                try {
                    t.failed(error);
                } finally {
                    failing = null;
                }
            }
        });
        return true;
    }

    private void finish(CancellationToken.Source token) {
        if (current == token) {
            current = null;
            busy.set(false);
            progress.set(0);
            message.set("");
        }
    }

    /**
     * Runs a background task that is not shown in the status bar (view refreshes). The caller keeps the token
     * to cancel stale work.
     */
    public <T> void submit(LongTask<T> task, CancellationToken token, ProgressListener listener,
                           Consumer<T> onSuccess, Consumer<Throwable> onFailure) {
        Objects.requireNonNull(task, "task");
        Runnable body = () -> {
            try {
                T result = task.run(listener, token);
                fx.accept(() -> {
                    if (!token.isCancelled()) {
                        onSuccess.accept(result);
                    } else {
                        onFailure.accept(new CancelledException());
                    }
                });
            } catch (Throwable e) {
                fx.accept(() -> onFailure.accept(e));
            }
        };
        if (workers == null) {
            body.run();
        } else {
            workers.execute(body);
        }
    }

    /** Runs {@code action} on the FX thread (immediately in direct mode); for partial results of a running task. */
    public void onFx(Runnable action) {
        fx.accept(action);
    }

    /** An error as a dialog shows it: its message (which names file and problem), else its type. */
    public static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.toString() : m;
    }

    /** Stops the worker threads (window closing). */
    public void shutdown() {
        cancelForeground();
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
