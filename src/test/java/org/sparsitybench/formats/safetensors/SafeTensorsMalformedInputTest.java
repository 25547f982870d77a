package org.sparsitybench.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.sparsitybench.formats.safetensors.SafeTensorsFiles.builder;
import static org.sparsitybench.formats.safetensors.SafeTensorsFiles.f32;
import static org.sparsitybench.formats.safetensors.SafeTensorsFiles.f64;
import static org.sparsitybench.formats.safetensors.SafeTensorsFiles.i64;
import static org.sparsitybench.formats.safetensors.SafeTensorsFiles.shape;
import static org.sparsitybench.formats.safetensors.SafeTensorsFiles.u16;
import static org.sparsitybench.formats.safetensors.SafeTensorsFiles.u8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.WeightTensor;

/**
 * Feeds the reader thousands of deterministically damaged files: each must either load (and then every tensor
 * must decode) or fail with a {@link ModelFormatException}; nothing else may escape.
 */
class SafeTensorsMalformedInputTest {
    private static final long SEED = 0x5AFE7E45L;

    @TempDir
    Path dir;

    private enum Expect { LOAD, REJECT, EITHER }

    private record Case(String description, byte[] bytes, Expect expect) {
    }

    /** A valid file's parts, so JSON edits can rebuild it with one field changed. */
    private record Base(String name, SafeTensorsFiles files, String metadataJson) {
        byte[] bytes() {
            return files.bytes();
        }
    }

    private static List<Base> bases() {
        SafeTensorsFiles mlp = builder().meta("format", "pt")
                .tensor("fc1.weight", "F32", shape(4, 3), f32(1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12))
                .tensor("fc1.bias", "F32", shape(4), f32(0.5f, 0, -0.5f, 1))
                .tensor("fc2.weight", "F32", shape(2, 4), f32(1, 1, 1, 1, 2, 2, 2, 2));
        SafeTensorsFiles mixed = builder()
                .tensor("model.embed.weight", "BF16", shape(3, 2), u16(0x3F80, 0x4000, 0x4040, 0x4080, 0x40A0, 0xC0C0))
                .tensor("model.norm.weight", "F16", shape(2), u16(0x3C00, 0x3800))
                .tensor("model.q.weight", "I8", shape(2, 2), u8(1, 0xFF, 0x80, 0x7F))
                .tensor("model.mask", "BOOL", shape(3), u8(1, 0, 1))
                .tensor("model.f8", "F8_E4M3", shape(2), u8(0x38, 0x7F))
                .tensor("model.u8", "U8", shape(1), u8(200));
        SafeTensorsFiles scalars = builder().meta("a", "b").meta("c", "d")
                .tensor("step", "I64", shape(), i64(12345))
                .tensor("empty", "F32", shape(0, 5), new byte[0])
                .tensor("dbl.weight", "F64", shape(1, 2), f64(0.25, -1e10));
        return List.of(new Base("mlp", mlp, "{\"format\":\"pt\"}"), new Base("mixed", mixed, null),
                new Base("scalars", scalars, "{\"a\":\"b\",\"c\":\"d\"}"));
    }

