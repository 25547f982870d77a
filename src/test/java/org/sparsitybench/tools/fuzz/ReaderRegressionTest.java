package org.sparsitybench.tools.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.project.ProjectFiles;

/** One test per reader bug the fuzz corpora found; each failed (or hung) before its fix. */
class ReaderRegressionTest {
    @TempDir
    Path dir;

    private Path project(String model, String dataset) throws IOException {
        Files.write(dir.resolve("model.onnx"), OnnxModels.GEMM.toByteArray());
        String json = "{\"format\":\"sparsitybench-project\",\"version\":1,\"model\":" + model + ",\"modelSha256\":\"00\","
                + (dataset == null ? "" : "\"dataset\":" + dataset + ",")
                + "\"config\":{\"global\":{\"target\":0.5}},\"snapshots\":[]}";
        return Files.writeString(dir.resolve("p.sbproj"), json, StandardCharsets.UTF_8);
    }

    @Test
    void aProjectWhoseModelIsAFifoIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("model.fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, p.waitFor());
        Path project = project("\"model.fifo\"", null);
        // Before the fix hashing the model opened the FIFO and blocked forever.
        ModelFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(ModelFormatException.class, () -> ProjectFiles.read(project)));
        assertTrue(e.getMessage().contains("not a regular file") && e.getMessage().startsWith(project.toString()),
                e.getMessage());
    }

    @Test
    void aProjectWhoseModelIsADeviceIsRefusedInsteadOfHashedForever() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            Path project = project("\"/dev/zero\"", null);
            assertThrows(ModelFormatException.class, () -> ProjectFiles.read(project));
        });
    }

    @Test
    void aProjectWhoseModelIsAFolderFailsTypedNotWithAnIoError() throws IOException {
        Files.createDirectory(dir.resolve("sub"));
        Path project = project("\"sub\"", null);
        assertThrows(ModelFormatException.class, () -> ProjectFiles.read(project));
    }

    @Test
    void aNulCharacterInAProjectPathFailsTypedNotWithInvalidPathException() throws IOException {
        Path withNulDataset = project("\"model.onnx\"", "\"a\\u0000b\"");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ProjectFiles.read(withNulDataset));
        assertTrue(e.getMessage().contains("dataset") && !e.getMessage().contains("\u0000"), e.getMessage());
        Path withNulModel = project("\"model.onnx\\u0000.txt\"", null);
        assertThrows(ModelFormatException.class, () -> ProjectFiles.read(withNulModel));
    }

    private static byte[] idx(int type, int[] dims, long dataBytes) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(type << 8 | dims.length);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(new byte[(int) dataBytes]);
        return b.toByteArray();
    }

    @Test
    void anIdxSetWithoutItsLabelsFileFailsTypedThroughDatasetsOpen() throws IOException {
        Path images = Files.write(dir.resolve("t-images-idx3-ubyte"), idx(8, new int[] {1, 2, 2}, 4));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Datasets.open(images));
        assertTrue(e.getMessage().startsWith(images.toString()) && e.getMessage().contains("t-labels-idx1-ubyte"),
                e.getMessage());
    }

    @Test
    void idxImagesLargerThanTheSampleLimitFailTypedAtOpen() throws IOException {
        // 8192 x 8192 pixels: before the fix this opened, then batches(64) threw IllegalArgumentException and a
        // single image's floats (256 MB) could not fit a 256 MB heap.
        Files.write(dir.resolve("t-labels-idx1-ubyte"), idx(8, new int[] {1}, 1));
        Path images = Files.write(dir.resolve("t-images-idx3-ubyte"), idx(8, new int[] {1, 8192, 8192}, 8192L * 8192));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Datasets.open(images));
        assertTrue(e.getMessage().contains("8192×8192"), e.getMessage());
    }

    @Test
    void largeIdxImagesComeInBatchesSmallEnoughForAModestHeap() throws IOException {
        Files.write(dir.resolve("t-labels-idx1-ubyte"), idx(8, new int[] {8}, 8));
        Path images = Files.write(dir.resolve("t-images-idx3-ubyte"), idx(8, new int[] {8, 2048, 2048}, 8L << 22));
        LabeledData set = Datasets.open(images);
        try (LabeledData.Cursor c = set.batches(64)) {
            LabeledData.Batch b = c.next();
            assertEquals(4, b.count(), "64 images of 4 Mi pixels were cut to 4 per batch (16 Mi values)");
        }
    }

    private static void npz(Path file, String xShape, long xBytes) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            z.putNextEntry(new ZipEntry("x.npy"));
            writeNpy(z, "|u1", xShape, xBytes);
            z.closeEntry();
            z.putNextEntry(new ZipEntry("y.npy"));
            writeNpy(z, "<i8", "(1,)", 8);
            z.closeEntry();
        }
    }

    private static void writeNpy(OutputStream out, String descr, String shape, long dataBytes) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int headerLen = (10 + dict.length() + 1 + 63) / 64 * 64 - 10;
        out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) headerLen, (byte) (headerLen >> 8)});
        out.write((dict + " ".repeat(headerLen - dict.length() - 1) + "\n").getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = new byte[1 << 20];
        for (long left = dataBytes; left > 0; left -= chunk.length) {
            out.write(chunk, 0, (int) Math.min(chunk.length, left));
        }
    }

    @Test
    void anNpzSampleOf64MebiValuesFailsTypedAtOpenInsteadOfExhaustingTheHeap() throws IOException {
        Path file = dir.resolve("big.npz");
        npz(file, "(1, 67108864)", 1L << 26);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Datasets.open(file));
        assertTrue(e.getMessage().contains("67108864 elements"), e.getMessage());
    }
}
