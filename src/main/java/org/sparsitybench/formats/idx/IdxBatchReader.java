package org.sparsitybench.formats.idx;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import java.util.zip.ZipException;
import org.sparsitybench.model.ModelFormatException;

/**
 * Streams an {@link IdxDataset} batch by batch, reading both files in step. Only one batch is held at a time.
 * A file that ends early, holds corrupt gzip data or a label outside 0–255 fails with a
 * {@link ModelFormatException} naming the record; after the last record both files must end.
 *
 * <pre>{@code
 * try (IdxBatchReader r = IdxDataset.open(images).batches(256)) {
 *     while (r.hasNext()) {
 *         IdxBatch b = r.next();
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class IdxBatchReader implements Closeable {
    private final IdxDataset set;
    private final int batchSize;
    private final DataInputStream images;
    private final DataInputStream labels;
    private final byte[] record;
    private final byte[] label = new byte[4];
    private int next;

    IdxBatchReader(IdxDataset set, int batchSize) throws IOException {
        this.set = set;
        this.batchSize = batchSize;
        this.record = new byte[set.rows() * set.cols()];
        DataInputStream img = IdxDataset.openData(set.images(), set.imagesGzip());
        try {
            img.skipNBytes(set.imageHeader().length());
            DataInputStream lab = IdxDataset.openData(set.labels(), set.labelsGzip());
            try {
                lab.skipNBytes(set.labelHeader().length());
            } catch (IOException e) {
                lab.close();
                throw e;
            }
            this.images = img;
            this.labels = lab;
        } catch (IOException e) {
            img.close();
            throw e;
        }
    }

    /** Whether records remain. */
    public boolean hasNext() {
        return next < set.count();
    }

    /** Index of the next record to be read. */
    public int position() {
        return next;
    }

    /**
     * Reads the next batch.
     *
     * @throws NoSuchElementException when no records remain
     * @throws ModelFormatException   when a file ends early, its gzip data is corrupt, a label is out of range, or
     *                                data follows the last record
     */
    public IdxBatch next() throws IOException {
        if (!hasNext()) {
            throw new NoSuchElementException("all " + set.count() + " records have been read");
        }
        int first = next;
        int n = Math.min(batchSize, set.count() - first);
        int size = record.length;
        float[] pixels = new float[n * size];
        int[] labs = new int[n];
        for (int i = 0; i < n; i++) {
            int k = first + i;
            readRecord(images, set.images(), set.imagesGzip(), k, record, record.length);
            int base = i * size;
            for (int j = 0; j < size; j++) {
                pixels[base + j] = record[j] & 0xFF;
            }
            labs[i] = readLabel(k);
        }
        next = first + n;
        if (!hasNext()) {
            expectEnd(images, set.images());
            expectEnd(labels, set.labels());
        }
        return new IdxBatch(first, n, set.rows(), set.cols(), pixels, labs);
    }

    private int readLabel(int k) throws IOException {
        int type = set.labelHeader().type();
        int size = IdxHeader.elementSize(type);
        byte[] b = label;
        readRecord(labels, set.labels(), set.labelsGzip(), k, b, size);
        int v = switch (type) {
            case IdxHeader.UBYTE -> b[0] & 0xFF;
            case IdxHeader.BYTE -> b[0];
            case IdxHeader.SHORT -> (short) (((b[0] & 0xFF) << 8) | (b[1] & 0xFF));
            default -> ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        };
        if (v < 0 || v > 255) {
            throw new ModelFormatException(set.labels(), "record " + k, "label " + v + " is outside 0..255");
        }
        return v;
    }

    private void readRecord(DataInputStream in, Path file, boolean gzip, int k, byte[] into, int len)
            throws IOException {
        try {
            in.readFully(into, 0, len);
        } catch (EOFException e) {
            throw new ModelFormatException(file, "record " + k, "file ends inside record " + k + " of "
                    + set.count() + (gzip ? " (truncated gzip stream)" : " (file shrank while being read)"), e);
        } catch (ZipException e) {
            throw new ModelFormatException(file, "record " + k, "corrupt gzip data: " + e.getMessage(), e);
        }
    }

    private void expectEnd(DataInputStream in, Path file) throws IOException {
        int b;
        try {
            b = in.read();
        } catch (EOFException | ZipException e) {
            throw new ModelFormatException(file, "record " + set.count(), "corrupt gzip data after the last record: "
                    + e.getMessage(), e);
        }
        if (b >= 0) {
            throw new ModelFormatException(file, "record " + set.count(), "data follows the last of "
                    + set.count() + " records");
        }
    }

    @Override
    public void close() throws IOException {
        try {
            images.close();
        } finally {
            labels.close();
        }
    }
}
