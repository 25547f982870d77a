package org.sparsitybench.ui.common;

import java.util.function.Consumer;
import java.util.function.Function;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.LongTask;
import org.sparsitybench.task.ProgressListener;

/**
 * Coalesces a stream of requests (slider values) so that only the newest is computed: while one computation
 * runs, only the latest pending request is remembered, and the values in between are dropped unseen. Nothing
 * queues, so a thousand slider events cost one computation in flight and one pending value.
 *
 * <p>Two policies for the computation in flight when a new request arrives: {@link Policy#FINISH} lets it finish
 * and applies it (a drag then shows a new frame every computation, which is what "live" means when events come
 * faster than frames), {@link Policy#CANCEL} cancels it as stale (a multi-second evaluation of a configuration
 * the user has already left). Call from the FX thread only.
 *
 * @param <Q> request (e.g. requested sparsity)
 * @param <R> result
 */
public final class LatestWins<Q, R> {
    private final FxTaskExecutor executor;
    private final Function<Q, LongTask<R>> work;
    private final Consumer<R> apply;
    private final Consumer<Throwable> failure;
    private final Policy policy;
    private CancellationToken.Source running;
    private Q pending;
    private boolean hasPending;
    private long computed;

    /** What a new request does to the computation in flight. */
    public enum Policy {
        /** Let it finish and show it, then compute the newest request. */
        FINISH,
        /** Cancel it; its result would be stale. */
        CANCEL
    }

    /** A coalescer that cancels stale work ({@link Policy#CANCEL}). */
    public LatestWins(FxTaskExecutor executor, Function<Q, LongTask<R>> work, Consumer<R> apply, Consumer<Throwable> failure) {
        this(executor, work, apply, failure, Policy.CANCEL);
    }

    public LatestWins(FxTaskExecutor executor, Function<Q, LongTask<R>> work, Consumer<R> apply, Consumer<Throwable> failure,
                      Policy policy) {
        this.policy = policy;
        this.executor = executor;
        this.work = work;
        this.apply = apply;
        this.failure = failure;
    }

    /** Requests a computation for {@code request}; supersedes any earlier request. */
    public void request(Q request) {
        if (running != null) {
            if (policy == Policy.CANCEL) {
                running.cancel();
            }
            pending = request;
            hasPending = true;
            return;
        }
        start(request);
    }

    private void start(Q request) {
        CancellationToken.Source token = CancellationToken.newSource();
        running = token;
        executor.submit(work.apply(request), token, ProgressListener.NONE, result -> {
            done(token);
            computed++;
            if (!hasPending || policy == Policy.FINISH) {
                apply.accept(result);
            }
            next();
        }, error -> {
            done(token);
            if (!(error instanceof org.sparsitybench.task.CancelledException) && !hasPending) {
                failure.accept(error);
            }
            next();
        });
    }

    private void done(CancellationToken.Source token) {
        if (running == token) {
            running = null;
        }
    }

    private void next() {
        if (running == null && hasPending) {
            Q q = pending;
            pending = null;
            hasPending = false;
            start(q);
        }
    }

    /** Completed computations whose result was applied or superseded (for tests and diagnostics). */
    public long computedCount() {
        return computed;
    }

    /** Whether a computation runs or waits. */
    public boolean isIdle() {
        return running == null && !hasPending;
    }
}