    @Test
    void thousandsOfDamagedFilesEitherLoadOrFailWithModelFormatException() throws IOException {
        Random random = new Random(SEED);
        List<Case> cases = new ArrayList<>();
        List<Base> bases = bases();

        cases.add(new Case("empty file", new byte[0], Expect.REJECT));
        cases.add(new Case("1-byte file", new byte[] {2}, Expect.REJECT));
        cases.add(new Case("7-byte file", new byte[] {8, 0, 0, 0, 0, 0, 0}, Expect.REJECT));
        cases.add(new Case("8-byte file, header length 0", new byte[8], Expect.REJECT));
        cases.add(new Case("8-byte file, header length 2", new byte[] {2, 0, 0, 0, 0, 0, 0, 0}, Expect.REJECT));

        for (Base base : bases) {
            byte[] good = base.bytes();
            cases.add(new Case(base.name() + " unchanged", good, Expect.LOAD));
            long n = SafeTensorsFiles.headerLength(good);
            int headerEnd = (int) (8 + n);

            for (int i = 0; i < 250; i++) {
                int len = random.nextInt(good.length);
                cases.add(new Case(base.name() + " truncated to " + len + " bytes", Arrays.copyOf(good, len),
                        Expect.REJECT));
            }

            for (int i = 0; i < 220; i++) {
                byte[] b = good.clone();
                StringBuilder what = new StringBuilder(base.name() + " header bytes changed:");
                int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++) {
                    int at = 8 + random.nextInt((int) n);
                    byte v = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (b[at] ^ (1 << random.nextInt(8)));
                    what.append(" @").append(at).append('=').append(v & 0xff);
                    b[at] = v;
                }
                cases.add(new Case(what.toString(), b, Expect.EITHER));
            }

            if (good.length > headerEnd) {
                for (int i = 0; i < 50; i++) {
                    byte[] b = good.clone();
                    int at = headerEnd + random.nextInt(good.length - headerEnd);
                    b[at] = (byte) random.nextInt(256);
                    cases.add(new Case(base.name() + " data byte " + at + " set to " + (b[at] & 0xff), b, Expect.LOAD));
                }
            }

            long[] lengths = {Long.MAX_VALUE, Long.MIN_VALUE, -1, -8, 100_000_001L, 100_000_000L, 1L << 32,
                    good.length - 8 + 1, good.length - 7 + 1000, n - 1, n + 1, n - 8, n + 8, 0, 1};
            for (long len : lengths) {
                cases.add(new Case(base.name() + " header length field " + len, withLength(good, len), Expect.REJECT));
            }
            for (int i = 0; i < 30; i++) {
                long len = random.nextBoolean() ? random.nextLong() : random.nextInt(good.length + 16);
                if (len != n) {
                    cases.add(new Case(base.name() + " header length field " + len, withLength(good, len),
                            Expect.REJECT));
                }
            }
            for (int i = 0; i < 8; i++) {
                byte[] b = good.clone();
                b[random.nextInt(8)] ^= (byte) (1 << random.nextInt(8));
                cases.add(new Case(base.name() + " header length bit flip", b, Expect.REJECT));
            }

            addJsonEdits(base, random, cases);
            addTextEdits(base, random, cases);
            addUtf8Damage(base, random, cases);
        }

