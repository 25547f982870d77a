package org.sparsitybench.prune.stats;

import java.nio.FloatBuffer;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.task.CancellationToken;

/**
 * Reads a tensor's values in order, a chunk of at most {@value #CHUNK} at a time into one reused array, so a
 * statistic never holds the whole tensor in heap; cancellation is checked before each chunk. While reading it counts
 * the exact zeros and the NaN/Inf values, which every statistic of this package reports apart. Use:
 * {@code for (ChunkedValues r = new ChunkedValues(data, cancel); r.next(); ) { ... r.values()[0 .. r.length()) ... }}.
 * The data is not modified.
 */
final class ChunkedValues {
    /** Elements read per chunk. */
    static final int CHUNK = 1 << 16;

    private final TensorData data;
    private final CancellationToken cancel;
    private final long count;
    private final float[] chunk;
    private long first;
    private int length;
    private long zeros;
    private long nonFinite;

    ChunkedValues(TensorData data, CancellationToken cancel) {
        this.data = data;
        this.cancel = cancel;
        this.count = data.elementCount();
        this.chunk = new float[(int) Math.min(CHUNK, Math.max(1, count))];
    }

    /**
     * Reads the next chunk.
     *
     * @return false when every value has been read
     * @throws org.sparsitybench.task.CancelledException when cancelled
     */
    boolean next() {
        first += length;
        if (first >= count) {
            length = 0;
            return false;
        }
        cancel.throwIfCancelled();
        length = (int) Math.min(chunk.length, count - first);
        data.readFloats(first, FloatBuffer.wrap(chunk, 0, length));
        for (int i = 0; i < length; i++) {
            float v = chunk[i];
            if (v == 0f) {
                zeros++;
            } else if (!Float.isFinite(v)) {
                nonFinite++;
            }
        }
        return true;
    }

    /** The chunk read last: its first {@link #length()} values are valid (the array is reused by {@link #next()}). */
    float[] values() {
        return chunk;
    }

    int length() {
        return length;
    }

    /** Index in the tensor of {@code values()[0]}. */
    long first() {
        return first;
    }

    /** Exact zeros (either sign) read so far. */
    long zeros() {
        return zeros;
    }

    /** NaN or infinite values read so far. */
    long nonFinite() {
        return nonFinite;
    }
}
