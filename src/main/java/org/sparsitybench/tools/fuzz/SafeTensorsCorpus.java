package org.sparsitybench.tools.fuzz;

import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.builder;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.f32;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.f64;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.i64;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.shape;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.u16;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.u8;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.sparsitybench.formats.safetensors.SafeTensorsReader;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;

/**
 * Damaged SafeTensors files: tiny files, truncation, header and data bytes changed, absurd header lengths, JSON
 * edits of one field (bad shapes with negative and overflowing dims, offsets out of bounds or overlapping, unknown
 * dtypes, wrong entry types, bad metadata), character-level edits of the header text and invalid UTF-8. Bases hold
 * NaN/Inf weights and zero-size tensors. Every fourth case is read with 16-byte mapping windows. A loaded file must
 * decode every tensor of up to a million elements.
 */
public final class SafeTensorsCorpus implements Corpus {
    private static final long SEED = 0x5AFE7E45L;

    private enum Kind { TRUNCATE, HEADER_FLIP, DATA_BYTE, LENGTH_FIELD, LENGTH_FLIP, JSON_EDIT, TEXT_EDIT, UTF8 }

    /** A valid file's parts, so JSON edits can rebuild it with one field changed. */
    private record Base(String name, SafeTensorsFiles files, String metadataJson) {
        byte[] bytes() {
            return files.bytes();
        }
    }

