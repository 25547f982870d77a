package org.sparsitybench.formats.idx;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.sparsitybench.model.ModelFormatException;

/**
 * An image classification set in the MNIST family's IDX format: an images file ({@code idx3}, unsigned bytes,
 * count × rows × cols) and a labels file ({@code idx1}) of the same count, each plain or gzip-compressed
 * (recognised by the gzip magic, not the name). Opening reads and cross-checks both headers, and for plain files
 * the lengths; the data is streamed by {@link #batches(int)}, so no set has to fit in memory.
 */
public final class IdxDataset {
    private static final int GZIP_MAGIC = 0x1f8b;
    private static final int IO_BUFFER = 1 << 16;

    private final Path images;
    private final Path labels;
    private final IdxHeader imageHeader;
    private final IdxHeader labelHeader;
    private final boolean imagesGzip;
    private final boolean labelsGzip;

    private IdxDataset(Path images, Path labels, IdxHeader imageHeader, IdxHeader labelHeader, boolean imagesGzip,
                       boolean labelsGzip) {
        this.images = images;
        this.labels = labels;
        this.imageHeader = imageHeader;
        this.labelHeader = labelHeader;
        this.imagesGzip = imagesGzip;
        this.labelsGzip = labelsGzip;
    }

    /**
     * Opens an images file and the labels file beside it: {@code X-images-idx3-ubyte[.gz]} pairs with
     * {@code X-labels-idx1-ubyte[.gz]} (same compression preferred; {@code X-images.idx3-ubyte} works too).
     *
     * @param images the images file (not modified)
     * @throws NoSuchFileException  when either file is missing
     * @throws ModelFormatException when a header or length is wrong, or the counts differ
     */
    public static IdxDataset open(Path images) throws IOException {
        return open(images, labelsBeside(images));
    }

    /**
     * Opens an explicit images/labels pair.
     *
     * @throws ModelFormatException when a header or length is wrong, or the counts differ
     */
    public static IdxDataset open(Path images, Path labels) throws IOException {
        Probe img = probe(images);
        IdxHeader ih = img.header;
        if (ih.rank() != 3) {
            throw new ModelFormatException(images, "offset 3", "rank " + ih.rank()
                    + "; an images file has rank 3 (count × rows × cols)");
        }
        if (ih.type() != IdxHeader.UBYTE) {
            throw new ModelFormatException(images, "offset 2", "element type " + IdxHeader.typeName(ih.type())
                    + "; images must be " + IdxHeader.typeName(IdxHeader.UBYTE));
        }
        if (ih.dims()[1] == 0 || ih.dims()[2] == 0) {
            throw new ModelFormatException(images, "offset 8", "images of " + ih.dims()[1] + "×" + ih.dims()[2]
                    + " pixels are empty");
        }
        checkLength(img);
        Probe lab = probe(labels);
        IdxHeader lh = lab.header;
        if (lh.rank() != 1) {
            throw new ModelFormatException(labels, "offset 3", "rank " + lh.rank() + "; a labels file has rank 1");
        }
        int lt = lh.type();
        if (lt != IdxHeader.UBYTE && lt != IdxHeader.BYTE && lt != IdxHeader.SHORT && lt != IdxHeader.INT) {
            throw new ModelFormatException(labels, "offset 2", "element type " + IdxHeader.typeName(lt)
                    + "; labels must be integers (0x08, 0x09, 0x0B or 0x0C)");
        }
        if (lh.count() != ih.count()) {
            throw new ModelFormatException(labels, "offset 4", "holds " + lh.count() + " labels but "
                    + images.getFileName() + " holds " + ih.count() + " images");
        }
        checkLength(lab);
        return new IdxDataset(images, labels, ih, lh, img.gzip, lab.gzip);
    }

    /**
     * The labels file that belongs to {@code images} by the MNIST naming convention.
     *
     * @throws NoSuchFileException when the name does not follow the convention or no such file exists
     */
    public static Path labelsBeside(Path images) throws NoSuchFileException {
        String name = images.getFileName().toString();
        boolean gz = name.endsWith(".gz");
        String base = gz ? name.substring(0, name.length() - 3) : name;
        int at = base.lastIndexOf("images");
        int idx = base.lastIndexOf("idx3");
        if (at < 0 || idx < 0) {
            throw new NoSuchFileException(images.toString(), null,
                    "cannot find its labels: the name does not follow X-images-idx3-ubyte[.gz]");
        }
        String lb = base.substring(0, at) + "labels" + base.substring(at + 6);
        lb = lb.substring(0, lb.lastIndexOf("idx3")) + "idx1" + lb.substring(lb.lastIndexOf("idx3") + 4);
        Path first = images.resolveSibling(gz ? lb + ".gz" : lb);
        Path second = images.resolveSibling(gz ? lb : lb + ".gz");
        if (Files.isRegularFile(first)) {
            return first;
        }
        if (Files.isRegularFile(second)) {
            return second;
        }
        throw new NoSuchFileException(first.toString(), null,
                "labels for " + images.getFileName() + " not found (also looked for " + second.getFileName() + ")");
    }

