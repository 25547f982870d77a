package org.sparsitybench.tools.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Damaged IDX datasets (an images file and the labels file beside it, plain or gzip): tiny files, bad magic numbers
 * and element types, ranks from 0 to 255, negative and absurd dimensions, counts that disagree, data shorter or
 * longer than the header says, float images with NaN/Inf, zero-size sets, a missing labels file, corrupt gzip
 * streams and byte-level damage to either file.
 */
public final class IdxCorpus implements Corpus {
    private static final String IMAGES = "set-images-idx3-ubyte";
    private static final String LABELS = "set-labels-idx1-ubyte";

    @Override
    public String format() {
        return "idx";
    }

    private static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(type << 8 | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    private static byte[] images(int n, int rows, int cols) {
        byte[] data = new byte[n * rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        return idx(0x08, new int[] {n, rows, cols}, data);
    }

    private static byte[] labels(int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i % 10);
        }
        return idx(0x08, new int[] {n}, data);
    }

    private static final byte[] GOOD_IMAGES = images(5, 4, 4);
    private static final byte[] GOOD_LABELS = labels(5);

    /** A case with the two files, optionally gzipped (names get {@code .gz}). */
    private static CaseSetup pair(byte[] images, byte[] labels, boolean gz) {
        return dir -> {
            if (labels != null) {
                Files.write(dir.resolve(LABELS + (gz ? ".gz" : "")), gz ? gzip(labels) : labels);
            }
            Path f = dir.resolve(IMAGES + (gz ? ".gz" : ""));
            Files.write(f, gz ? gzip(images) : images);
            return f;
        };
    }

    private static void add(Cases cases, String generator, long seed, String detail, byte[] images, byte[] labels,
                            Expect expect) {
        cases.add(generator, seed, detail, expect, pair(images, labels, false));
    }