    private static final List<Base> BASES = bases();

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
        SafeTensorsFiles nonFinite = builder()
                .tensor("nan.weight", "F32", shape(2, 3), f32(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                        -0f, Float.MIN_VALUE, Float.MAX_VALUE))
                .tensor("zero.weight", "F32", shape(4, 0), new byte[0])
                .tensor("half.weight", "F16", shape(3), u16(0x7C00, 0xFC00, 0x7E00))
                .tensor("bf.weight", "BF16", shape(2), u16(0x7FC0, 0xFF80));
        return List.of(new Base("mlp", mlp, "{\"format\":\"pt\"}"), new Base("mixed", mixed, null),
                new Base("scalars", scalars, "{\"a\":\"b\",\"c\":\"d\"}"), new Base("nonfinite", nonFinite, null));
    }

    @Override
    public String format() {
        return "safetensors";
    }

    @Override
    public void catalogue(Cases cases, Sandbox sandbox) {
        Random random = new Random(SEED);
        add(cases, "tiny", -1, "empty file", new byte[0], Expect.REJECT);
        add(cases, "tiny", -1, "1-byte file", new byte[] {2}, Expect.REJECT);
        add(cases, "tiny", -1, "7-byte file", new byte[] {8, 0, 0, 0, 0, 0, 0}, Expect.REJECT);
        add(cases, "tiny", -1, "8-byte file, header length 0", new byte[8], Expect.REJECT);
        add(cases, "tiny", -1, "8-byte file, header length 2", new byte[] {2, 0, 0, 0, 0, 0, 0, 0}, Expect.REJECT);
        for (Base base : BASES) {
            byte[] good = base.bytes();
            add(cases, "pristine", -1, base.name() + " unchanged", good, Expect.LOAD);
            int headerEnd = (int) (8 + SafeTensorsFiles.headerLength(good));
            for (int i = 0; i < 250; i++) {
                one(cases, base, Kind.TRUNCATE, random, -1);
            }
            for (int i = 0; i < 220; i++) {
                one(cases, base, Kind.HEADER_FLIP, random, -1);
            }
            if (good.length > headerEnd) {
                for (int i = 0; i < 50; i++) {
                    one(cases, base, Kind.DATA_BYTE, random, -1);
                }
            }
            long n = SafeTensorsFiles.headerLength(good);
            long[] lengths = {Long.MAX_VALUE, Long.MIN_VALUE, -1, -8, 100_000_001L, 100_000_000L, 1L << 32,
                good.length - 8 + 1, good.length - 7 + 1000, n - 1, n + 1, n - 8, n + 8, 0, 1};
            for (long len : lengths) {
                add(cases, "length-field", -1, base.name() + " header length field " + len, withLength(good, len),
                        Expect.REJECT);
            }
            for (int i = 0; i < 30; i++) {
                one(cases, base, Kind.LENGTH_FIELD, random, -1);
            }
            for (int i = 0; i < 8; i++) {
                one(cases, base, Kind.LENGTH_FLIP, random, -1);
            }
            jsonDocuments(base, cases);
            for (int i = 0; i < 230; i++) {
                one(cases, base, Kind.JSON_EDIT, random, -1);
            }
            for (int i = 0; i < 110; i++) {
                one(cases, base, Kind.TEXT_EDIT, random, -1);
            }
            for (int i = 0; i < 40; i++) {
                one(cases, base, Kind.UTF8, random, -1);
            }
        }
    }

    @Override
    public FuzzCase random(int index, long seed, Sandbox sandbox) {
        Random r = new Random(seed);
        Cases one = new Cases();
        Base base = BASES.get(r.nextInt(BASES.size()));
        Kind kind = Kind.values()[r.nextInt(Kind.values().length)];
        if (r.nextInt(8) == 0) {
            ByteMutations.Mutation mu = ByteMutations.any(base.bytes(), r);
            add(one, "random-bytes", seed, base.name() + " " + mu.what(), mu.bytes(),
                    mu.bytes().length < 8 ? Expect.REJECT : Expect.EITHER);
        } else {
            one(one, base, kind, r, seed);
        }
        FuzzCase c = one.list().get(0);
        return new FuzzCase("random-" + c.generator(), index, seed, c.detail(), c.expect(), c.setup());
    }

    @Override
    public Outcome attempt(FuzzCase c, Path file) {
        SafeTensorsReader reader = c.index() % 4 == 0 ? new SafeTensorsReader(16) : new SafeTensorsReader();
        Model m;
        try {
            m = reader.read(file);
        } catch (Throwable t) {
            return Outcome.failed(t);
        }
        for (WeightTensor t : m.tensors()) {
            if (t.elementCount() <= 1_000_000) {
                try {
                    float[] values = t.data().readAllFloats();
                    if (values.length != t.elementCount()) {
                        throw new IllegalStateException("tensor " + t.name() + " decoded " + values.length + " values");
                    }
                } catch (Throwable e) {
                    return new Outcome(e, "decoding tensor " + t.name(), m.tensors().size() + " tensors");
                }
            }
        }
        return Outcome.loaded(m.tensors().size() + " tensors");
    }

    private static void add(Cases cases, String generator, long seed, String detail, byte[] bytes, Expect expect) {
        cases.add(generator, seed, detail, expect, Bytes.files("model.safetensors", bytes, Map.of()));
    }

    /** One case of {@code kind} drawn from {@code random}. */
    private static void one(Cases cases, Base base, Kind kind, Random random, long seed) {
        byte[] good = base.bytes();
        long n = SafeTensorsFiles.headerLength(good);
        int headerEnd = (int) (8 + n);
        switch (kind) {
            case TRUNCATE -> {
                int len = random.nextInt(good.length);
                add(cases, "truncate", seed, base.name() + " truncated to " + len + " bytes", Arrays.copyOf(good, len),
                        Expect.REJECT);
            }
            case HEADER_FLIP -> {
                byte[] b = good.clone();
                StringBuilder what = new StringBuilder(base.name() + " header bytes changed:");
                int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++) {
                    int at = 8 + random.nextInt((int) n);
                    byte v = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (b[at] ^ (1 << random.nextInt(8)));
                    what.append(" @").append(at).append('=').append(v & 0xff);
                    b[at] = v;
                }
                add(cases, "header-flip", seed, what.toString(), b, Expect.EITHER);
            }
            case DATA_BYTE -> {
                if (good.length <= headerEnd) {
                    one(cases, base, Kind.TRUNCATE, random, seed);
                    return;
                }
                byte[] b = good.clone();
                int at = headerEnd + random.nextInt(good.length - headerEnd);
                b[at] = (byte) random.nextInt(256);
                add(cases, "data-byte", seed, base.name() + " data byte " + at + " set to " + (b[at] & 0xff), b,
                        Expect.LOAD);
            }
            case LENGTH_FIELD -> {
                long len = random.nextBoolean() ? random.nextLong() : random.nextInt(good.length + 16);
                if (len == n) {
                    len = n + 1;
                }
                add(cases, "length-field", seed, base.name() + " header length field " + len, withLength(good, len),
                        Expect.REJECT);
            }
            case LENGTH_FLIP -> {
                byte[] b = good.clone();
                b[random.nextInt(8)] ^= (byte) (1 << random.nextInt(8));
                add(cases, "length-flip", seed, base.name() + " header length bit flip", b, Expect.REJECT);
            }
            case JSON_EDIT -> jsonEdit(base, random, cases, seed);
            case TEXT_EDIT -> textEdit(base, random, cases, seed);
            default -> utf8Damage(base, random, cases, seed);
        }
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

    /** Whole-document damage: not an object, bad metadata, trailing garbage, extra data, duplicates. */
    private static void jsonDocuments(Base base, Cases cases) {
        byte[] data = base.files().data();
        for (String doc : BAD_DOCUMENTS) {
            add(cases, "json", -1, base.name() + " document " + doc, SafeTensorsFiles.assemble(doc, data, true),
                    Expect.REJECT);
        }
        for (String meta : BAD_METADATA) {
            add(cases, "json", -1, base.name() + " __metadata__ " + meta,
                    SafeTensorsFiles.assemble(header(meta, entries(base)), data, true), Expect.REJECT);
        }
        add(cases, "json", -1, base.name() + " with trailing garbage after the JSON",
                SafeTensorsFiles.assemble(header(base.metadataJson(), entries(base)) + " x", data, true), Expect.REJECT);
        add(cases, "json", -1, base.name() + " with extra data bytes",
                SafeTensorsFiles.assemble(header(base.metadataJson(), entries(base)), Bytes.concat(data, new byte[8]),
                        true), Expect.REJECT);
        add(cases, "json", -1, base.name() + " unpadded",
                SafeTensorsFiles.assemble(header(base.metadataJson(), entries(base)), data, false), Expect.LOAD);
        List<EntryJson> extra = entries(base);
        extra.get(0).extra = "\"foo\":[1,{\"bar\":null}]";
        add(cases, "json", -1, base.name() + " with an unknown extra field",
                SafeTensorsFiles.assemble(header(base.metadataJson(), extra), data, true), Expect.LOAD);
        List<EntryJson> dup = entries(base);
        dup.add(dup.get(0));
        add(cases, "json", -1, base.name() + " with a duplicate tensor",
                SafeTensorsFiles.assemble(header(base.metadataJson(), dup), data, true), Expect.REJECT);
        StringBuilder deep = new StringBuilder();
        deep.append("[".repeat(100_000)).append("]".repeat(100_000));
        add(cases, "json", -1, base.name() + " __metadata__ nested 100000 deep",
                SafeTensorsFiles.assemble(header("{\"a\":" + deep + "}", entries(base)), data, true), Expect.REJECT);
    }

    /** One field of one entry replaced (bad shape, offsets, dtype, entry; missing field; random; overlap). */
    private static void jsonEdit(Base base, Random random, Cases cases, long seed) {
        byte[] data = base.files().data();
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
        add(cases, "json-edit", seed, base.name() + " tensor " + target.name + ": " + what, bytes, expect);
    }

    /** Character-level edits of the header text: deletions, duplications, digit changes, insertions. */
    private static void textEdit(Base base, Random random, Cases cases, long seed) {
        byte[] data = base.files().data();
        String json = header(base.metadataJson(), entries(base));
        String junk = "{}[]\",:0123456789-.eE tfn\\";
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
        add(cases, "text-edit", seed, base.name() + " header text " + what,
                SafeTensorsFiles.assemble(s.toString(), data, random.nextBoolean()), Expect.EITHER);
    }

    private static final byte[][] BAD_UTF8 = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0,
        (byte) 0x80}, {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xC3}};

    /** An invalid UTF-8 sequence placed inside the header (in a name, or between tokens). */
    private static void utf8Damage(Base base, Random random, Cases cases, long seed) {
        byte[] data = base.files().data();
        byte[] json = header(base.metadataJson(), entries(base)).getBytes(StandardCharsets.UTF_8);
        byte[] seq = BAD_UTF8[random.nextInt(BAD_UTF8.length)];
        int at = 2 + random.nextInt(json.length - 2);
        byte[] header = Bytes.concat(Arrays.copyOf(json, at), seq, Arrays.copyOfRange(json, at, json.length));
        add(cases, "utf8", seed, base.name() + " invalid UTF-8 " + Arrays.toString(seq) + " at " + at,
                SafeTensorsFiles.assemble(header, data, true), Expect.REJECT);
    }

    private static long[] offsets(String json) {
        String[] parts = json.substring(1, json.length() - 1).split(",");
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    }

    private static String pick(Random random, String[] options) {
        return options[random.nextInt(options.length)];
    }
}
