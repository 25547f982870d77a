package org.sparsitybench.task;

/**
 * Asked by a long operation, at safe points (once per layer, chunk or batch), whether its caller still wants the
 * result. A cancelled operation throws {@link CancelledException} and leaves every earlier result untouched.
 */
@FunctionalInterface
public interface CancellationToken {
    /** A token that is never cancelled. */
    CancellationToken NONE = () -> false;

    boolean isCancelled();

    /** @throws CancelledException if {@link #isCancelled()} */
    default void throwIfCancelled() {
        if (isCancelled()) {
            throw new CancelledException();
        }
    }

    /** A token its owner cancels by calling {@link Source#cancel()}; safe to use from any thread. */
    static Source newSource() {
        return new Source();
    }

    /** A cancellable token. */
    final class Source implements CancellationToken {
        private volatile boolean cancelled;

        private Source() {
        }

        public void cancel() {
            cancelled = true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }
}
