package org.sparsitybench.train;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs independent pieces of work on the common fork-join pool. Each index must write its own part of the
 * output, so the result is the same whatever the thread count or scheduling.
 */
public final class Parallel {
    private Parallel() {
    }

    /** Calls {@code body} for 0 ≤ i < {@code count}, in parallel. */
    public static void forEach(int count, IntConsumer body) {
        if (count == 1) {
            body.accept(0);
        } else {
            IntStream.range(0, count).parallel().forEach(body);
        }
    }
}