        assertTrue(cases.size() >= 2000, "only " + cases.size() + " cases");
        List<String> failures = new ArrayList<>();
        int loaded = 0;
        SafeTensorsReader reader = new SafeTensorsReader();
        SafeTensorsReader smallWindows = new SafeTensorsReader(16);
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Path file = dir.resolve("case" + i + ".safetensors");
            Files.write(file, c.bytes());
            String outcome = outcome(i % 4 == 0 ? smallWindows : reader, file);
            if (outcome == null) {
                loaded++;
            }
            boolean ok = switch (c.expect()) {
                case LOAD -> outcome == null;
                case REJECT -> "rejected".equals(outcome);
                case EITHER -> outcome == null || "rejected".equals(outcome);
            };
            if (!ok) {
                failures.add("case " + i + " (" + c.description() + "), expected " + c.expect() + ": "
                        + (outcome == null ? "loaded" : outcome));
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + cases.size() + " cases failed:\n"
                    + String.join("\n", failures.subList(0, Math.min(30, failures.size()))));
        }
        assertTrue(loaded > 100 && loaded < cases.size() - 1000, loaded + " of " + cases.size() + " loaded");
    }

    /** null when the file loaded and every tensor decoded; "rejected" for a ModelFormatException; else the error. */
    private static String outcome(SafeTensorsReader reader, Path file) {
        Model m;
        try {
            m = reader.read(file);
        } catch (ModelFormatException e) {
            if (e.problem().isEmpty() || !e.getMessage().startsWith(file.toString())) {
                return "badly worded rejection: " + e.getMessage();
            }
            return "rejected";
        } catch (Throwable t) {
            return "threw " + t;
        }
        try {
            for (WeightTensor t : m.tensors()) {
                if (t.elementCount() <= 1_000_000) {
                    float[] values = t.data().readAllFloats();
                    if (values.length != t.elementCount()) {
                        return "tensor " + t.name() + " decoded " + values.length + " values";
                    }
                }
            }
        } catch (Throwable t) {
            return "loaded, but decoding threw " + t;
        }
        return null;
    }

    private static byte[] withLength(byte[] good, long length) {
        byte[] b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return b;
    }

    /** A tensor entry's fields as JSON text, editable one at a time. */
    private static final class EntryJson {
        String name;
        String dtype;
        String shape;
        String offsets;
        String whole; // replaces the object when set
        String extra = "";

        String json() {
            if (whole != null) {
                return SafeTensorsFiles.quote(name) + ":" + whole;
            }
            StringBuilder sb = new StringBuilder(SafeTensorsFiles.quote(name)).append(":{");
            List<String> parts = new ArrayList<>();
            if (dtype != null) {
                parts.add("\"dtype\":" + dtype);
            }
            if (shape != null) {
                parts.add("\"shape\":" + shape);
            }
            if (offsets != null) {
                parts.add("\"data_offsets\":" + offsets);
            }
            if (!extra.isEmpty()) {
                parts.add(extra);
            }
            return sb.append(String.join(",", parts)).append('}').toString();
        }
    }

    private static List<EntryJson> entries(Base base) {
        List<EntryJson> out = new ArrayList<>();
        long offset = 0;
        for (SafeTensorsFiles.Entry e : base.files().entries()) {
            EntryJson j = new EntryJson();
            j.name = e.name();
            j.dtype = SafeTensorsFiles.quote(e.code());
            StringBuilder s = new StringBuilder("[");
            for (int i = 0; i < e.shape().length; i++) {
                s.append(i == 0 ? "" : ",").append(e.shape()[i]);
            }
            j.shape = s.append(']').toString();
            j.offsets = "[" + offset + "," + (offset + e.raw().length) + "]";
            offset += e.raw().length;
            out.add(j);
        }
        return out;
    }

    private static String header(String metadataJson, List<EntryJson> entries) {
        List<String> parts = new ArrayList<>();
        if (metadataJson != null) {
            parts.add("\"__metadata__\":" + metadataJson);
        }
        for (EntryJson e : entries) {
            parts.add(e.json());
        }
        return "{" + String.join(",", parts) + "}";
    }

    private static final String[] BAD_SHAPES = {"[-1]", "[4294967296,4294967296]", "[1.5]", "\"x\"", "null", "{}",
            "[1e3]", "[99999999999999999999]", "[2305843009213693952,8]", "[3037000500,3037000500]", "[[1]]",
            "[true]", "-1", "[9223372036854775807,2]", "[-9223372036854775808]"};
    private static final String[] BAD_OFFSETS = {"[0]", "[]", "[0,1,2]", "[-1,3]", "[0,-4]", "\"0,4\"", "null",
            "[0,99999999999999999999]", "[0,9223372036854775807]", "[9223372036854775807,0]", "[0.0,4.0]",
            "[1e2,1e3]", "{\"0\":4}", "[null,4]"};
    private static final String[] BAD_DTYPES = {"\"F7\"", "\"f32\"", "\"\"", "3", "null", "\"U128\"", "\"C64\"",
            "\"F32 \"", "[\"F32\"]", "\"STRING\""};
    private static final String[] VALID_DTYPES = {"\"F64\"", "\"F32\"", "\"F16\"", "\"BF16\"", "\"I64\"", "\"I32\"",
            "\"I16\"", "\"I8\"", "\"U8\"", "\"BOOL\"", "\"F8_E4M3\"", "\"F8_E5M2\""};
    private static final String[] BAD_ENTRIES = {"[]", "\"x\"", "1", "null", "{}", "true", "[1,2,3]"};
    private static final String[] BAD_METADATA = {"[]", "\"pt\"", "1", "null", "{\"a\":1}", "{\"a\":{\"b\":\"c\"}}",
            "{\"a\":null}", "{\"a\":[\"b\"]}", "{\"a\":true}"};
    private static final String[] BAD_DOCUMENTS = {"[]", "\"str\"", "1", "null", "true", "", "{", "}", "{}{}",
            "{\"a\":}", "{\"a\" 1}", "{a:1}", "{'a':'b'}", "{/*x*/}", "[{}]", "{\"a\":[1,]}", "NaN", "{\"x\":1e999999}"};

    private static void addJsonEdits(Base base, Random random, List<Case> cases) {
        byte[] data = base.files().data();
        for (String doc : BAD_DOCUMENTS) {
            cases.add(new Case(base.name() + " document " + doc, SafeTensorsFiles.assemble(doc, data, true),
                    Expect.REJECT));
        }
        for (String meta : BAD_METADATA) {
            cases.add(new Case(base.name() + " __metadata__ " + meta,
                    SafeTensorsFiles.assemble(header(meta, entries(base)), data, true), Expect.REJECT));
        }
        cases.add(new Case(base.name() + " with trailing garbage after the JSON",
                SafeTensorsFiles.assemble(header(base.metadataJson(), entries(base)) + " x", data, true),
                Expect.REJECT));
        cases.add(new Case(base.name() + " with extra data bytes",
                SafeTensorsFiles.assemble(header(base.metadataJson(), entries(base)), concat(data, new byte[8]), true),
                Expect.REJECT));
        cases.add(new Case(base.name() + " unpadded",
                SafeTensorsFiles.assemble(header(base.metadataJson(), entries(base)), data, false), Expect.LOAD));
        cases.add(new Case(base.name() + " with an unknown extra field",
                SafeTensorsFiles.assemble(header(base.metadataJson(), withExtra(entries(base))), data, true),
                Expect.LOAD));
        List<EntryJson> dup = entries(base);
        dup.add(dup.get(0));
        cases.add(new Case(base.name() + " with a duplicate tensor",
                SafeTensorsFiles.assemble(header(base.metadataJson(), dup), data, true), Expect.REJECT));

        for (int i = 0; i < 230; i++) {
            List<EntryJson> entries = entries(base);
            EntryJson target = entries.get(random.nextInt(entries.size()));
            String what;
            Expect expect = Expect.REJECT;
            int kind = random.nextInt(9);
            switch (kind) {
                case 0 -> {
                    target.shape = pick(random, BAD_SHAPES);
                    what = "shape " + target.shape;
                }
                case 1 -> {
                    target.offsets = pick(random, BAD_OFFSETS);
                    what = "data_offsets " + target.offsets;
                }
                case 2 -> {
                    target.dtype = pick(random, BAD_DTYPES);
                    what = "dtype " + target.dtype;
                }
                case 3 -> {
                    target.whole = pick(random, BAD_ENTRIES);
                    what = "entry " + target.whole;
                }
                case 4 -> {
                    switch (random.nextInt(3)) {
                        case 0 -> target.dtype = null;
                        case 1 -> target.shape = null;
                        default -> target.offsets = null;
                    }
                    what = "field missing";
                }
                case 5 -> {
                    long begin = random.nextInt(80) - 8;
                    long end = begin + random.nextInt(40) - 4;
                    target.offsets = "[" + begin + "," + end + "]";
                    what = "data_offsets " + target.offsets + " (random)";
                    expect = Expect.EITHER;
                }
                case 6 -> {
                    int rank = random.nextInt(4);
                    StringBuilder s = new StringBuilder("[");
                    for (int d = 0; d < rank; d++) {
                        s.append(d == 0 ? "" : ",").append(random.nextInt(6));
                    }
                    target.shape = s.append(']').toString();
                    what = "shape " + target.shape + " (random)";
                    expect = Expect.EITHER;
                }
                case 7 -> {
                    target.dtype = pick(random, VALID_DTYPES);
                    what = "dtype " + target.dtype + " (random)";
                    expect = Expect.EITHER;
                }
                default -> {
                    // make this tensor overlap, or leave a gap after, its neighbour
                    int at = entries.indexOf(target);
                    EntryJson other = entries.get(at == 0 ? Math.min(1, entries.size() - 1) : at - 1);
                    if (other == target || random.nextBoolean()) {
                        long[] o = offsets(target.offsets);
                        target.offsets = "[" + (o[0] + 4) + "," + (o[1] + 4) + "]";
                        what = "data_offsets shifted by 4 to " + target.offsets;
                    } else {
                        target.offsets = other.offsets;
                        target.dtype = other.dtype;
                        target.shape = other.shape;
                        what = "data_offsets copied from its neighbour: " + target.offsets;
                    }
                }
            }
            byte[] bytes = SafeTensorsFiles.assemble(header(base.metadataJson(), entries), data, random.nextBoolean());
            cases.add(new Case(base.name() + " tensor " + target.name + ": " + what, bytes, expect));
        }
    }

    /** Character-level edits of the header text: deletions, duplications, digit changes, insertions. */
    private static void addTextEdits(Base base, Random random, List<Case> cases) {
        byte[] data = base.files().data();
        String json = header(base.metadataJson(), entries(base));
        String junk = "{}[]\",:0123456789-.eE tfn\\";
        for (int i = 0; i < 110; i++) {
            StringBuilder s = new StringBuilder(json);
            String what;
            int at = random.nextInt(s.length());
            switch (random.nextInt(4)) {
                case 0 -> {
                    s.deleteCharAt(at);
                    what = "deleted char " + at;
                }
                case 1 -> {
                    int len = 1 + random.nextInt(Math.min(20, s.length() - at));
                    s.insert(at, s.substring(at, at + len));
                    what = "duplicated " + len + " chars at " + at;
                }
                case 2 -> {
                    List<Integer> digits = new ArrayList<>();
                    for (int k = 0; k < s.length(); k++) {
                        if (Character.isDigit(s.charAt(k))) {
                            digits.add(k);
                        }
                    }
                    int d = digits.get(random.nextInt(digits.size()));
                    s.setCharAt(d, (char) ('0' + random.nextInt(10)));
                    what = "digit at " + d + " changed";
                }
                default -> {
                    s.insert(at, junk.charAt(random.nextInt(junk.length())));
                    what = "inserted a char at " + at;
                }
            }
            cases.add(new Case(base.name() + " header text " + what,
                    SafeTensorsFiles.assemble(s.toString(), data, random.nextBoolean()), Expect.EITHER));
        }
    }

    /** Invalid UTF-8 sequences placed inside the header (in a name, or between tokens). */
    private static void addUtf8Damage(Base base, Random random, List<Case> cases) {
        byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80},
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xC3}};
        byte[] data = base.files().data();
        byte[] json = header(base.metadataJson(), entries(base)).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 40; i++) {
            byte[] seq = bad[random.nextInt(bad.length)];
            int at = 2 + random.nextInt(json.length - 2);
            byte[] header = concat(Arrays.copyOf(json, at), seq, Arrays.copyOfRange(json, at, json.length));
            cases.add(new Case(base.name() + " invalid UTF-8 " + Arrays.toString(seq) + " at " + at,
                    SafeTensorsFiles.assemble(header, data, true), Expect.REJECT));
        }
    }

    private static List<EntryJson> withExtra(List<EntryJson> entries) {
        entries.get(0).extra = "\"foo\":[1,{\"bar\":null}]";
        return entries;
    }

    private static long[] offsets(String json) {
        String[] parts = json.substring(1, json.length() - 1).split(",");
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    }

    private static String pick(Random random, String[] options) {
        return options[random.nextInt(options.length)];
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