    @Override
    public void catalogue(Cases cases, Sandbox sandbox) {
        add(cases, "pristine", -1, "5 images of 4x4", GOOD_IMAGES, GOOD_LABELS, Expect.LOAD);
        cases.add("pristine", "5 images of 4x4, gzip", Expect.LOAD, pair(GOOD_IMAGES, GOOD_LABELS, true));
        add(cases, "pristine", -1, "zero images", images(0, 4, 4), labels(0), Expect.LOAD);
        add(cases, "pristine", -1, "images of 0x0", images(3, 0, 0), labels(3), Expect.EITHER);
        byte[] floatData = Bytes.floatBytes(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1});
        ByteBuffer be = ByteBuffer.allocate(16);
        for (int i = 0; i < 4; i++) {
            be.putInt(Integer.reverseBytes(ByteBuffer.wrap(floatData).getInt(4 * i)));
        }
        add(cases, "element-type", -1, "float32 images with NaN/Inf", idx(0x0D, new int[] {1, 2, 2}, be.array()),
                labels(1), Expect.EITHER);
        for (int type : new int[] {0x00, 0x07, 0x09, 0x0A, 0x0B, 0x0C, 0x0E, 0x0F, 0xFF}) {
            add(cases, "element-type", -1, "images element type " + type, idx(type, new int[] {5, 4, 4}, new byte[80 * 8]),
                    GOOD_LABELS, Expect.EITHER);
            add(cases, "element-type", -1, "labels element type " + type, GOOD_IMAGES, idx(type, new int[] {5},
                    new byte[40]), Expect.EITHER);
        }
        for (int magicHigh : new int[] {1, 0x0100, 0xFFFF, 0x1F8B}) {
            byte[] b = GOOD_IMAGES.clone();
            b[0] = (byte) (magicHigh >> 8);
            b[1] = (byte) magicHigh;
            add(cases, "magic", -1, "images magic high bytes " + magicHigh, b, GOOD_LABELS, Expect.REJECT);
        }
        for (int rank : new int[] {0, 1, 2, 4, 5, 127, 255}) {
            int[] dims = new int[rank];
            Arrays.fill(dims, 1);
            if (rank > 0) {
                dims[0] = 5;
            }
            add(cases, "rank", -1, "images rank " + rank, idx(0x08, dims, new byte[5]), GOOD_LABELS, Expect.EITHER);
            add(cases, "rank", -1, "labels rank " + rank, GOOD_IMAGES, idx(0x08, dims, new byte[5]), rank == 1
                    ? Expect.LOAD : Expect.REJECT);
        }
        int[][] dimSets = {{-1, 4, 4}, {5, -4, 4}, {5, 4, -4}, {Integer.MIN_VALUE, 4, 4}, {Integer.MAX_VALUE, 4, 4},
            {5, Integer.MAX_VALUE, Integer.MAX_VALUE}, {5, 65536, 65536}, {1, 46341, 46341}, {Integer.MAX_VALUE, 1, 1},
            {5, 4, 0}, {0, Integer.MAX_VALUE, Integer.MAX_VALUE}, {6, 4, 4}, {4, 4, 4}, {5, 2, 8}, {5, 16, 1}};
        for (int[] d : dimSets) {
            add(cases, "dims", -1, "images dims " + Arrays.toString(d), idx(0x08, d, Arrays.copyOfRange(GOOD_IMAGES, 16,
                    GOOD_IMAGES.length)), GOOD_LABELS, Expect.EITHER);
            add(cases, "dims", -1, "labels dims [" + d[0] + "]", GOOD_IMAGES, idx(0x08, new int[] {d[0]},
                    Arrays.copyOfRange(GOOD_LABELS, 8, GOOD_LABELS.length)), d[0] == 5 ? Expect.LOAD : Expect.REJECT);
        }
        for (int extra : new int[] {-80, -79, -1, 1, 16, 4096}) {
            byte[] img = extra < 0 ? Arrays.copyOf(GOOD_IMAGES, GOOD_IMAGES.length + extra)
                    : Bytes.concat(GOOD_IMAGES, new byte[extra]);
            add(cases, "data-length", -1, "images data " + (extra < 0 ? "short by " + -extra : "long by " + extra),
                    img, GOOD_LABELS, Expect.REJECT);
            byte[] lab = extra < 0 ? Arrays.copyOf(GOOD_LABELS, Math.max(0, GOOD_LABELS.length + Math.max(extra, -5)))
                    : Bytes.concat(GOOD_LABELS, new byte[extra]);
            add(cases, "data-length", -1, "labels data " + (extra < 0 ? "short" : "long by " + extra), GOOD_IMAGES, lab,
                    Expect.REJECT);
        }
        add(cases, "labels", -1, "labels 255 and signed -1", GOOD_IMAGES, idx(0x09, new int[] {5},
                new byte[] {-1, 0, 1, 2, 3}), Expect.EITHER);
        add(cases, "labels", -1, "labels file missing", GOOD_IMAGES, null, Expect.REJECT);
        cases.add("labels", "labels file is a folder", Expect.REJECT, dir -> {
            Files.createDirectory(dir.resolve(LABELS));
            return pair(GOOD_IMAGES, null, false).create(dir);
        });
        cases.add("labels", "labels only as .gz beside plain images", Expect.LOAD, dir -> {
            Files.write(dir.resolve(LABELS + ".gz"), gzip(GOOD_LABELS));
            return pair(GOOD_IMAGES, null, false).create(dir);
        });
        for (int n : new int[] {0, 1, 2, 3, 4, 7}) {
            add(cases, "tiny", -1, n + "-byte images file", Arrays.copyOf(GOOD_IMAGES, n), GOOD_LABELS, Expect.REJECT);
            add(cases, "tiny", -1, n + "-byte labels file", GOOD_IMAGES, Arrays.copyOf(GOOD_LABELS, n), Expect.REJECT);
        }
        byte[] gz = gzip(GOOD_IMAGES);
        for (int cut : new int[] {0, 1, 2, 10, gz.length / 2, gz.length - 4, gz.length - 1}) {
            int at = cut;
            cases.add("gzip", "images .gz truncated to " + cut + " bytes", Expect.REJECT, dir -> {
                Files.write(dir.resolve(LABELS + ".gz"), gzip(GOOD_LABELS));
                Path f = dir.resolve(IMAGES + ".gz");
                Files.write(f, Arrays.copyOf(gz, at));
                return f;
            });
        }
        cases.add("gzip", "plain bytes named .gz (compression is told by content)", Expect.EITHER, dir -> {
            Files.write(dir.resolve(LABELS + ".gz"), GOOD_LABELS);
            Path f = dir.resolve(IMAGES + ".gz");
            Files.write(f, GOOD_IMAGES);
            return f;
        });
        cases.add("gzip", "gzip bomb: 64 MiB of zeros claiming 1x8192x8192 images", Expect.EITHER, dir -> {
            Files.write(dir.resolve(LABELS + ".gz"), gzip(labels(1)));
            Path f = dir.resolve(IMAGES + ".gz");
            Files.write(f, gzip(idx(0x08, new int[] {1, 8192, 8192}, new byte[8192 * 8192])));
            return f;
        });
        int g = 0;
        for (ByteMutations.Named m : ByteMutations.ALL) {
            g++;
            for (int i = 0; i < 60; i++) {
                long seed = 8_000_000L + 10_000L * g + i;
                ByteMutations.Mutation mu = m.mutator().apply(GOOD_IMAGES, List.of(), new Random(seed), i);
                add(cases, m.name(), seed, "images " + mu.what(), mu.bytes(), GOOD_LABELS, Expect.EITHER);
                mu = m.mutator().apply(GOOD_LABELS, List.of(), new Random(seed + 5_000), i);
                add(cases, m.name(), seed + 5_000, "labels " + mu.what(), GOOD_IMAGES, mu.bytes(), Expect.EITHER);
            }
        }
    }

    private static final int[] TYPES = {0x08, 0x08, 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0x0A};
    private static final int[] WEIRD = {-1, 0, Integer.MAX_VALUE, Integer.MIN_VALUE, 65536, 46341, 1 << 24};

    @Override
    public FuzzCase random(int index, long seed, Sandbox sandbox) {
        Random r = new Random(seed);
        Cases one = new Cases();
        boolean gz = r.nextInt(4) == 0;
        if (r.nextInt(10) < 6) {
            boolean images = r.nextBoolean();
            byte[] src = images ? GOOD_IMAGES : GOOD_LABELS;
            ByteMutations.Mutation mu = ByteMutations.any(src, r);
            one.add("random-bytes", seed, (images ? "images " : "labels ") + mu.what() + (gz ? " (gzip)" : ""),
                    Expect.EITHER, pair(images ? mu.bytes() : GOOD_IMAGES, images ? GOOD_LABELS : mu.bytes(), gz));
        } else {
            int type = TYPES[r.nextInt(TYPES.length)];
            int rank = r.nextInt(8) == 0 ? r.nextInt(6) : 3;
            int[] dims = new int[rank];
            long elements = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = r.nextInt(8) == 0 ? WEIRD[r.nextInt(WEIRD.length)] : r.nextInt(7);
                elements = dims[i] < 0 ? 0 : Math.min(1 << 16, elements * dims[i]);
            }
            int size = switch (type) {
                case 0x0B -> 2;
                case 0x0C, 0x0D -> 4;
                case 0x0E -> 8;
                default -> 1;
            };
            int len = (int) Math.min(1 << 18, elements * size) + (r.nextInt(3) == 0 ? r.nextInt(9) - 4 : 0);
            byte[] img = idx(type, dims, Bytes.randomBytes(r, Math.max(0, len)));
            int n = rank > 0 ? Math.max(0, Math.min(dims[0], 1 << 16)) : 0;
            byte[] lab = idx(0x08, new int[] {r.nextInt(6) == 0 ? n + 1 : n}, Bytes.randomBytes(r, n));
            one.add("random-header", seed, "images type " + type + " dims " + Arrays.toString(dims) + ", " + len
                    + " data bytes" + (gz ? " (gzip)" : ""), Expect.EITHER, pair(img, lab, gz));
        }
        FuzzCase c = one.list().get(0);
        return new FuzzCase(c.generator(), index, seed, c.detail(), c.expect(), c.setup());
    }

    @Override
    public Outcome attempt(FuzzCase c, Path file) {
        return DatasetCheck.attempt(file);
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
