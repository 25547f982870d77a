package org.sparsitybench.train;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs independent pieces of work on the common fork-join pool. Each index must write its own part of the
 * output, so the result is the same whatever the thread count or scheduling.
 */
public final class Parallel {
    private Parallel() {
    }

    /**
     * Calls {@code body} for 0 ≤ i < {@code count}: in parallel when OpenBLAS runs single-threaded, else in order
     * on the caller's thread. For work that calls BLAS: concurrent calls into a multi-threaded OpenBLAS contend
     * for its thread pool and were measured twenty times slower than the same calls one after another.
     */
    public static void forEachCallingBlas(int count, IntConsumer body) {
        if (Nd4j.factory().blas().getMaxThreads() <= 1) {
            forEach(count, body);
        } else {
            for (int i = 0; i < count; i++) {
                body.accept(i);
            }
        }
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
