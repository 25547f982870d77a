package org.sparsitybench.formats.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A labelled dataset read in batches, in file order, so that no set has to fit in heap. Values are the raw
 * stored numbers (pixel bytes as 0–255, CSV features as written); a model card's preprocessing turns them
 * into model inputs.
 */
public interface LabeledData {
    /** The file or folder the data comes from. */
    Path source();

    /** Number of samples. */
    int count();

    /** Shape of one sample, e.g. {@code [28, 28]} for IDX images, {@code [64]} for CSV rows. */
    long[] sampleShape();

    /** Elements per sample (product of {@link #sampleShape()}). */
    default int sampleSize() {
        long n = 1;
        for (long d : sampleShape()) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    /**
     * Opens a cursor over batches of at most {@code batchSize} samples.
     *
     * @throws org.sparsitybench.model.ModelFormatException (file, record index, problem) for bad content
     */
    Cursor batches(int batchSize) throws IOException;

    /** Reads batches; close it when done. */
    interface Cursor extends AutoCloseable {
        /** The next batch, or {@code null} after the last. */
        Batch next() throws IOException;

        @Override
        void close() throws IOException;
    }

    /**
     * One batch: {@code count} samples laid out one after another in {@code values}, labels beside them.
     *
     * @param values raw values, count × sampleSize
     * @param labels class index per sample
     * @param first  index of the batch's first sample in the set
     */
    record Batch(float[] values, int[] labels, int first) {
        public int count() {
            return labels.length;
        }
    }
}
