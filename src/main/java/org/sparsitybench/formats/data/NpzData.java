package org.sparsitybench.formats.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.sparsitybench.model.ModelFormatException;

/**
 * A NumPy {@code .npz} archive (as written by {@code numpy.savez} or {@code savez_compressed}) holding
 * {@code x} (uint8, float32 or float64, shape [N, ...]) and {@code y} (integer labels, shape [N]). The .npy
 * headers are parsed here; {@code x} is streamed batch by batch from its zip entry, labels are held in memory.
 */
public final class NpzData implements LabeledData {
    /** Longest .npy header accepted (numpy itself refuses more than 10000 bytes by default). */
    static final int MAX_HEADER = 65_536;
    /** Largest single sample, in elements (its floats must fit a small heap: see {@link Datasets#MAX_SAMPLE}). */
    static final long MAX_SAMPLE = Datasets.MAX_SAMPLE;
    private static final int CHUNK = 1 << 16;

    private final Path file;
    private final Npy x;
    private final int count;
    private final int sampleSize;
    private final int[] labels;

    private NpzData(Path file, Npy x, int[] labels) {
        this.file = file;
        this.x = x;
        this.count = (int) x.shape[0];
        this.sampleSize = (int) sampleProduct(x.shape);
        this.labels = labels;
    }

    private static long sampleProduct(long[] shape) {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    /**
     * Opens and validates an .npz file: both headers, sizes, and all labels are checked here.
     *
     * @throws ModelFormatException naming the file, the place and the problem
     */
    public static NpzData open(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry xe = entry(file, zip, "x");
            ZipEntry ye = entry(file, zip, "y");
            Npy x;
            try (InputStream in = zip.getInputStream(xe)) {
                x = Npy.read(file, "x.npy", in, xe.getSize());
            }
            if (x.kind != 'u' && x.kind != 'f' || x.kind == 'u' && x.itemSize != 1
                    || x.kind == 'f' && x.itemSize != 4 && x.itemSize != 8) {
                throw new ModelFormatException(file, "x.npy header", "dtype '" + x.descr
                        + "' not supported for x; expected uint8 ('|u1'), float32 ('<f4') or float64 ('<f8')");
            }
            if (x.shape.length < 1) {
                throw new ModelFormatException(file, "x.npy header", "x is a scalar; expected shape [N, ...]");
            }
            if (x.shape[0] > Integer.MAX_VALUE) {
                throw new ModelFormatException(file, "x.npy header", "N = " + x.shape[0] + " samples is too many");
            }
            long sample = sampleProduct(x.shape);
            if (sample > MAX_SAMPLE) {
                throw new ModelFormatException(file, "x.npy header", "one sample has " + sample
                        + " elements, more than the supported " + MAX_SAMPLE);
            }
            Npy y;
            int[] labels;
            try (InputStream in = zip.getInputStream(ye)) {
                y = Npy.read(file, "y.npy", in, ye.getSize());
                if (y.kind != 'i' && y.kind != 'u') {
                    throw new ModelFormatException(file, "y.npy header", "dtype '" + y.descr
                            + "' not supported for labels; expected an integer type such as '<i8'");
                }
                if (y.shape.length != 1) {
                    throw new ModelFormatException(file, "y.npy header", "labels have shape "
                            + Arrays.toString(y.shape) + "; expected [N]");
                }
                if (y.shape[0] != x.shape[0]) {
                    throw new ModelFormatException(file, "y.npy header", "y has " + y.shape[0]
                            + " labels but x has " + x.shape[0] + " samples");
                }
                labels = readLabels(file, y, in);
            }
            return new NpzData(file, x, labels);
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(file, "", "not a readable .npz archive: " + e, e);
        }
    }

    private static ZipEntry entry(Path file, ZipFile zip, String name) throws ModelFormatException {
        ZipEntry e = zip.getEntry(name + ".npy");
        if (e == null || e.isDirectory()) {
            List<String> names = new ArrayList<>();
            Enumeration<? extends ZipEntry> all = zip.entries();
            while (all.hasMoreElements() && names.size() < 10) {
                names.add(all.nextElement().getName());
            }
            throw new ModelFormatException(file, name + ".npy", "array '" + name
                    + "' missing from the archive (entries: " + names + "); expected arrays x and y");
        }
        return e;
    }

