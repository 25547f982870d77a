package org.sparsitybench.tools.fuzz;

import java.nio.file.Path;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.ModelFormatException;

/**
 * Opens a dataset the way the product does ({@link Datasets#open}) and reads its batches. Data is streamed, so a
 * typed failure while reading batches counts as a rejection; any other exception there is a bug.
 */
final class DatasetCheck {
    /** Values read at most after opening, so a huge but valid set does not turn a case into a benchmark. */
    private static final long VALUE_LIMIT = 1L << 22;

    private DatasetCheck() {
    }

    static Outcome attempt(Path file) {
        LabeledData data;
        try {
            data = Datasets.open(file);
        } catch (Throwable t) {
            return Outcome.failed(t);
        }
        long values = 0;
        int samples = 0;
        try (LabeledData.Cursor cursor = data.batches(64)) {
            LabeledData.Batch b;
            while (values < VALUE_LIMIT && (b = cursor.next()) != null) {
                if (b.values().length != (long) b.count() * data.sampleSize() || b.first() != samples) {
                    throw new IllegalStateException("batch at " + b.first() + " holds " + b.values().length
                            + " values for " + b.count() + " samples of " + data.sampleSize());
                }
                samples += b.count();
                values += b.values().length;
            }
        } catch (ModelFormatException e) {
            return Outcome.failed(e); // streamed data is checked as it is read: a typed failure here is fine
        } catch (Throwable t) {
            return new Outcome(t, values == 0 && samples == 0 ? "reading the first batch" : "reading batches after "
                    + samples + " samples", data.count() + " samples");
        }
        return Outcome.loaded(data.count() + " samples of " + java.util.Arrays.toString(data.sampleShape()));
    }
}
