package org.sparsitybench.formats.idx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.ModelFormatException;

/** The IDX reader on small files made here, on broken ones, and on the real Fashion-MNIST test split. */
class IdxDatasetTest {
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path dir;

    /** Five 2×3 images whose pixels are 10·image + position, labels 4, 3, 2, 1, 0. */
    private Path fivePlainImages(String suffix) throws IOException {
        byte[] pixels = new byte[5 * 6];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (10 * (i / 6) + i % 6);
        }
        Path images = dir.resolve("small-images-idx3-ubyte" + suffix);
        IdxWriter.writeImages(images, pixels, 5, 2, 3);
        IdxWriter.writeLabels(dir.resolve("small-labels-idx1-ubyte" + suffix), new byte[] {4, 3, 2, 1, 0});
        return images;
    }

    private static List<IdxBatch> readAllBatches(IdxDataset set, int size) throws IOException {
        List<IdxBatch> out = new ArrayList<>();
        try (IdxBatchReader r = set.batches(size)) {
            while (r.hasNext()) {
                out.add(r.next());
            }
        }
        return out;
    }

    private static byte[] idx(int typeAndRank, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(typeAndRank);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    @ParameterizedTest
    @CsvSource({"''", ".gz"})
    void streamsImagesAndLabelsInBatches(String suffix) throws IOException {
        IdxDataset set = IdxDataset.open(fivePlainImages(suffix));
        assertEquals(5, set.count());
        assertEquals(2, set.rows());
        assertEquals(3, set.cols());
        List<IdxBatch> batches = readAllBatches(set, 2);
        assertEquals(List.of(2, 2, 1), batches.stream().map(IdxBatch::count).toList());
        assertEquals(List.of(0, 2, 4), batches.stream().map(IdxBatch::first).toList());
        assertArrayEquals(new float[] {20, 21, 22, 23, 24, 25, 30, 31, 32, 33, 34, 35}, batches.get(1).pixels());
        assertArrayEquals(new int[] {2, 1}, batches.get(1).labels());
        assertArrayEquals(new int[] {0}, batches.get(2).labels());
    }

    @Test
    void readAllReturnsTheWholeSetAsOneBatch() throws IOException {
        IdxBatch all = IdxDataset.open(fivePlainImages(".gz")).readAll();
        assertEquals(5, all.count());
        assertEquals(30, all.pixels().length);
        assertEquals(45f, all.pixels()[29]);
        assertArrayEquals(new int[] {4, 3, 2, 1, 0}, all.labels());
    }

    @Test
    void gzipIsRecognisedByItsMagicNotItsName() throws IOException {
        Path images = fivePlainImages(".gz");
        Path renamed = Files.move(images, dir.resolve("renamed-images"));
        IdxDataset set = IdxDataset.open(renamed, dir.resolve("small-labels-idx1-ubyte.gz"));
        assertArrayEquals(new int[] {4, 3, 2, 1, 0}, set.readAll().labels());
    }

    @Test
    void labelsAreFoundBesideImagesPreferringTheSameCompression() throws IOException {
        Path plain = fivePlainImages("");
        fivePlainImages(".gz");
        assertEquals(dir.resolve("small-labels-idx1-ubyte"), IdxDataset.labelsBeside(plain));
        assertEquals(dir.resolve("small-labels-idx1-ubyte.gz"),
                IdxDataset.labelsBeside(dir.resolve("small-images-idx3-ubyte.gz")));
        Files.delete(dir.resolve("small-labels-idx1-ubyte"));
        assertEquals(dir.resolve("small-labels-idx1-ubyte.gz"), IdxDataset.labelsBeside(plain));
    }

    @Test
    void classicDottedNamesPairToo() throws IOException {
        Files.createFile(dir.resolve("t10k-labels.idx1-ubyte"));
        assertEquals(dir.resolve("t10k-labels.idx1-ubyte"),
                IdxDataset.labelsBeside(dir.resolve("t10k-images.idx3-ubyte")));
    }

    @Test
    void missingLabelsAreReportedWithTheNameLookedFor() throws IOException {
        Path images = fivePlainImages("");
        Files.delete(dir.resolve("small-labels-idx1-ubyte"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> IdxDataset.open(images));
        assertTrue(e.getMessage().contains("small-labels-idx1-ubyte"), e.getMessage());
    }

    @Test
    void aNameWithoutTheConventionCannotFindLabels() {
        assertThrows(NoSuchFileException.class, () -> IdxDataset.labelsBeside(dir.resolve("pictures.bin")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty file                  | ''                                 | offset 0 | ends inside the 4-byte IDX magic
            not IDX                     | 89504e470d0a1a0a                   | offset 0 | is not IDX
            short header                | 00000803000000050000               | offset 8 | ends inside the header
            images of rank 1            | 000008010000000500                 | offset 3 | rank 1
            float images                | 00000d03000000000000000100000001   | offset 2 | float32
            negative dimension          | 0000080300000001ffffffff00000001   | offset 8 | negative
            """)
    void brokenImageHeadersNameThePlace(String what, String hex, String place, String problem) throws IOException {
        Path images = dir.resolve("bad-images-idx3-ubyte");
        Files.write(images, hexBytes(hex));
        IdxWriter.writeLabels(dir.resolve("bad-labels-idx1-ubyte"), new byte[] {1});
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> IdxDataset.open(images));
        assertEquals(images, e.file());
        assertEquals(place, e.place(), e.getMessage());
        assertTrue(e.problem().contains(problem), e.getMessage());
    }

    @Test
    void aTruncatedPlainFileIsRejectedAtOpenNamingTheFirstIncompleteRecord() throws IOException {
        Path images = fivePlainImages("");
        byte[] all = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(all, all.length - 8));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> IdxDataset.open(images));
        assertEquals("record 3", e.place(), e.getMessage());
        assertTrue(e.problem().contains("record 3 of 5"), e.getMessage());
    }

    @Test
    void trailingBytesInAPlainFileAreRejected() throws IOException {
        Path images = fivePlainImages("");
        byte[] all = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(all, all.length + 3));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> IdxDataset.open(images));
        assertEquals("offset " + all.length, e.place(), e.getMessage());
        assertTrue(e.problem().startsWith("3 bytes follow the last of 5 records"), e.getMessage());
    }

    @Test
    void aTruncatedGzipFileFailsCleanlyWhileStreaming() throws IOException {
        byte[] pixels = new byte[200 * 28 * 28];
        new java.util.Random(7).nextBytes(pixels);
        Path images = dir.resolve("cut-images-idx3-ubyte.gz");
        IdxWriter.writeImages(images, pixels, 200, 28, 28);
        IdxWriter.writeLabels(dir.resolve("cut-labels-idx1-ubyte.gz"), new byte[200]);
        byte[] gz = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(gz, gz.length / 2));
        IdxDataset set = IdxDataset.open(images);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> readAllBatches(set, 16));
        assertEquals(images, e.file());
        assertTrue(e.place().startsWith("record "), e.getMessage());
        int record = Integer.parseInt(e.place().substring("record ".length()));
        assertTrue(record > 50 && record < 150, e.getMessage());
        assertTrue(e.problem().contains("truncated gzip stream"), e.getMessage());
    }

    @Test
    void aGzipStreamCutInItsTrailerFailsAfterTheLastRecord() throws IOException {
        Path images = fivePlainImages(".gz");
        byte[] gz = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(gz, gz.length - 4));
        IdxDataset set = IdxDataset.open(images);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> readAllBatches(set, 2));
        assertEquals("record 5", e.place(), e.getMessage());
    }

    @Test
    void corruptGzipDataIsAFormatError() throws IOException {
        byte[] pixels = new byte[100 * 64];
        Arrays.fill(pixels, (byte) 3);
        byte[] gz = gzip(idx(0x0803, new int[] {100, 8, 8}, pixels));
        for (int i = 20; i < gz.length - 10; i++) {
            gz[i] = (byte) (gz[i] ^ 0x5A);
        }
        Path images = dir.resolve("corrupt-images-idx3-ubyte.gz");
        Files.write(images, gz);
        IdxWriter.writeLabels(dir.resolve("corrupt-labels-idx1-ubyte.gz"), new byte[100]);
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> readAllBatches(IdxDataset.open(images), 10));
        assertEquals(images, e.file());
    }

    @Test
    void labelCountMustEqualImageCount() throws IOException {
        Path images = fivePlainImages("");
        Path labels = dir.resolve("small-labels-idx1-ubyte");
        IdxWriter.writeLabels(labels, new byte[] {1, 2, 3, 4});
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> IdxDataset.open(images));
        assertEquals(labels, e.file());
        assertEquals("offset 4", e.place());
        assertTrue(e.problem().contains("holds 4 labels but small-images-idx3-ubyte holds 5 images"), e.getMessage());
    }

    @Test
    void wideLabelsAreReadAndCheckedBelow256() throws IOException {
        Path images = fivePlainImages("");
        Path labels = dir.resolve("small-labels-idx1-ubyte");
        byte[] ints = new byte[20];
        int[] values = {7, 255, 300, 1, 2};
        for (int i = 0; i < 5; i++) {
            ints[4 * i + 2] = (byte) (values[i] >> 8);
            ints[4 * i + 3] = (byte) values[i];
        }
        Files.write(labels, idx(0x0C01, new int[] {5}, ints));
        IdxDataset set = IdxDataset.open(images);
        try (IdxBatchReader r = set.batches(2)) {
            assertArrayEquals(new int[] {7, 255}, r.next().labels());
            ModelFormatException e = assertThrows(ModelFormatException.class, r::next);
            assertEquals(labels, e.file());
            assertEquals("record 2", e.place());
            assertEquals("label 300 is outside 0..255", e.problem());
        }
    }

    @Test
    void readingPastTheEndIsAnError() throws IOException {
        try (IdxBatchReader r = IdxDataset.open(fivePlainImages("")).batches(10)) {
            r.next();
            assertFalse(r.hasNext());
            assertThrows(java.util.NoSuchElementException.class, r::next);
        }
    }

    @Test
    void writtenGzipFilesAreByteForByteReproducible() throws IOException {
        Path a = dir.resolve("a-images-idx3-ubyte.gz");
        Path b = dir.resolve("b-images-idx3-ubyte.gz");
        byte[] pixels = new byte[4 * 9];
        IdxWriter.writeImages(a, pixels, 4, 3, 3);
        IdxWriter.writeImages(b, pixels, 4, 3, 3);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void realFashionMnistTestSplitHasTenThousandBalancedImages() throws IOException {
        Path images = FASHION.resolve("t10k-images-idx3-ubyte.gz");
        assumeTrue(Files.exists(images), "Debian package dataset-fashion-mnist is not installed");
        IdxDataset set = IdxDataset.open(images);
        assertEquals(FASHION.resolve("t10k-labels-idx1-ubyte.gz"), set.labels());
        assertEquals(10_000, set.count());
        assertEquals(28, set.rows());
        assertEquals(28, set.cols());
        int[] perClass = new int[10];
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        int first = -1;
        try (IdxBatchReader r = set.batches(1000)) {
            while (r.hasNext()) {
                IdxBatch b = r.next();
                for (int label : b.labels()) {
                    perClass[label]++;
                }
                for (float p : b.pixels()) {
                    min = Math.min(min, p);
                    max = Math.max(max, p);
                }
                if (first < 0) {
                    first = b.labels()[0];
                }
            }
        }
        int[] thousand = new int[10];
        Arrays.fill(thousand, 1000);
        assertArrayEquals(thousand, perClass);
        assertEquals(0f, min);
        assertEquals(255f, max);
        assertEquals(9, first, "the first test image is an ankle boot");
    }

    private static byte[] hexBytes(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
