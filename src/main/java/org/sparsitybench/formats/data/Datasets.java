package org.sparsitybench.formats.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sparsitybench.formats.idx.IdxBatch;
import org.sparsitybench.formats.idx.IdxBatchReader;
import org.sparsitybench.formats.idx.IdxDataset;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.UnsupportedModelException;

/**
 * Opens any supported dataset path as {@link LabeledData}: IDX image files, NPZ (arrays x and y), a folder of
 * class sub-folders of images, and CSV (features, then a label).
 */
public final class Datasets {
    /** Largest sample, in values: 64 MB as floats (a 4096×4096 image), so one sample fits any sensible heap. */
    static final long MAX_SAMPLE = 1L << 24;
    /** Most values one batch holds; larger batch sizes are cut so that a batch stays within 64 MB of floats. */
    static final long MAX_BATCH_VALUES = 1L << 24;

    private Datasets() {
    }

    /** {@code batchSize} cut so that a batch of samples of {@code sampleSize} values holds at most MAX_BATCH_VALUES. */
    static int batchFor(int batchSize, long sampleSize) {
        return (int) Math.max(1, Math.min(batchSize, MAX_BATCH_VALUES / Math.max(1, sampleSize)));
    }

    /**
     * @param path an IDX images file ({@code X-images-idx3-ubyte[.gz]}, labels found beside it) or a CSV file
     * @throws ModelFormatException naming the file when it cannot be read as a dataset
     */
    public static LabeledData open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new ModelFormatException(path, "", "dataset does not exist");
        }
        if (Files.isDirectory(path)) {
            return ImageFolderData.open(path);
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npz")) {
            return NpzData.open(path);
        }
        if (name.contains("idx3") || name.endsWith("-ubyte") || name.endsWith("-ubyte.gz")) {
            IdxDataset set;
            try {
                set = IdxDataset.open(path);
            } catch (NoSuchFileException e) {
                // the labels file beside the images is missing or not a file: bad input, like any other
                throw new ModelFormatException(path, "labels", e.getReason() != null ? e.getReason()
                        : "labels file " + e.getFile() + " not found", e);
            }
            if ((long) set.rows() * set.cols() > MAX_SAMPLE) {
                throw new ModelFormatException(path, "offset 8", "images of " + set.rows() + "×" + set.cols()
                        + " pixels are larger than the supported " + MAX_SAMPLE + " values per sample");
            }
            return idx(set);
        }
        if (name.endsWith(".csv") || name.endsWith(".csv.gz")) {
            return Csv.read(path);
        }
        throw new UnsupportedModelException(path + ": dataset format not supported yet; use IDX images "
                + "(X-images-idx3-ubyte[.gz]), a folder of class sub-folders of PNG/JPEG/BMP images, CSV (feature "
                + "columns, label last) or NPZ (arrays x and y)");
    }

    private static LabeledData idx(IdxDataset set) {
        return new LabeledData() {
            @Override
            public Path source() {
                return set.images();
            }

            @Override
            public int count() {
                return set.count();
            }

            @Override
            public long[] sampleShape() {
                return new long[] {set.rows(), set.cols()};
            }

            @Override
            public Cursor batches(int batchSize) throws IOException {
                IdxBatchReader r = set.batches(batchFor(batchSize, (long) set.rows() * set.cols()));
                return new Cursor() {
                    @Override
                    public Batch next() throws IOException {
                        if (!r.hasNext()) {
                            return null;
                        }
                        IdxBatch b = r.next();
                        return new Batch(b.pixels(), b.labels(), b.first());
                    }

                    @Override
                    public void close() throws IOException {
                        r.close();
                    }
                };
            }
        };
    }

    /**
     * A CSV set: every column a feature but the last, which is an integer label; an optional header row.
     * Opening validates and counts the rows in one pass; batches re-read the file, so nothing holds the set.
     */
    private record Csv(Path source, int rows, int features, boolean header) implements LabeledData {
        static Csv read(Path file) throws IOException {
            int width = -1;
            int count = 0;
            boolean header = false;
            try (BufferedReader in = reader(file)) {
                String line;
                int record = 0;
                while ((line = in.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    String[] cells = line.split(",");
                    if (record == 0 && !isNumber(cells[0].trim())) {
                        header = true;
                        record++;
                        continue;
                    }
                    if (width < 0) {
                        width = cells.length;
                    }
                    parse(file, cells, width, record, new float[Math.max(0, width - 1)]);
                    count++;
                    record++;
                }
            }
            if (count == 0) {
                throw new ModelFormatException(file, "", "no records");
            }
            return new Csv(file, count, width - 1, header);
        }

        private static BufferedReader reader(Path file) throws IOException {
            java.io.InputStream raw = Files.newInputStream(file);
            if (file.toString().endsWith(".gz")) {
                raw = new java.util.zip.GZIPInputStream(raw);
            }
            return new BufferedReader(new java.io.InputStreamReader(raw, StandardCharsets.UTF_8));
        }

        /** Parses one record into {@code into} and returns its label. */
        private static int parse(Path file, String[] cells, int width, int record, float[] into) throws ModelFormatException {
            if (cells.length != width || width < 2) {
                throw new ModelFormatException(file, "record " + record, "has " + cells.length
                        + " columns, expected " + width + " (features then a label)");
            }
            try {
                for (int i = 0; i < width - 1; i++) {
                    into[i] = Float.parseFloat(cells[i].trim());
                }
                double label = Double.parseDouble(cells[width - 1].trim());
                if (label < 0 || label != Math.rint(label) || label > Integer.MAX_VALUE) {
                    throw new ModelFormatException(file, "record " + record, "label " + cells[width - 1].trim()
                            + " is not a class index");
                }
                return (int) label;
            } catch (NumberFormatException e) {
                throw new ModelFormatException(file, "record " + record, "is not numeric: " + e.getMessage());
            }
        }

        private static boolean isNumber(String s) {
            try {
                Double.parseDouble(s);
                return true;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        @Override
        public int count() {
            return rows;
        }

        @Override
        public long[] sampleShape() {
            return new long[] {features};
        }

        @Override
        public Cursor batches(int batchSize) throws IOException {
            BufferedReader in = reader(source);
            return new Cursor() {
                private int at;
                private int record = header ? 1 : 0;
                private boolean skippedHeader = !header;

                @Override
                public Batch next() throws IOException {
                    if (at >= rows) {
                        return null;
                    }
                    int n = Math.min(batchSize, rows - at);
                    float[] v = new float[n * features];
                    int[] labels = new int[n];
                    float[] row = new float[features];
                    int filled = 0;
                    String line;
                    while (filled < n && (line = in.readLine()) != null) {
                        if (line.isBlank()) {
                            continue;
                        }
                        if (!skippedHeader) {
                            skippedHeader = true;
                            continue;
                        }
                        labels[filled] = parse(source, line.split(","), features + 1, record++, row);
                        System.arraycopy(row, 0, v, filled * features, features);
                        filled++;
                    }
                    if (filled < n) {
                        throw new ModelFormatException(source, "record " + record, "file ended early (changed while read?)");
                    }
                    Batch b = new Batch(v, labels, at);
                    at += n;
                    return b;
                }

                @Override
                public void close() throws IOException {
                    in.close();
                }
            };
        }
    }
}
