package org.sparsitybench.tools.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Damaged NumPy {@code .npz} datasets (arrays {@code x} and {@code y}): tiny files, bad .npy preambles and header
 * lengths, header dicts with unknown dtypes, negative, overflowing and absurd shapes, invalid text, deep nesting,
 * data shorter or longer than the shape, NaN/Inf and zero-size arrays, labels out of range, zip-level damage
 * (missing, duplicated and escaping entry names, lying sizes) and byte-level damage to whole archives.
 */
public final class NpzCorpus implements Corpus {
    private static final String FILE = "data.npz";
    /** 2020-01-01T00:00:00Z, the modification time written into every generated zip entry. */
    private static final long ENTRY_TIME = 1_577_836_800_000L;

    /** A valid .npz and what it is. */
    private record Base(String name, byte[] bytes) {
    }

    private static final List<Base> BASES = List.of(
            new Base("u1", npz(xU1(4, 3, 3), yI8(4), true)),
            new Base("u1-stored", npz(xU1(4, 3, 3), yI8(4), false)),
            new Base("f4-nonfinite", npz(npy("<f4", "(3, 2)", floats(Float.NaN, Float.POSITIVE_INFINITY,
                    Float.NEGATIVE_INFINITY, 0f, -0f, Float.MAX_VALUE), 1), yI8(3), true)),
            new Base("f8", npz(npy("<f8", "(2, 2)", doubles(1e300, -1e-300, Double.NaN, 2), 1), yI8(2), false)),
            new Base("zero-samples", npz(npy("|u1", "(0, 3, 3)", new byte[0], 1), npy("<i8", "(0,)", new byte[0], 1),
                    true)),
            new Base("v2-u1-labels", npz(npy("|u1", "(2, 5)", new byte[10], 2), npy("|u1", "(2,)", new byte[] {1, 9}, 3),
                    true)));

    @Override
    public String format() {
        return "npz";
    }

