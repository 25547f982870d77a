package org.sparsitybench.task;

/** Thrown by a long operation that stopped because its {@link CancellationToken} was cancelled. */
public final class CancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CancelledException() {
        super("cancelled");
    }
}
