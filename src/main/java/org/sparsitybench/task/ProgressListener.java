package org.sparsitybench.task;

/**
 * Receives progress from a long operation. Called on the worker's thread; implementations that touch a user
 * interface hand the value over to their own thread and return at once.
 */
@FunctionalInterface
public interface ProgressListener {
    /** A listener that ignores every report. */
    ProgressListener NONE = (fraction, message) -> { };

    /**
     * @param fraction done so far, 0 to 1, non-decreasing within one run
     * @param message  what is being done now, short and human-readable ("layer conv1: selecting")
     */
    void progress(double fraction, String message);

    /**
     * A listener that maps this task's [0, 1] onto {@code [from, to]} of this listener, for a step of a larger
     * task.
     */
    default ProgressListener range(double from, double to) {
        if (!(from >= 0 && from <= to && to <= 1)) {
            throw new IllegalArgumentException("progress range [" + from + ", " + to + "] outside [0, 1]");
        }
        ProgressListener outer = this;
        return (fraction, message) -> outer.progress(from + (to - from) * fraction, message);
    }
}
