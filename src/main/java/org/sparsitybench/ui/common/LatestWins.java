package org.sparsitybench.ui.common;

import java.util.function.Consumer;
import java.util.function.Function;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.LongTask;
import org.sparsitybench.task.ProgressListener;

/**
 * Coalesces a stream of requests (slider values) so that only the newest is computed: a new request cancels
 * the one in flight, and while one runs only the latest pending request is remembered. Nothing queues, so a
 * thousand slider events cost at most two computations in flight and one pending value. Call from the FX
 * thread only.
 *
 * @param <Q> request (e.g. requested sparsity)
 * @param <R> result
 */
public final class LatestWins<Q, R> {
    private final FxTaskExecutor executor;
    private final Function<Q, LongTask<R>> work;
    private final Consumer<R> apply;
    private final Consumer<Throwable> failure;
    private CancellationToken.Source running;
    private Q pending;
    private boolean hasPending;
    private long computed;

    public LatestWins(FxTaskExecutor executor, Function<Q, LongTask<R>> work, Consumer<R> apply, Consumer<Throwable> failure) {
        this.executor = executor;
        this.work = work;
        this.apply = apply;
        this.failure = failure;
    }

    /** Requests a computation for {@code request}; supersedes any earlier request. */
    public void request(Q request) {
        if (running != null) {
            running.cancel();
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
            if (!hasPending) {
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