    private static int[] readLabels(Path file, Npy y, InputStream in) throws IOException {
        int n = (int) y.shape[0];
        // grow as data arrives so that a false count in a header cannot force a large allocation
        int[] out = new int[Math.min(n, CHUNK)];
        byte[] buf = new byte[CHUNK * y.itemSize];
        int at = 0;
        while (at < n) {
            int k = Math.min(CHUNK, n - at);
            readFully(file, in, buf, k * y.itemSize, "record " + at);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, k * y.itemSize).order(y.order);
            if (out.length < at + k) {
                out = Arrays.copyOf(out, (int) Math.min(n, Math.max((long) at + k, 2L * out.length)));
            }
            for (int i = 0; i < k; i++) {
                long v = switch (y.itemSize) {
                    case 1 -> y.kind == 'u' ? Byte.toUnsignedLong(bb.get()) : bb.get();
                    case 2 -> y.kind == 'u' ? Short.toUnsignedLong(bb.getShort()) : bb.getShort();
                    case 4 -> y.kind == 'u' ? Integer.toUnsignedLong(bb.getInt()) : bb.getInt();
                    default -> bb.getLong();
                };
                if (v < 0 || v > Integer.MAX_VALUE) {
                    throw new ModelFormatException(file, "record " + (at + i), "label "
                            + (y.kind == 'u' && y.itemSize == 8 ? Long.toUnsignedString(v) : Long.toString(v))
                            + " is not a class index (must be 0.." + Integer.MAX_VALUE + ")");
                }
                out[at + i] = (int) v;
            }
            at += k;
        }
        return out;
    }

    private static void readFully(Path file, InputStream in, byte[] buf, int len, String place) throws IOException {
        int got = in.readNBytes(buf, 0, len);
        if (got < len) {
            throw new ModelFormatException(file, place, "entry ends early (truncated array data)");
        }
    }

    @Override
    public Path source() {
        return file;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public long[] sampleShape() {
        return Arrays.copyOfRange(x.shape, 1, x.shape.length);
    }

    @Override
    public Cursor batches(int batchSize) throws IOException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive: " + batchSize);
        }
        ZipFile zip;
        InputStream in;
        try {
            zip = new ZipFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(file, "", "not a readable .npz archive: " + e, e);
        }
        try {
            ZipEntry xe = entry(file, zip, "x");
            in = zip.getInputStream(xe);
            Npy again = Npy.read(file, "x.npy", in, xe.getSize());
            if (again.dataOffset != x.dataOffset || !again.descr.equals(x.descr)
                    || !Arrays.equals(again.shape, x.shape)) {
                throw new ModelFormatException(file, "x.npy header", "changed since the file was opened");
            }
        } catch (IOException | RuntimeException e) {
            zip.close();
            if (e instanceof ModelFormatException m) {
                throw m;
            }
            throw new ModelFormatException(file, "x.npy", "cannot read: " + e, e);
        }
        // keep one batch's float array within a bounded size, whatever batch size was asked for
        int perBatch = Datasets.batchFor(batchSize, sampleSize);
        return new Cursor() {
            private int at;
            private final byte[] buf = new byte[CHUNK * x.itemSize];

            @Override
            public Batch next() throws IOException {
                if (at >= count) {
                    return null;
                }
                int n = Math.min(perBatch, count - at);
                long total = (long) n * sampleSize;
                float[] values = new float[(int) total];
                try {
                    int done = 0;
                    while (done < total) {
                        int k = (int) Math.min(CHUNK, total - done);
                        String place = "record " + (at + done / Math.max(1, sampleSize));
                        readFully(file, in, buf, k * x.itemSize, place);
                        convert(buf, k, values, done);
                        done += k;
                    }
                } catch (IOException | RuntimeException e) {
                    if (e instanceof ModelFormatException m) {
                        throw m;
                    }
                    throw new ModelFormatException(file, "record " + at, "cannot read x data: " + e, e);
                }
                Batch b = new Batch(values, Arrays.copyOfRange(labels, at, at + n), at);
                at += n;
                return b;
            }

            @Override
            public void close() throws IOException {
                try {
                    in.close();
                } finally {
                    zip.close();
                }
            }
        };
    }

    private void convert(byte[] buf, int k, float[] out, int off) {
        if (x.itemSize == 1) {
            for (int i = 0; i < k; i++) {
                out[off + i] = buf[i] & 0xFF;
            }
            return;
        }
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, k * x.itemSize).order(x.order);
        if (x.itemSize == 4) {
            for (int i = 0; i < k; i++) {
                out[off + i] = bb.getFloat();
            }
        } else {
            for (int i = 0; i < k; i++) {
                out[off + i] = (float) bb.getDouble();
            }
        }
    }

    /** A parsed .npy header. */
    record Npy(String descr, char kind, int itemSize, ByteOrder order, long[] shape, long dataOffset) {
        long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        /**
         * Reads the header from {@code in}, leaving it at the first data byte.
         *
         * @param entrySize the entry's uncompressed size, or -1 when unknown
         */
        static Npy read(Path file, String name, InputStream in, long entrySize) throws IOException {
            String place = name + " header";
            byte[] pre = new byte[8];
            if (in.readNBytes(pre, 0, 8) < 8) {
                throw new ModelFormatException(file, place, "shorter than the 8-byte .npy preamble");
            }
            if ((pre[0] & 0xFF) != 0x93 || pre[1] != 'N' || pre[2] != 'U' || pre[3] != 'M' || pre[4] != 'P'
                    || pre[5] != 'Y') {
                throw new ModelFormatException(file, place, "bad magic; expected \\x93NUMPY");
            }
            int major = pre[6] & 0xFF;
            long headerLen;
            int preamble;
            if (major == 1) {
                byte[] two = new byte[2];
                if (in.readNBytes(two, 0, 2) < 2) {
                    throw new ModelFormatException(file, place, "ends inside the header length");
                }
                headerLen = (two[0] & 0xFF) | (two[1] & 0xFF) << 8;
                preamble = 10;
            } else if (major == 2 || major == 3) {
                byte[] four = new byte[4];
                if (in.readNBytes(four, 0, 4) < 4) {
                    throw new ModelFormatException(file, place, "ends inside the header length");
                }
                headerLen = Integer.toUnsignedLong(ByteBuffer.wrap(four).order(ByteOrder.LITTLE_ENDIAN).getInt());
                preamble = 12;
            } else {
                throw new ModelFormatException(file, place, "unknown .npy format version " + major + "."
                        + (pre[7] & 0xFF) + "; expected 1.0, 2.0 or 3.0");
            }
            if (headerLen > MAX_HEADER) {
                throw new ModelFormatException(file, place, "header length " + headerLen
                        + " bytes is absurd (limit " + MAX_HEADER + ")");
            }
            if (entrySize >= 0 && preamble + headerLen > entrySize) {
                throw new ModelFormatException(file, place, "header length " + headerLen
                        + " runs past the end of the " + entrySize + "-byte entry");
            }
            byte[] h = new byte[(int) headerLen];
            if (in.readNBytes(h, 0, h.length) < h.length) {
                throw new ModelFormatException(file, place, "entry ends inside the header");
            }
            String text = new String(h, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Npy npy = new HeaderParser(file, place, text).parse(preamble + headerLen);
            long bytes;
            try {
                bytes = Math.multiplyExact(npy.elementsExact(file, place), npy.itemSize);
            } catch (ArithmeticException e) {
                throw new ModelFormatException(file, place, "shape " + Arrays.toString(npy.shape) + " is too large");
            }
            if (entrySize >= 0 && npy.dataOffset + bytes != entrySize) {
                throw new ModelFormatException(file, place, "shape " + Arrays.toString(npy.shape) + " of '"
                        + npy.descr + "' needs " + bytes + " data bytes but the entry holds "
                        + (entrySize - npy.dataOffset));
            }
            return npy;
        }

        private long elementsExact(Path file, String place) throws ModelFormatException {
            long n = 1;
            for (long d : shape) {
                try {
                    n = Math.multiplyExact(n, d);
                } catch (ArithmeticException e) {
                    throw new ModelFormatException(file, place, "shape " + Arrays.toString(shape) + " is too large");
                }
            }
            return n;
        }
    }

    /** Parses the Python dict literal of an .npy header. */
    private static final class HeaderParser {
        private final Path file;
        private final String place;
        private final String s;
        private int i;

        HeaderParser(Path file, String place, String s) {
            this.file = file;
            this.place = place;
            this.s = s;
        }

        private ModelFormatException fail(String problem) {
            return new ModelFormatException(file, place, problem + " (at character " + i + " of the header dict)");
        }

        Npy parse(long dataOffset) throws ModelFormatException {
            String descr = null;
            Boolean fortran = null;
            long[] shape = null;
            skip();
            expect('{');
            skip();
            while (peek() != '}') {
                String key = string();
                skip();
                expect(':');
                skip();
                switch (key) {
                    case "descr" -> descr = string();
                    case "fortran_order" -> fortran = bool();
                    case "shape" -> shape = tuple();
                    default -> throw fail("unexpected key '" + key + "'");
                }
                skip();
                if (peek() == ',') {
                    i++;
                    skip();
                } else if (peek() != '}') {
                    throw fail("expected ',' or '}'");
                }
            }
            i++;
            if (!s.substring(i).isBlank()) {
                throw fail("unexpected text after the header dict");
            }
            if (descr == null || fortran == null || shape == null) {
                throw fail("header dict lacks 'descr', 'fortran_order' or 'shape'");
            }
            if (fortran) {
                throw new ModelFormatException(file, place, "fortran_order is True; only C-order arrays are "
                        + "supported (save with np.ascontiguousarray)");
            }
            if (descr.length() < 3) {
                throw new ModelFormatException(file, place, "dtype '" + descr + "' not supported");
            }
            char bo = descr.charAt(0);
            char kind = descr.charAt(1);
            int size;
            try {
                size = Integer.parseInt(descr.substring(2));
            } catch (NumberFormatException e) {
                throw new ModelFormatException(file, place, "dtype '" + descr + "' not supported");
            }
            ByteOrder order = switch (bo) {
                case '<', '|', '=' -> ByteOrder.LITTLE_ENDIAN;
                case '>' -> ByteOrder.BIG_ENDIAN;
                default -> null;
            };
            boolean known = (kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)
                    || kind == 'f' && (size == 4 || size == 8);
            if (order == null || !known) {
                throw new ModelFormatException(file, place, "dtype '" + descr + "' not supported");
            }
            return new Npy(descr, kind, size, order, shape, dataOffset);
        }

        private char peek() throws ModelFormatException {
            if (i >= s.length()) {
                throw fail("header dict ends early");
            }
            return s.charAt(i);
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private void expect(char c) throws ModelFormatException {
            if (peek() != c) {
                throw fail("expected '" + c + "'");
            }
            i++;
        }

        private String string() throws ModelFormatException {
            char q = peek();
            if (q != '\'' && q != '"') {
                throw fail("expected a quoted string");
            }
            int end = s.indexOf(q, i + 1);
            if (end < 0) {
                throw fail("unterminated string");
            }
            String v = s.substring(i + 1, end);
            i = end + 1;
            return v;
        }

        private boolean bool() throws ModelFormatException {
            if (s.startsWith("True", i)) {
                i += 4;
                return true;
            }
            if (s.startsWith("False", i)) {
                i += 5;
                return false;
            }
            throw fail("expected True or False");
        }

        private long[] tuple() throws ModelFormatException {
            expect('(');
            List<Long> dims = new ArrayList<>();
            skip();
            while (peek() != ')') {
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (start == i || i - start > 18) {
                    throw fail("expected a dimension");
                }
                dims.add(Long.parseLong(s.substring(start, i)));
                if (peek() == 'L') {
                    i++;
                }
                skip();
                if (peek() == ',') {
                    i++;
                    skip();
                } else if (peek() != ')') {
                    throw fail("expected ',' or ')' in shape");
                }
                if (dims.size() > 32) {
                    throw fail("shape has too many dimensions");
                }
            }
            i++;
            return dims.stream().mapToLong(Long::longValue).toArray();
        }
    }
}
