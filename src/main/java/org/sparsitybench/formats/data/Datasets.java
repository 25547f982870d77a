package org.sparsitybench.formats.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
    private Datasets() {
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
            return idx(IdxDataset.open(path));
        }
        if (name.endsWith(".csv") || name.endsWith(".csv.gz")) {
            return Csv.read(path);
        }
        throw new UnsupportedModelException(path + ": dataset format not supported yet; use IDX images "
                + "(X-images-idx3-ubyte[.gz]), CSV (feature columns, label last) or NPZ (arrays x and y)");
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
                IdxBatchReader r = set.batches(batchSize);
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

    /** A small CSV set held in memory: every column a feature but the last, which is an integer label. */
    private record Csv(Path source, float[] values, int[] labels, int features) implements LabeledData {
        static Csv read(Path file) throws IOException {
            List<float[]> rows = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            int width = -1;
            java.io.InputStream raw = Files.newInputStream(file);
            if (file.toString().endsWith(".gz")) {
                raw = new java.util.zip.GZIPInputStream(raw);
            }
            try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(raw, StandardCharsets.UTF_8))) {
                String line;
                int record = 0;
                while ((line = in.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    String[] cells = line.split(",");
                    if (record == 0 && !isNumber(cells[0].trim())) {
                        record++;
                        continue; // header row
                    }
                    if (width < 0) {
                        width = cells.length;
                    }
                    if (cells.length != width || width < 2) {
                        throw new ModelFormatException(file, "record " + record, "has " + cells.length
                                + " columns, expected " + width + " (features then a label)");
                    }
                    float[] f = new float[width - 1];
                    try {
                        for (int i = 0; i < f.length; i++) {
                            f[i] = Float.parseFloat(cells[i].trim());
                        }
                        labels.add((int) Double.parseDouble(cells[width - 1].trim()));
                    } catch (NumberFormatException e) {
                        throw new ModelFormatException(file, "record " + record, "is not numeric: " + e.getMessage());
                    }
                    rows.add(f);
                    record++;
                }
            }
            if (rows.isEmpty()) {
                throw new ModelFormatException(file, "", "no records");
            }
            float[] v = new float[rows.size() * (width - 1)];
            for (int i = 0; i < rows.size(); i++) {
                System.arraycopy(rows.get(i), 0, v, i * (width - 1), width - 1);
            }
            return new Csv(file, v, labels.stream().mapToInt(Integer::intValue).toArray(), width - 1);
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
            return labels.length;
        }

        @Override
        public long[] sampleShape() {
            return new long[] {features};
        }

        @Override
        public Cursor batches(int batchSize) {
            return new Cursor() {
                private int at;

                @Override
                public Batch next() {
                    if (at >= labels.length) {
                        return null;
                    }
                    int n = Math.min(batchSize, labels.length - at);
                    float[] v = java.util.Arrays.copyOfRange(values, at * features, (at + n) * features);
                    Batch b = new Batch(v, java.util.Arrays.copyOfRange(labels, at, at + n), at);
                    at += n;
                    return b;
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
