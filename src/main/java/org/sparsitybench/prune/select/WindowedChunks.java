package org.sparsitybench.prune.select;

import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.task.CancellationToken;

/**
 * The walk over a tensor held in several buffers (window {@code w} holds elements {@code [firstElement[w],
 * firstElement[w + 1])}) that the raw views ({@link FloatBits}, {@link HalfBits}) read by: elements
 * {@code [from, to)} in chunks of {@code chunk} elements, each chunk assembled by bulk copies from the one or more
 * windows it spans, then handed over; cancellation is checked once per chunk.
 */
final class WindowedChunks {
    private WindowedChunks() {
    }

    /** Copies {@code n} elements from offset {@code offset} of window {@code w} to position {@code at} of a chunk. */
    @FunctionalInterface
    interface Copy {
        void copy(int w, int offset, int at, int n);
    }

    /** Hands over a filled chunk of elements {@code [first, first + len)}. */
    @FunctionalInterface
    interface Filled {
        void accept(long first, int len);
    }

    /**
     * Walks {@code [from, to)} ({@code firstElement} not modified).
     *
     * @throws org.sparsitybench.task.CancelledException when cancelled
     */
    static void scan(long[] firstElement, long from, long to, int chunk, CancellationToken cancel, Copy copy,
                     Filled filled) {
        int w = BufferTensorData.windowOf(firstElement, firstElement.length - 1, from);
        for (long at = from; at < to; at += chunk) {
            cancel.throwIfCancelled();
            int len = (int) Math.min(chunk, to - at);
            int done = 0;
            while (done < len) {
                while (at + done >= firstElement[w + 1]) {
                    w++;
                }
                int offset = (int) (at + done - firstElement[w]);
                int n = (int) Math.min(len - done, firstElement[w + 1] - (at + done));
                copy.copy(w, offset, done, n);
                done += n;
            }
            filled.accept(at, len);
        }
    }
}
