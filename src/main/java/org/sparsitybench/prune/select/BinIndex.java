package org.sparsitybench.prune.select;

import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.ScoreFunction;
import org.sparsitybench.task.CancellationToken;

/**
 * The low 16 score bits of every element, grouped by level-1 bin, then by part, then in element order (a counting
 * sort by the top 16 bits): 2 bytes per weight. With it the {@link ExactSelector} finds the level-2 histogram of
 * any bin by reading just that bin's slice, so a new threshold (a slider move) needs no pass over the tensor.
 * Immutable; built on demand beside the {@link ScoreHistogram} it belongs to.
 */
public final class BinIndex {
    /** Largest tensor an index covers (one char array). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8L;

    private final ScoreHistogram histogram;
    private final char[] low;
    private final int[][] sliceStart;

    private BinIndex(ScoreHistogram histogram, char[] low, int[][] sliceStart) {
        this.histogram = histogram;
        this.low = low;
        this.sliceStart = sliceStart;
    }

    /**
     * Builds the index in one pass over {@code data} (not modified) with the score function {@code histogram} was
     * built with.
     *
     * @throws IllegalArgumentException if the tensor has more than {@link #MAX_ELEMENTS} elements or does not
     *                                  match the histogram
     */
    public static BinIndex build(TensorData data, ScoreFunction score, ScoreHistogram histogram,
                                 CancellationToken cancel) {
        long n = histogram.size();
        if (n > MAX_ELEMENTS) {
            throw new IllegalArgumentException("tensor of " + n + " elements exceeds the bin index's " + MAX_ELEMENTS);
        }
        if (data.elementCount() != n || !score.key().equals(histogram.scoreKey())) {
            throw new IllegalArgumentException("histogram of " + n + " '" + histogram.scoreKey()
                    + "' scores does not match data of " + data.elementCount() + " '" + score.key() + "' scores");
        }
        int parts = histogram.partCount();
        int bins = histogram.binCount();
        int[][] start = new int[parts][bins];
        long at = 0;
        for (int j = 0; j < bins; j++) {
            for (int p = 0; p < parts; p++) {
                start[p][j] = (int) at;
                at += histogram.partCount(p, j);
            }
        }
        int[] binToIndex = new int[ScoreHistogram.BINS];
        for (int j = 0; j < bins; j++) {
            binToIndex[histogram.bin(j)] = j;
        }
        char[] low = new char[(int) n];
        Parts.run(parts, p -> {
            int[] cursor = start[p].clone();
            ChunkScan.scan(data, score, histogram.partStart(p), histogram.partStart(p + 1), cancel,
                    (first, w, bits, len) -> {
                        for (int i = 0; i < len; i++) {
                            int s = ChunkScan.bits(bits, w, i);
                            low[cursor[binToIndex[s >>> 16]]++] = (char) s;
                        }
                    });
        });
        return new BinIndex(histogram, low, start);
    }

    public ScoreHistogram histogram() {
        return histogram;
    }

    /** The low 16 bits of part {@code p}'s elements in the {@code j}-th non-empty bin, in element order. */
    Slice slice(int p, int j) {
        return new Slice(low, sliceStart[p][j], (int) histogram.partCount(p, j), null);
    }

    /** Heap bytes held, roughly. */
    public long memoryBytes() {
        return 2L * low.length + 4L * sliceStart.length * histogram.binCount();
    }

    /**
     * A run of low score bits, in element order, with the elements' indexes when they were gathered for a mask
     * ({@code positions[q]} belongs to {@code array[offset + q]}), else null.
     */
    record Slice(char[] array, int offset, int length, long[] positions) {
        static final Slice EMPTY = new Slice(new char[0], 0, 0, new long[0]);
    }
}