    @Override
    public void catalogue(Cases cases, Sandbox sandbox) {
        add(cases, "tiny", -1, "empty file", new byte[0], Expect.REJECT);
        add(cases, "tiny", -1, "1-byte file", new byte[] {'P'}, Expect.REJECT);
        add(cases, "tiny", -1, "'PK' only", new byte[] {'P', 'K'}, Expect.REJECT);
        add(cases, "tiny", -1, "empty zip", zip(List.of(), true), Expect.REJECT);
        add(cases, "tiny", -1, "an .npy instead of an .npz", xU1(4, 3, 3), Expect.REJECT);
        for (Base b : BASES) {
            add(cases, "pristine", -1, b.name + " unchanged", b.bytes, Expect.LOAD);
        }
        byte[] y4 = yI8(4);
        String[] descrs = {"<i4", "|b1", "<c8", ">f4", "O", "", "<f2", "|V8", "<U3", "|u2", "<u8", "|i1", "f4", "<f16",
            "<f4\u0000", "\u00e9", "<f" + "9".repeat(30)};
        for (String d : descrs) {
            add(cases, "descr", -1, "x descr '" + d + "'", npz(npy(d, "(4, 3, 3)", new byte[36 * 4], 1), y4, true),
                    Expect.EITHER);
            add(cases, "descr", -1, "y descr '" + d + "'", npz(xU1(4, 3, 3), npy(d, "(4,)", new byte[32], 1), true),
                    Expect.EITHER);
        }
        String[] shapes = {"(-1, 3, 3)", "(4, -3, 3)", "(9223372036854775807, 1)", "(4294967296, 4294967296)",
            "(4, 9223372036854775807, 2)", "(1, 268435457)", "(1, 134217729)", "(99999999999999999999, 1)", "()",
            "(4,)", "(4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)",
            "(4, 0)", "(0, 4)", "(2147483648, 0)", "(4.0, 3, 3)", "('4', 3, 3)", "(4, 3, 3", "4, 3, 3)", "[4, 3, 3]",
            "(4 3 3)", "(, )", "(1e3, 1)", "(0x4, 3, 3)", "(+4, 3, 3)", "(4, 3, 3,,)", "(" + "(".repeat(10_000)};
        for (String s : shapes) {
            add(cases, "shape", -1, "x shape " + s, npz(npy("|u1", s, new byte[36], 1), y4, true), Expect.EITHER);
            add(cases, "shape", -1, "y shape " + s, npz(xU1(4, 3, 3), npy("<i8", s, new byte[32], 1), true),
                    Expect.EITHER);
        }
        for (int len : new int[] {0, 1, 35, 37, 72, 1 << 16}) {
            add(cases, "data-length", -1, "x [4,3,3] u1 with " + len + " data bytes",
                    npz(npy("|u1", "(4, 3, 3)", new byte[len], 1), y4, true), len == 36 ? Expect.LOAD : Expect.REJECT);
            add(cases, "data-length", -1, "y [4] i8 with " + len + " data bytes",
                    npz(xU1(4, 3, 3), npy("<i8", "(4,)", new byte[len], 1), true), len == 32 ? Expect.LOAD
                            : Expect.REJECT);
        }
        long[][] labelSets = {{-1, 0, 0, 0}, {0, 1L << 31, 0, 0}, {Long.MIN_VALUE, 0, 0, 0}, {Long.MAX_VALUE, 0, 0, 0},
            {0, 1, 2, Integer.MAX_VALUE}};
        for (long[] l : labelSets) {
            add(cases, "labels", -1, "labels " + Arrays.toString(l), npz(xU1(4, 3, 3),
                    npy("<i8", "(4,)", Bytes.longBytes(l), 1), true), l[3] == Integer.MAX_VALUE ? Expect.LOAD
                            : Expect.REJECT);
        }
        add(cases, "labels", -1, "labels u8 2^63", npz(xU1(4, 3, 3), npy("<u8", "(4,)",
                Bytes.longBytes(Long.MIN_VALUE, 0, 0, 0), 1), true), Expect.REJECT);
        add(cases, "labels", -1, "3 labels for 4 samples", npz(xU1(4, 3, 3), yI8(3), true), Expect.REJECT);
        add(cases, "labels", -1, "labels [4, 1]", npz(xU1(4, 3, 3), npy("<i8", "(4, 1)", new byte[32], 1), true),
                Expect.REJECT);
        add(cases, "labels", -1, "labels float", npz(xU1(4, 3, 3), npy("<f8", "(4,)", new byte[32], 1), true),
                Expect.REJECT);
        String[] dicts = {"", "{}", "{'descr': '|u1'}", "[]", "{'descr': '|u1', 'fortran_order': True, 'shape': (4, 3, 3), }",
            "{'descr': '|u1', 'fortran_order': 1, 'shape': (4, 3, 3), }",
            "{'descr': '|u1', 'descr': '<f8', 'fortran_order': False, 'shape': (4, 3, 3), }",
            "{'descr': '|u1', 'fortran_order': False, 'shape': (4, 3, 3), 'extra': [1, {2: 3}], }",
            "{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (4, 3, 3)}",
            "{'descr': '|u1', 'fortran_order': False, 'shape': (4, 3, 3)", "{'descr: '|u1'}",
            "{'descr': '|u1', 'fortran_order': False, 'shape': (4, 3, 3), }" + "x".repeat(1000),
            "{" + "{".repeat(50_000), "{'descr': '\\x00', 'fortran_order': False, 'shape': (4, 3, 3), }"};
        for (String d : dicts) {
            add(cases, "header-dict", -1, "x header dict " + abbreviate(d), npz(rawNpy(1, d.getBytes(
                    StandardCharsets.ISO_8859_1), new byte[36]), y4, true), Expect.EITHER);
        }
        byte[][] badText = {{(byte) 0xC3, 0x28}, {(byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}};
        for (byte[] bad : badText) {
            byte[] dict = Bytes.concat("{'descr': '".getBytes(StandardCharsets.US_ASCII), bad,
                    "|u1', 'fortran_order': False, 'shape': (4, 3, 3), }".getBytes(StandardCharsets.US_ASCII));
            for (int version : new int[] {1, 3}) {
                add(cases, "utf8", -1, "v" + version + " header with bytes " + Arrays.toString(bad), npz(rawNpy(version,
                        dict, new byte[36]), y4, true), Expect.REJECT);
            }
        }
        long[] headerLengths = {0, 1, 0xFFFF, 0xFFFFFFFFL, 65_537, 1L << 31};
        for (long hl : headerLengths) {
            for (int version : new int[] {1, 2}) {
                if (version == 1 && hl > 0xFFFF) {
                    continue;
                }
                add(cases, "header-length", -1, "v" + version + " header length " + hl, npz(withHeaderLength(
                        xU1(4, 3, 3), version, hl), y4, true), Expect.REJECT);
            }
        }
        for (int version : new int[] {0, 4, 255}) {
            byte[] x = xU1(4, 3, 3);
            x[6] = (byte) version;
            add(cases, "version", -1, ".npy version " + version, npz(x, y4, true), Expect.REJECT);
        }
        byte[] x = xU1(4, 3, 3);
        add(cases, "zip", -1, "x missing", zip(List.of(entry("y.npy", y4)), true), Expect.REJECT);
        add(cases, "zip", -1, "y missing", zip(List.of(entry("x.npy", x)), true), Expect.REJECT);
        add(cases, "zip", -1, "x.npy is a directory", zip(List.of(entry("x.npy/", new byte[0]), entry("y.npy", y4)),
                true), Expect.REJECT);
        add(cases, "zip", -1, "entries named ../x.npy and /y.npy", zip(List.of(entry("../x.npy", x),
                entry("/y.npy", y4)), true), Expect.REJECT);
        add(cases, "zip", -1, "extra entries beside x and y", zip(List.of(entry("x.npy", x), entry("y.npy", y4),
                entry("../../etc/passwd", new byte[3]), entry("z.npy", new byte[5])), true), Expect.EITHER);
        add(cases, "zip", -1, "x.npy twice", Bytes.concat(zip(List.of(entry("x.npy", x)), false), zip(List.of(
                entry("x.npy", x), entry("y.npy", y4)), false)), Expect.EITHER);
        cases.add("zip", -1, "x deflated from 64 MiB of zeros, [1, 64 MiB]", Expect.EITHER, dir -> Bytes.files(FILE,
                npz(npy("|u1", "(1, 67108864)", null, 1), npy("<i8", "(1,)", new byte[8], 1), true), Map.of())
                .create(dir)); // built when run, so the 64 MiB array is not held by the catalogue
        add(cases, "zip", -1, "an .npz inside the .npz", zip(List.of(entry("x.npy", BASES.get(0).bytes),
                entry("y.npy", y4)), true), Expect.REJECT);
        int g = 0;
        for (ByteMutations.Named m : ByteMutations.ALL) {
            g++;
            for (int bi = 0; bi < BASES.size(); bi++) {
                Base b = BASES.get(bi);
                for (int i = 0; i < 40; i++) {
                    long seed = 7_000_000L + 10_000L * g + 100L * bi + i;
                    ByteMutations.Mutation mu = m.mutator().apply(b.bytes, List.of(), new Random(seed), i);
                    add(cases, m.name(), seed, b.name + " " + mu.what(), mu.bytes(), mu.bytes().length == 0
                            ? Expect.REJECT : Expect.EITHER);
                }
            }
        }
    }

    private static final String[] RANDOM_DESCRS = {"|u1", "|u1", "<f4", "<f4", "<f8", ">f4", "<i8", "<i4", "|b1",
        "<f2", "|i1", "<u8", "O", "<c8"};
    private static final long[] WEIRD_DIMS = {-1, 0, 1L << 31, 1L << 32, Long.MAX_VALUE, 1L << 40, 1L << 28, 1000};

    @Override
    public FuzzCase random(int index, long seed, Sandbox sandbox) {
        Random r = new Random(seed);
        Cases one = new Cases();
        if (r.nextInt(10) < 6) {
            Base b = BASES.get(r.nextInt(BASES.size()));
            ByteMutations.Mutation mu = ByteMutations.any(b.bytes, r);
            add(one, "random-bytes", seed, b.name + " " + mu.what(), mu.bytes(), mu.bytes().length == 0
                    ? Expect.REJECT : Expect.EITHER);
        } else {
            String descr = RANDOM_DESCRS[r.nextInt(RANDOM_DESCRS.length)];
            int rank = r.nextInt(5);
            long[] dims = new long[rank];
            StringBuilder shape = new StringBuilder("(");
            long n = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = r.nextInt(10) < 8 ? r.nextInt(6) : WEIRD_DIMS[r.nextInt(WEIRD_DIMS.length)];
                shape.append(dims[i]).append(rank == 1 ? "," : i + 1 < rank ? ", " : "");
                n = dims[i] < 0 || dims[i] > 4097 || n > 4096 ? 4097 : Math.min(4097, n * dims[i]);
            }
            shape.append(')');
            int item = descr.length() > 2 && Character.isDigit(descr.charAt(2)) ? descr.charAt(2) - '0' : 1;
            int exact = (int) Math.min(4097, n) * item;
            int len = r.nextInt(3) == 0 ? r.nextInt(exact + 16) : exact;
            long samples = rank == 0 ? 1 : Math.max(0, Math.min(dims[0], 64));
            byte[] labels = Bytes.longBytes(new long[(int) samples]);
            byte[] xs = npy(descr, shape.toString(), Bytes.randomBytes(r, len), 1 + r.nextInt(3));
            byte[] ys = r.nextInt(4) == 0 ? npy(RANDOM_DESCRS[r.nextInt(RANDOM_DESCRS.length)], "(" + samples + ",)",
                    Bytes.randomBytes(r, (int) samples * 8), 1) : npy("<i8", "(" + samples + ",)", labels, 1);
            add(one, "random-arrays", seed, "x '" + descr + "' " + shape + " with " + len + " data bytes",
                    npz(xs, ys, r.nextBoolean()), Expect.EITHER);
        }
        FuzzCase c = one.list().get(0);
        return new FuzzCase(c.generator(), index, seed, c.detail(), c.expect(), c.setup());
    }

