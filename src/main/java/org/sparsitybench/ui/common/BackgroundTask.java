package org.sparsitybench.ui.common;

import java.util.Objects;
import java.util.function.Consumer;
import org.sparsitybench.task.LongTask;

/**
 * One foreground task with its typed callbacks (after JabRef's {@code BackgroundTask}): the engine's
 * {@link LongTask} returns a record, and exactly one of {@link #onSucceeded}, {@link #onFailed} and
 * {@link #onCancelled} runs on the FX thread when it ends. Callbacks not set do nothing.
 *
 * @param <T> the task's result
 */
public final class BackgroundTask<T> {
    private final FxTaskExecutor executor;
    private final String title;
    private final LongTask<T> task;
    private Consumer<T> succeeded = r -> { };
    private Consumer<Throwable> failed = e -> { };
    private Runnable cancelled = () -> { };

    BackgroundTask(FxTaskExecutor executor, String title, LongTask<T> task) {
        this.executor = executor;
        this.title = Objects.requireNonNull(title, "title");
        this.task = Objects.requireNonNull(task, "task");
    }

    /** Runs with the result when the task finished. */
    public BackgroundTask<T> onSucceeded(Consumer<T> callback) {
        succeeded = Objects.requireNonNull(callback, "callback");
        return this;
    }

    /** Runs with the error when the task threw (not when it was cancelled). */
    public BackgroundTask<T> onFailed(Consumer<Throwable> callback) {
        failed = Objects.requireNonNull(callback, "callback");
        return this;
    }

    /** Runs when the user (or a newer task) cancelled it. */
    public BackgroundTask<T> onCancelled(Runnable callback) {
        cancelled = Objects.requireNonNull(callback, "callback");
        return this;
    }

    /**
     * Starts the task in the foreground.
     *
     * @return false when another foreground task runs (nothing started, no callback will run)
     */
    public boolean start() {
        return executor.start(this);
    }

    String title() {
        return title;
    }

    LongTask<T> task() {
        return task;
    }

    void succeeded(T result) {
        succeeded.accept(result);
    }

    void failed(Throwable error) {
        failed.accept(error);
    }

    void cancelled() {
        cancelled.run();
    }
}
