package org.sparsitybench.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.builder;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.f32;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.f64;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.i32;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.i64;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.shape;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.u16;
import static org.sparsitybench.tools.fuzz.SafeTensorsFiles.u8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.task.CancellationToken;
import org.junit.jupiter.api.Test;
import org.sparsitybench.tools.fuzz.SafeTensorsFiles;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.model.WeightTensor;

class SafeTensorsWriterTest {
    @TempDir
    Path dir;

    private final SafeTensorsReader reader = new SafeTensorsReader();
    private final SafeTensorsWriter writer = new SafeTensorsWriter();

    /** One tensor of every dtype the format supports, with values that exercise sign, subnormals and extremes. */
    private static SafeTensorsFiles everyDtype() {
        return builder()
                .meta("format", "pt")
                .tensor("f64.weight", "F64", shape(2, 2), f64(1.5, -0.1, 1e-300, Double.MAX_VALUE))
                .tensor("f32.weight", "F32", shape(2, 3), f32(1, -2, 3.25f, Float.MIN_VALUE, 0, -0f))
                .tensor("f16.weight", "F16", shape(3, 1), u16(0x3C00, 0x8001, 0x7BFF))
                .tensor("bf16.weight", "BF16", shape(1, 3), u16(0x3F80, 0xC040, 0x0001))
                .tensor("i64", "I64", shape(2), i64(Long.MIN_VALUE, 42))
                .tensor("i32", "I32", shape(2), i32(Integer.MAX_VALUE, -7))
                .tensor("i16", "I16", shape(3), u16(0x8000, 0x7FFF, 1))
                .tensor("i8.weight", "I8", shape(2, 2), u8(0x80, 0x7F, 0, 0xFF))
                .tensor("u8", "U8", shape(2), u8(0, 255))
                .tensor("mask", "BOOL", shape(3), u8(1, 0, 1))
                .tensor("f8a", "F8_E4M3", shape(2), u8(0x38, 0xB8))
                .tensor("f8b", "F8_E5M2", shape(2), u8(0x3C, 0x7C))
                .tensor("empty", "F32", shape(0), new byte[0])
                .tensor("scalar", "F64", shape(), f64(2));
    }

    private Model load(SafeTensorsFiles files, String name) throws IOException {
        return reader.read(files.write(dir.resolve(name)));
    }

    @Test
    void everyDtypeRoundTripsByteForByte() throws IOException {
        SafeTensorsFiles files = everyDtype();
        Model model = load(files, "in.safetensors");
        Path out = dir.resolve("out.safetensors");
        writer.write(model, Map.of(), Map.of(), out);
        assertArrayEquals(files.bytes(), Files.readAllBytes(out));

        Model back = reader.read(out);
        assertEquals(model.tensors().size(), back.tensors().size());
        for (WeightTensor t : model.tensors()) {
            WeightTensor u = back.tensor(t.name()).orElseThrow();
            assertEquals(t.dtype(), u.dtype(), t.name());
            assertArrayEquals(t.shape(), u.shape(), t.name());
            assertArrayEquals(t.data().readAllFloats(), u.data().readAllFloats(), t.name());
        }
        assertEquals(model.metadata(), back.metadata());
    }

    @Test
    void modelReadInSmallWindowsIsWrittenBackUnchanged() throws IOException {
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        SafeTensorsFiles files = builder().tensor("a.weight", "F32", shape(10, 100), f32(values))
                .tensor("b.weight", "F16", shape(3, 11), u16(new int[33]));
        Model model = new SafeTensorsReader(64).read(files.write(dir.resolve("in.safetensors")));
        Path out = dir.resolve("out.safetensors");
        writer.write(model, Map.of(), Map.of(), out);
        assertArrayEquals(files.bytes(), Files.readAllBytes(out));
    }