    @Override
    public Outcome attempt(FuzzCase c, Path file) {
        return DatasetCheck.attempt(file);
    }

    private static void add(Cases cases, String generator, long seed, String detail, byte[] bytes, Expect expect) {
        cases.add(generator, seed, detail, expect, Bytes.files(FILE, bytes, Map.of()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "... (" + s.length() + " chars)";
    }

    // ------------------------------------------------------------------------------------------------------------
    // Building .npy and .npz bytes
    // ------------------------------------------------------------------------------------------------------------

    private static byte[] xU1(int n, int rows, int cols) {
        byte[] data = new byte[n * rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 37);
        }
        return npy("|u1", "(" + n + ", " + rows + ", " + cols + ")", data, 1);
    }

    private static byte[] yI8(int n) {
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
        }
        return npy("<i8", "(" + n + ",)", Bytes.longBytes(labels), 1);
    }

    /** An .npy with a numpy-style header dict; {@code data} null means as many zero bytes as the shape needs. */
    private static byte[] npy(String descr, String shape, byte[] data, int version) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        return rawNpy(version, dict.getBytes(version == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1),
                data == null ? new byte[1 << 26] : data);
    }

    /** Magic, version, header length, {@code dict} padded with spaces and a newline to 64 bytes, data. */
    private static byte[] rawNpy(int version, byte[] dict, byte[] data) {
        int preamble = version == 1 ? 10 : 12;
        int total = (preamble + dict.length + 1 + 63) / 64 * 64;
        int headerLen = total - preamble;
        ByteBuffer b = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) version).put((byte) 0);
        if (version == 1) {
            b.putShort((short) headerLen);
        } else {
            b.putInt(headerLen);
        }
        b.put(dict);
        for (int i = dict.length; i < headerLen - 1; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n').put(data);
        return b.array();
    }

    private static byte[] withHeaderLength(byte[] npy, int version, long length) {
        byte[] out = npy.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        if (version == 1) {
            b.putShort(8, (short) length);
            return out;
        }
        // widen the 2-byte length of a version-1 file to the 4 bytes of version 2
        byte[] v2 = Bytes.splice(out, 8, 2, new byte[4]);
        v2[6] = 2;
        ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN).putInt(8, (int) length);
        return v2;
    }

    private record Entry(String name, byte[] bytes) {
    }

    private static Entry entry(String name, byte[] bytes) {
        return new Entry(name, bytes);
    }

    private static byte[] npz(byte[] x, byte[] y, boolean deflate) {
        return zip(List.of(entry("x.npy", x), entry("y.npy", y)), deflate);
    }

    private static byte[] zip(List<Entry> entries, boolean deflate) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Entry e : entries) {
                ZipEntry ze = new ZipEntry(e.name);
                ze.setTime(ENTRY_TIME); // not the clock: the same seed must give the same bytes
                if (!deflate) {
                    CRC32 crc = new CRC32();
                    crc.update(e.bytes);
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(e.bytes.length);
                    ze.setCompressedSize(e.bytes.length);
                    ze.setCrc(crc.getValue());
                }
                z.putNextEntry(ze);
                z.write(e.bytes);
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] floats(float... v) {
        return Bytes.floatBytes(v);
    }

    private static byte[] doubles(double... v) {
        ByteBuffer b = Bytes.le(v.length * 8);
        for (double d : v) {
            b.putDouble(d);
        }
        return b.array();
    }
}
