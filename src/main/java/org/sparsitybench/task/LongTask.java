package org.sparsitybench.task;

/**
 * A long operation of the engine, independent of any toolkit: the UI wraps it in its own task type, the CLI and
 * tests call {@link #run} on the current thread.
 *
 * @param <T> the result
 */
@FunctionalInterface
public interface LongTask<T> {
    /**
     * Runs to completion, reporting through {@code progress} and checking {@code cancel} at safe points.
     *
     * @throws CancelledException when cancelled; no partial result is published
     */
    T run(ProgressListener progress, CancellationToken cancel) throws Exception;
}