    @Test
    void headerIsPaddedWithSpacesToAMultipleOfEightBytes() throws IOException {
        for (int len = 1; len <= 9; len++) {
            String name = "x".repeat(len);
            Model model = load(builder().tensor(name, "U8", shape(1), u8(len)), "in" + len + ".safetensors");
            Path out = dir.resolve("out" + len + ".safetensors");
            writer.write(model, Map.of(), Map.of(), out);
            byte[] bytes = Files.readAllBytes(out);
            long n = SafeTensorsFiles.headerLength(bytes);
            assertEquals(0, (8 + n) % 8, name);
            String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
            String json = "{\"" + name + "\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
            assertEquals(json, header.stripTrailing());
            assertTrue(header.substring(json.length()).chars().allMatch(c -> c == ' '), header);
            assertTrue(header.length() - json.length() < 8);
            assertEquals(8 + n + 1, bytes.length);
        }
    }

    /**
     * An export of at least {@link org.sparsitybench.formats.BackgroundWrites#DIRECT_MIN_BYTES} is written with direct I/O: its header is
     * padded so that the tensors start at a 4 KiB boundary, and its bytes are those of the update and the originals.
     */
    @Test
    void largeExportsStartTheirTensorsAtABlockBoundary() throws IOException {
        int n = (int) (org.sparsitybench.formats.BackgroundWrites.DIRECT_MIN_BYTES / 2); // BF16: just large enough
        byte[] big = new byte[2 * n];
        byte[] want = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToIntBits((i % 256) - 128) >>> 16; // exact in BF16
            big[2 * i] = (byte) bits;
            big[2 * i + 1] = (byte) (bits >>> 8);
            if (i % 2 == 0) {
                want[2 * i] = big[2 * i];
                want[2 * i + 1] = big[2 * i + 1];
            }
        }
        Model model = load(builder().tensor("norm", "F32", shape(3), f32(1, 2, 3))
                .tensor("big.weight", "BF16", shape(n), big)
                .tensor("tail", "U8", shape(5), u8(1, 2, 3, 4, 5)), "in.safetensors");
        big = null;
        TensorData halved = new TensorData() {
            @Override
            public DType dtype() {
                return DType.FLOAT;
            }

            @Override
            public long elementCount() {
                return n;
            }

            @Override
            public void readFloats(long first, FloatBuffer dst) {
                for (long i = first; dst.hasRemaining(); i++) {
                    dst.put(i % 2 == 0 ? (i % 256) - 128 : 0);
                }
            }
        };
        Path out = dir.resolve("out.safetensors");
        writer.write(model, Map.of("big.weight", new TensorUpdate(new long[] {n}, halved)), Map.of(), out);
        byte[] bytes = Files.readAllBytes(out);
        long h = SafeTensorsFiles.headerLength(bytes);
        assertEquals(0, (8 + h) % SafeTensorsWriter.DIRECT_ALIGN, "tensors start at " + (8 + h));
        String header = new String(bytes, 8, (int) h, StandardCharsets.UTF_8);
        assertTrue(header.stripTrailing().endsWith("}") && header.length() - header.stripTrailing().length() > 8,
                "padded with spaces: " + header.length() + " bytes");
        int at = (int) (8 + h);
        assertArrayEquals(f32(1, 2, 3), Arrays.copyOfRange(bytes, at, at + 12));
        assertTrue(Arrays.equals(want, 0, want.length, bytes, at + 12, at + 12 + want.length), "the BF16 tensor");
        assertArrayEquals(u8(1, 2, 3, 4, 5), Arrays.copyOfRange(bytes, at + 12 + want.length, bytes.length));
        assertEquals(List.of("norm", "big.weight", "tail"), reader.read(out).tensors().stream()
                .map(WeightTensor::name).toList());
    }

    @Test
    void updatesToHalfAndBfloatTensorsAreWrittenInTheirOwnDtype() throws IOException {
        SafeTensorsFiles files = everyDtype();
        Model model = load(files, "in.safetensors");
        WeightTensor half = model.tensor("f16.weight").orElseThrow();
        WeightTensor bf = model.tensor("bf16.weight").orElseThrow();
        Map<String, TensorUpdate> updates = Map.of(
                "f16.weight", TensorUpdate.of(half, new float[] {0f, 0x1p-24f, -65504f}),
                "bf16.weight", TensorUpdate.of(bf, new float[] {1.00390625f, 0f, -0f}));
        Path out = dir.resolve("out.safetensors");
        writer.write(model, updates, Map.of(), out);

        SafeTensorsFiles expected = builder().meta("format", "pt");
        for (SafeTensorsFiles.Entry e : files.entries()) {
            byte[] raw = switch (e.name()) {
                case "f16.weight" -> u16(0x0000, 0x0001, 0xFBFF);
                // 1.00390625 is halfway between bf16 1.0 and 1.0078125: ties to even gives 0x3F80
                case "bf16.weight" -> u16(0x3F80, 0x0000, 0x8000);
                default -> e.raw();
            };
            expected.tensor(e.name(), e.code(), e.shape(), raw);
        }
        assertArrayEquals(expected.bytes(), Files.readAllBytes(out));

        Model back = reader.read(out);
        assertEquals(DType.FLOAT16, back.tensor("f16.weight").orElseThrow().dtype());
        assertEquals(DType.BFLOAT16, back.tensor("bf16.weight").orElseThrow().dtype());
        assertArrayEquals(new float[] {0f, 0x1p-24f, -65504f},
                back.tensor("f16.weight").orElseThrow().data().readAllFloats());
    }

    @Test
    void updateMayChangeTheShapeAndOffsetsAreRecomputed() throws IOException {
        Model model = load(builder()
                .tensor("fc.weight", "F32", shape(3, 2), f32(1, 2, 3, 4, 5, 6))
                .tensor("fc.bias", "F32", shape(3), f32(7, 8, 9))
                .tensor("head.weight", "F64", shape(1, 3), f64(1, 2, 3)), "in.safetensors");
        Map<String, TensorUpdate> updates = Map.of(
                "fc.weight", new TensorUpdate(new long[] {2, 2}, TensorData.ofFloats(new float[] {1, 2, 5, 6})),
                "fc.bias", new TensorUpdate(new long[] {2}, TensorData.ofFloats(new float[] {7, 9})),
                "head.weight", new TensorUpdate(new long[] {1, 2}, TensorData.ofFloats(new float[] {1, 3})));
        Path out = dir.resolve("out.safetensors");
        writer.write(model, updates, Map.of(), out);
        byte[] expected = builder()
                .tensor("fc.weight", "F32", shape(2, 2), f32(1, 2, 5, 6))
                .tensor("fc.bias", "F32", shape(2), f32(7, 9))
                .tensor("head.weight", "F64", shape(1, 2), f64(1, 3)).bytes();
        assertArrayEquals(expected, Files.readAllBytes(out));
    }

    @Test
    void largeUpdatesAreEncodedInChunksOfAtMostAMillionElements() throws IOException {
        int n = 2_500_001;
        Model model = load(builder().tensor("big.weight", "F16", shape(n), new byte[2 * n]), "in.safetensors");
        int[] largestRead = new int[1];
        TensorData values = new TensorData() {
            @Override
            public DType dtype() {
                return DType.FLOAT;
            }

            @Override
            public long elementCount() {
                return n;
            }

            @Override
            public void readFloats(long first, FloatBuffer dst) {
                largestRead[0] = Math.max(largestRead[0], dst.remaining());
                while (dst.hasRemaining()) {
                    dst.put((first++ % 2048) - 1024);
                }
            }
        };
        Path out = dir.resolve("out.safetensors");
        writer.write(model, Map.of("big.weight", new TensorUpdate(new long[] {n}, values)), Map.of(), out);
        assertTrue(largestRead[0] <= 1 << 20, "read " + largestRead[0] + " elements at once");
        float[] back = reader.read(out).tensor("big.weight").orElseThrow().data().readAllFloats();
        for (int i = 0; i < n; i += 9973) {
            assertEquals((i % 2048) - 1024, back[i], "element " + i);
        }
        assertEquals((n - 1) % 2048 - 1024, back[n - 1]);
    }

    @Test
    void metadataIsKeptAndExtended() throws IOException {
        Model model = load(builder().meta("format", "pt").meta("author", "x")
                .tensor("a", "U8", shape(1), u8(1)), "in.safetensors");
        Path out = dir.resolve("out.safetensors");
        writer.write(model, Map.of(), Map.of("sparsity", "0.5", "author", "sparsitybench"), out);
        Model back = reader.read(out);
        assertEquals(List.of("format", "author", "sparsity"), List.copyOf(back.metadata().keySet()));
        assertEquals("pt", back.metadata().get("format"));
        assertEquals("sparsitybench", back.metadata().get("author"));
        assertEquals("0.5", back.metadata().get("sparsity"));
        assertEquals(Map.of("format", "pt", "author", "x"), model.metadata(), "the loaded model is unchanged");
    }

    @Test
    void metadataKnownOnlyAfterTheTensorsReplacesItsPlaceholdersInTheHeader() throws IOException {
        Model model = load(builder().meta("format", "pt").tensor("w.weight", "BF16", shape(3), u16(1, 2, 3)),
                "in.safetensors");
        Path out = dir.resolve("out.safetensors");
        boolean[] tensorsWritten = {false};
        TensorData values = TensorData.ofFloats(new float[] {1, 0, -2});
        writer.write(model, Map.of("w.weight", new TensorUpdate(new long[] {3}, new TensorData() {
            @Override
            public DType dtype() {
                return values.dtype();
            }

            @Override
            public long elementCount() {
                return 3;
            }

            @Override
            public void readFloats(long first, FloatBuffer dst) {
                values.readFloats(first, dst);
                tensorsWritten[0] = true;
            }
        })), Map.of("hash", "0".repeat(64)), () -> {
            assertTrue(tensorsWritten[0], "asked for once the values are out");
            return Map.of("hash", "ab".repeat(32));
        }, out, ProgressListener.NONE, CancellationToken.NONE);
        Model back = reader.read(out);
        assertEquals(Map.of("format", "pt", "hash", "ab".repeat(32)), back.metadata());
        assertArrayEquals(new float[] {1, 0, -2}, back.tensor("w.weight").orElseThrow().data().readAllFloats());
    }

    @Test
    void finalMetadataOfAnotherLengthFailsAndLeavesNothing() throws IOException {
        Model model = load(builder().tensor("a", "U8", shape(1), u8(1)), "in.safetensors");
        Path out = dir.resolve("out.safetensors");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> writer.write(model, Map.of(),
                Map.of("hash", "0".repeat(64)), () -> Map.of("hash", "0".repeat(72)), out, ProgressListener.NONE,
                CancellationToken.NONE));
        assertTrue(e.getMessage().contains("placeholders"), e.getMessage());
        assertFalse(Files.exists(out));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("in.safetensors"), files.map(f -> f.getFileName().toString()).toList(),
                    "no temporary file left");
        }
    }

    @Test
    void metadataIsOmittedWhenThereIsNone() throws IOException {
        Model model = load(builder().tensor("a", "U8", shape(1), u8(1)), "in.safetensors");
        Path out = dir.resolve("out.safetensors");
        writer.write(model, Map.of(), Map.of(), out);
        assertFalse(new String(Files.readAllBytes(out), StandardCharsets.UTF_8).contains("__metadata__"));
        writer.write(model, Map.of(), Map.of("k", "v"), out);
        assertEquals(Map.of("k", "v"), reader.read(out).metadata());
    }

    @Test
    void writerRefusesToOverwriteItsInput() throws IOException {
        SafeTensorsFiles files = everyDtype();
        Path in = files.write(dir.resolve("in.safetensors"));
        Model model = reader.read(in);
        IOException e = assertThrows(IOException.class, () -> writer.write(model, Map.of(), Map.of(), in));
        assertTrue(e.getMessage().contains("refusing to overwrite"), e.getMessage());
        Path viaDots = dir.resolve("sub").resolve("..").resolve("in.safetensors");
        assertThrows(IOException.class, () -> writer.write(model, Map.of(), Map.of(), viaDots));
        Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), in);
        assertThrows(IOException.class, () -> writer.write(model, Map.of(), Map.of(), link));
        assertArrayEquals(files.bytes(), Files.readAllBytes(in));
    }

    @Test
    void existingTargetIsLeftUntouchedWhenWritingFailsMidStream() throws IOException {
        Model model = load(everyDtype(), "in.safetensors");
        Path out = dir.resolve("out.safetensors");
        byte[] old = "an older file".getBytes(StandardCharsets.UTF_8);
        Files.write(out, old);
        TensorData failing = new TensorData() {
            @Override
            public DType dtype() {
                return DType.FLOAT;
            }

            @Override
            public long elementCount() {
                return 1;
            }

            @Override
            public void readFloats(long first, FloatBuffer dst) {
                throw new UncheckedIOException(new IOException("disk went away"));
            }
        };
        // the last tensor fails, so the header and the other tensors have been streamed already
        Map<String, TensorUpdate> updates = Map.of("scalar", new TensorUpdate(new long[0], failing));
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> writer.write(model, updates, Map.of(), out));
        assertEquals("disk went away", e.getCause().getMessage());
        assertArrayEquals(old, Files.readAllBytes(out));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("in.safetensors", "out.safetensors"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file is left");
        }
    }

    @Test
    void updateForAnUnknownTensorIsRejectedBeforeAnythingIsWritten() throws IOException {
        Model model = load(everyDtype(), "in.safetensors");
        Path out = dir.resolve("out.safetensors");
        Map<String, TensorUpdate> updates = Map.of("nope.weight",
                new TensorUpdate(new long[] {1}, TensorData.ofFloats(new float[] {1})));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> writer.write(model, updates, Map.of(), out));
        assertTrue(e.getMessage().contains("nope.weight"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void updateForAnIntegerOrFp8TensorIsUnsupported() throws IOException {
        Model model = load(everyDtype(), "in.safetensors");
        Path out = dir.resolve("out.safetensors");
        Files.write(out, new byte[] {1, 2, 3});
        for (String name : List.of("i8.weight", "i64", "mask", "f8a")) {
            WeightTensor t = model.tensor(name).orElseThrow();
            float[] zeros = new float[(int) t.elementCount()];
            UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                    () -> writer.write(model, Map.of(name, TensorUpdate.of(t, zeros)), Map.of(), out));
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(out));
    }

    @Test
    void updateWithNegativeDimensionsIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new TensorUpdate(new long[] {-1, -1}, TensorData.ofFloats(new float[] {1})));
        assertThrows(IllegalArgumentException.class,
                () -> new TensorUpdate(new long[] {1L << 32, 1L << 32, 4}, TensorData.ofFloats(new float[] {1})));
    }

    @Test
    void writtenFileKeepsTheOriginalTensorOrder() throws IOException {
        String header = "{\"z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path in = dir.resolve("in.safetensors");
        Files.write(in, SafeTensorsFiles.assemble(header, f32(1, 2), false));
        Path out = dir.resolve("out.safetensors");
        writer.write(reader.read(in), Map.of(), Map.of(), out);
        byte[] expected = builder().tensor("z", "F32", shape(1), f32(2)).tensor("a", "F32", shape(1), f32(1)).bytes();
        assertArrayEquals(expected, Files.readAllBytes(out), () -> Arrays.toString(expected));
    }
}
