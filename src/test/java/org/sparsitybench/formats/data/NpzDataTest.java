package org.sparsitybench.formats.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparsitybench.model.ModelFormatException;

class NpzDataTest {
    @TempDir
    Path dir;

    // ---- writing helpers ----

    static byte[] npy(String descr, boolean fortran, String shape, byte[] data, int major) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
                + ", 'shape': " + shape + ", }";
        int pre = major == 1 ? 10 : 12;
        int total = pre + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
        out.write(major);
        out.write(0);
        int len = header.length();
        out.write(len & 0xFF);
        out.write(len >> 8 & 0xFF);
        if (major != 1) {
            out.write(0);
            out.write(0);
        }
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] npy(String descr, String shape, byte[] data) {
        return npy(descr, false, shape, data, 1);
    }

    static byte[] zip(Map<String, byte[]> entries, boolean deflate) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                byte[] d = e.getValue();
                if (deflate) {
                    ze.setMethod(ZipEntry.DEFLATED);
                } else {
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(d.length);
                    ze.setCompressedSize(d.length);
                    CRC32 crc = new CRC32();
                    crc.update(d);
                    ze.setCrc(crc.getValue());
                }
                z.putNextEntry(ze);
                z.write(d);
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    Path write(String name, byte[] x, byte[] y, boolean deflate) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        if (x != null) {
            m.put("x.npy", x);
        }
        if (y != null) {
            m.put("y.npy", y);
        }
        Path p = dir.resolve(name);
        Files.write(p, zip(m, deflate));
        return p;
    }

    static byte[] le(int itemSize, long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * itemSize).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            switch (itemSize) {
                case 1 -> b.put((byte) x);
                case 2 -> b.putShort((short) x);
                case 4 -> b.putInt((int) x);
                default -> b.putLong(x);
            }
        }
        return b.array();
    }

    static byte[] u8(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    static float[] expectedU8(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (i * 7 + 3) & 0xFF;
        }
        return f;
    }

    record All(float[] values, int[] labels, int batches) {
    }

    static All readAll(LabeledData d, int batch) throws IOException {
        float[] v = new float[d.count() * d.sampleSize()];
        int[] l = new int[d.count()];
        int batches = 0;
        int expectFirst = 0;
        try (LabeledData.Cursor c = d.batches(batch)) {
            LabeledData.Batch b;
            while ((b = c.next()) != null) {
                assertEquals(expectFirst, b.first());
                assertEquals(b.count() * d.sampleSize(), b.values().length);
                assertTrue(b.count() <= batch);
                System.arraycopy(b.values(), 0, v, b.first() * d.sampleSize(), b.values().length);
                System.arraycopy(b.labels(), 0, l, b.first(), b.count());
                expectFirst += b.count();
                batches++;
            }
            assertNull(c.next());
        }
        assertEquals(d.count(), expectFirst);
        return new All(v, l, batches);
    }

    Path valid(boolean deflate) throws IOException {
        return write("valid" + deflate + ".npz", npy("|u1", "(7, 3, 2)", u8(42)),
                npy("<i8", "(7,)", le(8, 0, 1, 2, 3, 4, 5, 9)), deflate);
    }

    // ---- tests ----

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsValuesLabelsAndBatches(boolean deflate) throws IOException {
        LabeledData d = Datasets.open(valid(deflate));
        assertTrue(d instanceof NpzData);
        assertEquals(7, d.count());
        assertArrayEquals(new long[] {3, 2}, d.sampleShape());
        assertEquals(6, d.sampleSize());
        All a = readAll(d, 3);
        assertEquals(3, a.batches());
        assertArrayEquals(expectedU8(42), a.values());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 9}, a.labels());
        // cursors are independent and repeatable
        All b = readAll(d, 100);
        assertEquals(1, b.batches());
        assertArrayEquals(a.values(), b.values());
    }

    @ParameterizedTest
    @ValueSource(strings = {"|u1", "<f4", "<f8", ">f4", ">f8"})
    void everyXDtype(String descr) throws IOException {
        int n = 4 * 5;
        int size = Integer.parseInt(descr.substring(2));
        ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteBuffer b = ByteBuffer.allocate(n * size).order(order);
        float[] expect = new float[n];
        for (int i = 0; i < n; i++) {
            float v = descr.equals("|u1") ? (i * 13) & 0xFF : (float) (i * 0.25 - 2);
            expect[i] = v;
            switch (size) {
                case 1 -> b.put((byte) v);
                case 4 -> b.putFloat(v);
                default -> b.putDouble(v);
            }
        }
        for (int major : new int[] {1, 2, 3}) {
            Path p = write("x" + size + major + ".npz", npy(descr, false, "(4, 5)", b.array(), major),
                    npy("|u1", "(4,)", le(1, 1, 2, 3, 4)), true);
            LabeledData d = Datasets.open(p);
            assertArrayEquals(new long[] {5}, d.sampleShape());
            All a = readAll(d, 3);
            assertArrayEquals(expect, a.values());
            assertArrayEquals(new int[] {1, 2, 3, 4}, a.labels());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", ">i4", ">i8"})
    void everyLabelDtype(String descr) throws IOException {
        int size = Integer.parseInt(descr.substring(2));
        ByteBuffer b = ByteBuffer.allocate(3 * size)
                .order(descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (long v : new long[] {0, 7, 120}) {
            switch (size) {
                case 1 -> b.put((byte) v);
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                default -> b.putLong(v);
            }
        }
        Path p = write("y.npz", npy("|u1", "(3, 2)", u8(6)), npy(descr, "(3,)", b.array()), false);
        All a = readAll(Datasets.open(p), 2);
        assertArrayEquals(new int[] {0, 7, 120}, a.labels());
    }

    private ModelFormatException rejects(Path p, String fragment) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> readAll(Datasets.open(p), 4));
        assertEquals(p, e.file());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        return e;
    }

    @Test
    void fortranOrderRejected() throws IOException {
        Path p = write("f.npz", npy("|u1", true, "(7, 3, 2)", u8(42), 1), npy("<i8", "(7,)", le(8, 0, 1, 2, 3, 4, 5, 6)),
                false);
        ModelFormatException e = rejects(p, "fortran_order");
        assertEquals("x.npy header", e.place());
    }

    @Test
    void countMismatchRejected() throws IOException {
        Path p = write("n.npz", npy("|u1", "(7, 3, 2)", u8(42)), npy("<i8", "(6,)", le(8, 0, 1, 2, 3, 4, 5)), false);
        rejects(p, "y has 6 labels but x has 7");
    }

    @Test
    void negativeLabelRejected() throws IOException {
        Path p = write("neg.npz", npy("|u1", "(3, 2)", u8(6)), npy("<i4", "(3,)", le(4, 0, -1, 2)), false);
        ModelFormatException e = rejects(p, "label -1");
        assertEquals("record 1", e.place());
    }

    @Test
    void unsupportedDtypesAndMissingArraysRejected() throws IOException {
        rejects(write("d.npz", npy("<i4", "(3, 2)", new byte[24]), npy("|u1", "(3,)", new byte[3]), false), "dtype");
        rejects(write("yd.npz", npy("|u1", "(3, 2)", u8(6)), npy("<f4", "(3,)", new byte[12]), false), "dtype");
        rejects(write("c.npz", npy("<c8", "(3, 2)", new byte[48]), npy("|u1", "(3,)", new byte[3]), false), "dtype");
        rejects(write("m.npz", npy("|u1", "(3, 2)", u8(6)), null, false), "'y' missing");
        rejects(write("y2.npz", npy("|u1", "(3, 2)", u8(6)), npy("|u1", "(3, 1)", new byte[3]), false), "expected [N]");
        rejects(write("s.npz", npy("|u1", "()", u8(1)), npy("|u1", "(3,)", new byte[3]), false), "scalar");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void truncatedEntriesRejected(boolean deflate) throws IOException {
        // entry shorter than its shape claims: caught from the zip's uncompressed size
        Path p = write("t" + deflate + ".npz", npy("|u1", "(7, 3, 2)", u8(40)), npy("<i8", "(7,)", le(8, 0, 1, 2, 3, 4, 5, 6)),
                deflate);
        rejects(p, "needs 42 data bytes but the entry holds 40");
        Path q = write("ty" + deflate + ".npz", npy("|u1", "(7, 3, 2)", u8(42)), npy("<i8", "(7,)", le(8, 0, 1, 2, 3, 4, 5)),
                deflate);
        rejects(q, "y.npy header");
        // truncated header
        byte[] h = Arrays.copyOf(npy("|u1", "(7, 3, 2)", u8(42)), 30);
        rejects(write("th" + deflate + ".npz", h, npy("<i8", "(7,)", le(8, 0, 1, 2, 3, 4, 5, 6)), deflate), "x.npy header");
        // the archive itself cut short
        byte[] whole = Files.readAllBytes(valid(deflate));
        Path cut = dir.resolve("cut" + deflate + ".npz");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 30));
        rejects(cut, "");
    }

    @Test
    void headerShortReadWithUnknownEntrySizeFailsCleanly() throws IOException {
        byte[] x = npy("|u1", "(7, 3, 2)", u8(42));
        NpzData.Npy h = NpzData.Npy.read(dir, "x.npy", new java.io.ByteArrayInputStream(x), -1);
        assertEquals(42, h.elements());
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> NpzData.Npy.read(dir, "x.npy", new java.io.ByteArrayInputStream(Arrays.copyOf(x, 40)), -1));
        assertEquals("x.npy header", e.place());
    }

    @Test
    void badMagicRejected() throws IOException {
        byte[] x = npy("|u1", "(7, 3, 2)", u8(42));
        x[1] = 'X';
        rejects(write("magic.npz", x, npy("<i8", "(7,)", le(8, 0, 1, 2, 3, 4, 5, 6)), false), "bad magic");
        byte[] v = npy("|u1", "(7, 3, 2)", u8(42));
        v[6] = 9;
        rejects(write("ver.npz", v, npy("<i8", "(7,)", le(8, 0, 1, 2, 3, 4, 5, 6)), false), "version 9");
        Path notZip = dir.resolve("plain.npz");
        Files.write(notZip, npy("|u1", "(7, 3, 2)", u8(42)));
        rejects(notZip, "not a readable .npz");
    }

    @Test
    void absurdHeaderLengthRejected() throws IOException {
        byte[] x = npy("|u1", false, "(7, 3, 2)", u8(42), 2);
        x[8] = (byte) 0xFF;
        x[9] = (byte) 0xFF;
        x[10] = (byte) 0xFF;
        x[11] = (byte) 0x7F;
        rejects(write("hl.npz", x, npy("<i8", "(7,)", le(8, 0, 1, 2, 3, 4, 5, 6)), true), "absurd");
        byte[] x1 = npy("|u1", "(7, 3, 2)", u8(42));
        x1[8] = (byte) 0xF0; // v1: 0xF0xx bytes is under the limit but past the end of the entry
        rejects(write("hl1.npz", x1, npy("<i8", "(7,)", le(8, 0, 1, 2, 3, 4, 5, 6)), false), "x.npy header");
    }

    @Test
    void hugeShapeRejectedFastWithoutAllocation() throws IOException {
        Path p = write("huge.npz", npy("|u1", "(1000000, 1000, 1000)", u8(42)),
                npy("|u1", "(1000000,)", new byte[16]), true);
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> rejects(p, "needs 1000000000000 data bytes"));
        Path q = write("huge2.npz", npy("|u1", "(2, 1000000000000)", u8(42)), npy("|u1", "(2,)", new byte[2]), true);
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> rejects(q, "x.npy header"));
        Path r = write("overflow.npz", npy("<f8", "(999999999999999999, 999999999999999999)", u8(8)),
                npy("|u1", "(2,)", new byte[2]), true);
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> rejects(r, "too large"));
    }

    @Test
    void aFolderWithoutClassFoldersIsNotAnImageDataset() {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Datasets.open(dir));
        assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("class sub-folders"), e.getMessage());
    }

    @Test
    void numpyWrittenFixtureReadsExactly() throws IOException {
        Path p = dir.resolve("small.npz");
        try (InputStream in = getClass().getResourceAsStream("/fixtures/npz/small.npz")) {
            Files.copy(in, p);
        }
        LabeledData d = Datasets.open(p);
        assertEquals(5, d.count());
        assertArrayEquals(new long[] {4, 4}, d.sampleShape());
        All a = readAll(d, 2);
        assertEquals(3, a.batches());
        float[] expect = new float[80];
        for (int i = 0; i < 80; i++) {
            expect[i] = i;
        }
        assertArrayEquals(expect, a.values());
        assertArrayEquals(new int[] {3, 1, 4, 1, 5}, a.labels());
    }

    @Test
    void evalStyleUseMatchesWrittenArrays() throws IOException {
        int n = 11;
        int s = 3 * 4;
        ByteBuffer x = ByteBuffer.allocate(n * s * 4).order(ByteOrder.LITTLE_ENDIAN);
        float[] expect = new float[n * s];
        long[] y = new long[n];
        Random r = new Random(42);
        for (int i = 0; i < n * s; i++) {
            expect[i] = r.nextFloat() * 10 - 5;
            x.putFloat(expect[i]);
        }
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(10);
        }
        Path p = write("eval.npz", npy("<f4", "(11, 3, 4)", x.array()), npy("<i8", "(11,)", le(8, y)), true);
        LabeledData d = Datasets.open(p);
        int seen = 0;
        try (LabeledData.Cursor c = d.batches(4)) {
            for (LabeledData.Batch b = c.next(); b != null; b = c.next()) {
                for (int k = 0; k < b.count(); k++) {
                    int idx = b.first() + k;
                    assertEquals(y[idx], b.labels()[k]);
                    assertArrayEquals(Arrays.copyOfRange(expect, idx * s, idx * s + s),
                            Arrays.copyOfRange(b.values(), k * s, k * s + s));
                    seen++;
                }
            }
        }
        assertEquals(n, seen);
    }

    @Test
    void mutationCorpusLoadsOrFailsCleanly() throws IOException {
        Random r = new Random(20261123L);
        byte[][] bases = {Files.readAllBytes(valid(false)), Files.readAllBytes(valid(true))};
        Path p = dir.resolve("mut.npz");
        int loaded = 0;
        int rejected = 0;
        for (int i = 0; i < 600; i++) {
            byte[] base = bases[i % 2];
            byte[] m = base.clone();
            switch (r.nextInt(4)) {
                case 0 -> m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
                case 1 -> {
                    for (int k = 0; k < 1 + r.nextInt(4); k++) {
                        m[r.nextInt(m.length)] = (byte) r.nextInt(256);
                    }
                }
                case 2 -> m = Arrays.copyOf(m, r.nextInt(m.length));
                default -> {
                    m[r.nextInt(m.length)] = (byte) r.nextInt(256);
                    m = Arrays.copyOf(m, m.length - r.nextInt(Math.min(m.length, 40)));
                }
            }
            Files.write(p, m);
            try {
                LabeledData d = Datasets.open(p);
                readAll(d, 3);
                loaded++;
            } catch (ModelFormatException e) {
                rejected++;
            } catch (Throwable t) {
                fail("mutation " + i + " threw " + t, t);
            }
        }
        assertEquals(600, loaded + rejected);
        assertTrue(rejected > 100, "rejected " + rejected);
    }
}
