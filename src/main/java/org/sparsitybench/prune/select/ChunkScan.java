package org.sparsitybench.prune.select;

import java.nio.FloatBuffer;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.ScoreFunction;
import org.sparsitybench.task.CancellationToken;

/**
 * Streams a range of a tensor chunk by chunk ({@link Parts#CHUNK} elements) through reused arrays: the weights as
 * float32 and, for scores other than |w|, their score bits. For |w| scores {@code bits} is null and consumers
 * compute {@link #bits} inline: an int array between the two loops makes a histogram pass about twice as slow.
 * Checks for cancellation once per chunk. Chunks start at {@code from + i * CHUNK}, so a 64-aligned
 * {@code from} gives 64-aligned chunks.
 */
public final class ChunkScan {
    private ChunkScan() {
    }

    /**
     * Receives one chunk: elements {@code [first, first + len)}, their weights and score bits ({@code null} for |w|
     * scores; use {@link #bits}). The arrays are reused for the next chunk.
     */
    @FunctionalInterface
    public interface ChunkConsumer {
        void accept(long first, float[] weights, int[] bits, int len);
    }

    /**
     * Reads elements {@code [from, to)} of {@code data} (not modified) and hands them to {@code consumer}.
     *
     * @param score score function, or null when only the weights are wanted ({@code bits} is then null)
     */
    public static void scan(TensorData data, ScoreFunction score, long from, long to, CancellationToken cancel,
                            ChunkConsumer consumer) {
        if (from < 0 || from > to || to > data.elementCount()) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + data.elementCount());
        }
        int size = (int) Math.min(Parts.CHUNK, to - from);
        if (size == 0) {
            return;
        }
        float[] weights = new float[size];
        boolean separate = score != null && !score.isMagnitude();
        int[] bits = separate ? new int[size] : null;
        for (long at = from; at < to; at += size) {
            cancel.throwIfCancelled();
            int len = (int) Math.min(size, to - at);
            data.readFloats(at, FloatBuffer.wrap(weights, 0, len));
            if (separate) {
                score.scoreBits(at, weights, len, bits);
            }
            consumer.accept(at, weights, bits, len);
        }
    }

    /** Score bits of element {@code i} of a chunk: {@code bits[i]}, or |w| bits computed inline when null. */
    public static int bits(int[] bits, float[] weights, int i) {
        return bits == null ? ScoreFunction.magnitudeBits(weights[i]) : bits[i];
    }
}