    public Path images() {
        return images;
    }

    public Path labels() {
        return labels;
    }

    /** Number of images (and labels). */
    public int count() {
        return imageHeader.count();
    }

    public int rows() {
        return imageHeader.dims()[1];
    }

    public int cols() {
        return imageHeader.dims()[2];
    }

    public IdxHeader imageHeader() {
        return imageHeader;
    }

    public IdxHeader labelHeader() {
        return labelHeader;
    }

    /**
     * Streams the set from the start in batches of {@code batchSize} images (the last may be smaller). Close it.
     *
     * @throws IllegalArgumentException when {@code batchSize} is not positive or a batch would exceed 2^31 values
     */
    public IdxBatchReader batches(int batchSize) throws IOException {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if ((long) batchSize * rows() * cols() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batches of " + batchSize + " images of " + rows() + "×" + cols()
                    + " exceed 2^31 values");
        }
        return new IdxBatchReader(this, batchSize);
    }

    /**
     * Reads the whole set as one batch: for small sets (Fashion-MNIST's 60,000 images take 188 MB as floats).
     *
     * @throws IllegalStateException when the set exceeds 2^31 pixel values; use {@link #batches(int)}
     */
    public IdxBatch readAll() throws IOException {
        if ((long) count() * rows() * cols() > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(images + ": " + count() + " images of " + rows() + "×" + cols()
                    + " are too many to hold at once; stream them with batches()");
        }
        try (IdxBatchReader r = batches(Math.max(1, count()))) {
            return r.hasNext() ? r.next() : new IdxBatch(0, 0, rows(), cols(), new float[0], new int[0]);
        }
    }

    /** Opens {@code file} at its first byte, decompressing when it starts with the gzip magic. */
    static DataInputStream openData(Path file, boolean gzip) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try {
            InputStream in = gzip ? new GZIPInputStream(raw, IO_BUFFER) : raw;
            return new DataInputStream(new BufferedInputStream(in, IO_BUFFER));
        } catch (IOException e) {
            raw.close();
            throw new ModelFormatException(file, "offset 0", "not a readable gzip stream: " + e.getMessage(), e);
        }
    }

    boolean imagesGzip() {
        return imagesGzip;
    }

    boolean labelsGzip() {
        return labelsGzip;
    }

    private record Probe(Path file, IdxHeader header, boolean gzip) {
    }

    /** Reads the header and tells whether the file is gzip-compressed. */
    private static Probe probe(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        boolean gzip;
        try (InputStream in = Files.newInputStream(file)) {
            int b0 = in.read();
            int b1 = in.read();
            gzip = b0 >= 0 && b1 >= 0 && ((b0 << 8) | b1) == GZIP_MAGIC;
        }
        IdxHeader h;
        try (DataInputStream in = openData(file, gzip)) {
            h = IdxHeader.read(in, file);
        } catch (EOFException | ZipException e) {
            throw new ModelFormatException(file, "offset 0", "corrupt or truncated gzip stream: " + e.getMessage(), e);
        }
        return new Probe(file, h, gzip);
    }

    /** For a plain file, checks that the length matches the dimensions exactly (gzip is checked as it streams). */
    private static void checkLength(Probe p) throws IOException {
        if (p.gzip) {
            return;
        }
        Path file = p.file;
        IdxHeader h = p.header;
        long data = Files.size(file) - h.length();
        long record = h.recordBytes();
        long expected = (long) h.count() * record;
        if (data == expected) {
            return;
        }
        String shape = shapeText(h);
        if (data < expected) {
            long k = record == 0 ? 0 : data / record;
            throw new ModelFormatException(file, "record " + k, String.format(Locale.ROOT,
                    "file ends inside record %d of %d: %s needs %,d data bytes after the %d-byte header, the file "
                            + "holds %,d (truncated?)", k, h.count(), shape, expected, h.length(), data));
        }
        throw new ModelFormatException(file, "offset " + (h.length() + expected), String.format(Locale.ROOT,
                "%,d bytes follow the last of %d records (%s)", data - expected, h.count(), shape));
    }

    static String shapeText(IdxHeader h) {
        StringBuilder sb = new StringBuilder();
        for (int d : h.dims()) {
            sb.append(sb.length() == 0 ? "" : " × ").append(d);
        }
        return sb.append(" ").append(IdxHeader.elementSize(h.type()) == 1 ? "bytes" : "values").toString();
    }
}
