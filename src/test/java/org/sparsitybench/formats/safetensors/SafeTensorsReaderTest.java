package org.sparsitybench.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparsitybench.fuzz.SafeTensorsFiles.assemble;
import static org.sparsitybench.fuzz.SafeTensorsFiles.builder;
import static org.sparsitybench.fuzz.SafeTensorsFiles.f32;
import static org.sparsitybench.fuzz.SafeTensorsFiles.f64;
import static org.sparsitybench.fuzz.SafeTensorsFiles.i32;
import static org.sparsitybench.fuzz.SafeTensorsFiles.i64;
import static org.sparsitybench.fuzz.SafeTensorsFiles.shape;
import static org.sparsitybench.fuzz.SafeTensorsFiles.u16;
import static org.sparsitybench.fuzz.SafeTensorsFiles.u8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparsitybench.fuzz.SafeTensorsFiles;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.NodeTensors;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;

class SafeTensorsReaderTest {
    @TempDir
    Path dir;

    private final SafeTensorsReader reader = new SafeTensorsReader();

    private Model read(byte[] bytes) throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.write(file, bytes);
        return reader.read(file);
    }

    private ModelFormatException rejected(byte[] bytes) {
        Path file = dir.resolve("bad.safetensors");
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> reader.read(file));
        assertEquals(file, e.file());
        return e;
    }

    private static float[] floats(Model m, String name) {
        return m.tensor(name).orElseThrow().data().readAllFloats();
    }

    @Test
    void everyDtypeMapsToItsElementType() throws IOException {
        Model m = read(builder()
                .tensor("a", "F64", shape(1), f64(1))
                .tensor("b", "F32", shape(1), f32(1))
                .tensor("c", "F16", shape(1), u16(0x3C00))
                .tensor("d", "BF16", shape(1), u16(0x3F80))
                .tensor("e", "I64", shape(1), i64(1))
                .tensor("f", "I32", shape(1), i32(1))
                .tensor("g", "I16", shape(1), u16(1))
                .tensor("h", "I8", shape(1), u8(1))
                .tensor("i", "U8", shape(1), u8(1))
                .tensor("j", "BOOL", shape(1), u8(1))
                .tensor("k", "F8_E4M3", shape(1), u8(0x38))
                .tensor("l", "F8_E5M2", shape(1), u8(0x3C))
                .bytes());
        List<DType> expected = List.of(DType.DOUBLE, DType.FLOAT, DType.FLOAT16, DType.BFLOAT16, DType.INT64,
                DType.INT32, DType.INT16, DType.INT8, DType.UINT8, DType.BOOL, DType.FLOAT8_E4M3, DType.FLOAT8_E5M2);
        assertEquals(expected, m.tensors().stream().map(WeightTensor::dtype).toList());
        for (WeightTensor t : m.tensors()) {
            assertArrayEquals(new float[] {1f}, t.data().readAllFloats(), t.name());
        }
        assertEquals(ModelFormat.SAFETENSORS, m.format());
        assertTrue(m.graph().nodes().isEmpty());
    }

    @Test
    void halfBfloatDoubleAndIntegerValuesDecodeToTheExpectedFloats() throws IOException {
        Model m = read(builder()
                .tensor("half", "F16", shape(6), u16(0x3C00, 0xC000, 0x0001, 0x03FF, 0x7C00, 0x3555))
                .tensor("bf", "BF16", shape(4), u16(0x3F80, 0xC040, 0x0001, 0xFF80))
                .tensor("dbl", "F64", shape(3), f64(0.1, -1e300, 2.5))
                .tensor("i8", "I8", shape(2), u8(0x80, 0x7F))
                .tensor("u8", "U8", shape(1), u8(0xFF))
                .tensor("i64", "I64", shape(1), i64(-5_000_000_000L))
                .bytes());
        assertArrayEquals(new float[] {1f, -2f, 0x1p-24f, 1023 * 0x1p-24f, Float.POSITIVE_INFINITY, 0.33325195f},
                floats(m, "half"));
        assertArrayEquals(new float[] {1f, -3f, Float.intBitsToFloat(0x00010000), Float.NEGATIVE_INFINITY},
                floats(m, "bf"));
        assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY, 2.5f}, floats(m, "dbl"));
        assertArrayEquals(new float[] {-128f, 127f}, floats(m, "i8"));
        assertArrayEquals(new float[] {255f}, floats(m, "u8"));
        assertArrayEquals(new float[] {-5e9f}, floats(m, "i64"));
    }

    @Test
    void metadataIsKeptInHeaderOrder() throws IOException {
        Model m = read(builder().meta("format", "pt").meta("note", "zwölf \"quoted\"")
                .tensor("w", "F32", shape(1), f32(1)).bytes());
        assertEquals(List.of("format", "note"), List.copyOf(m.metadata().keySet()));
        assertEquals("zwölf \"quoted\"", m.metadata().get("note"));
        assertEquals(1, m.tensors().size());
    }

    @Test
    void tensorsAreListedInHeaderOrderAndGroupedByModulePath() throws IOException {
        Model m = read(builder()
                .tensor("model.layers.0.mlp.up.weight", "F32", shape(3, 2), f32(1, 2, 3, 4, 5, 6))
                .tensor("model.layers.0.mlp.up.bias", "F32", shape(3), f32(0, 0, 0))
                .tensor("model.layers.0.input_layernorm.weight", "F32", shape(2), f32(1, 1))
                .tensor("model.layers.0.ln_1.weight", "BF16", shape(2), u16(0x3F80, 0x3F80))
                .tensor("features.BN2.weight", "F16", shape(2), u16(0x3C00, 0x3C00))
                .tensor("features.conv.weight", "F16", shape(2, 1, 1, 1), u16(0x3C00, 0x3C00))
                .tensor("quant.weight", "I8", shape(2, 2), u8(1, 2, 3, 4))
                .tensor("head.scale.weight", "F32", shape(2), f32(1, 1))
                .tensor("step", "I64", shape(), i64(7))
                .tensor("emb.weight", "F64", shape(2, 2), f64(1, 2, 3, 4))
                .bytes());
        List<String> names = m.tensors().stream().map(WeightTensor::name).toList();
        assertEquals(List.of("model.layers.0.mlp.up.weight", "model.layers.0.mlp.up.bias",
                "model.layers.0.input_layernorm.weight", "model.layers.0.ln_1.weight", "features.BN2.weight",
                "features.conv.weight", "quant.weight", "head.scale.weight", "step", "emb.weight"), names);

        WeightTensor up = m.tensor("model.layers.0.mlp.up.weight").orElseThrow();
        assertEquals("model.layers.0.mlp.up", up.node());
        assertEquals("", up.op());
        assertEquals("data", up.storage());
        assertEquals(TensorRole.WEIGHT, up.role());
        assertTrue(up.prunable());
        assertEquals(0, up.pruneAxis());

        WeightTensor bias = m.tensor("model.layers.0.mlp.up.bias").orElseThrow();
        assertEquals(TensorRole.BIAS, bias.role());
        assertFalse(bias.prunable());
        assertEquals(WeightTensor.NO_AXIS, bias.pruneAxis());

        for (String norm : List.of("model.layers.0.input_layernorm.weight", "model.layers.0.ln_1.weight",
                "features.BN2.weight")) {
            WeightTensor t = m.tensor(norm).orElseThrow();
            assertEquals(TensorRole.NORM, t.role(), norm);
            assertFalse(t.prunable(), norm);
        }
        WeightTensor conv = m.tensor("features.conv.weight").orElseThrow();
        assertTrue(conv.prunable());
        assertEquals(0, conv.pruneAxis());

        WeightTensor quant = m.tensor("quant.weight").orElseThrow();
        assertEquals(TensorRole.WEIGHT, quant.role());
        assertFalse(quant.prunable(), "integer weights are not prunable");
        assertEquals(WeightTensor.NO_AXIS, quant.pruneAxis());

        assertEquals(TensorRole.OTHER, m.tensor("head.scale.weight").orElseThrow().role());
        WeightTensor step = m.tensor("step").orElseThrow();
        assertEquals("step", step.node());
        assertEquals(TensorRole.OTHER, step.role());
        assertEquals(0, step.rank());
        assertArrayEquals(new float[] {7f}, step.data().readAllFloats());
        assertTrue(m.tensor("emb.weight").orElseThrow().prunable());

        List<String> layers = m.nodeTensors().stream().map(NodeTensors::name).toList();
        assertEquals(List.of("model.layers.0.mlp.up", "model.layers.0.input_layernorm", "model.layers.0.ln_1",
                "features.BN2", "features.conv", "quant", "head.scale", "step", "emb"), layers);
        assertEquals(2, m.nodeTensors().get(0).tensors().size());
        assertEquals(List.of("model.layers.0.mlp.up.weight", "features.conv.weight", "emb.weight"),
                m.prunableTensors().stream().map(WeightTensor::name).toList());
    }

    @Test
    void tensorSplitAcrossSeveralWindowsReadsCorrectly() throws IOException {
        float[] big = new float[100];
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.5f - 7;
        }
        int[] halfBits = new int[77];
        float[] halfValues = new float[77];
        for (int i = 0; i < halfBits.length; i++) {
            halfBits[i] = 0x3C00 + i;
            halfValues[i] = org.sparsitybench.model.DTypeCodec.halfToFloat(0x3C00 + i);
        }
        double[] doubles = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        Path file = builder()
                .tensor("big.weight", "F32", shape(10, 10), f32(big))
                .tensor("odd.weight", "F16", shape(77), u16(halfBits))
                .tensor("dbl", "F64", shape(11), f64(doubles))
                .write(dir.resolve("split.safetensors"));

        Model m = new SafeTensorsReader(64).read(file);
        BufferTensorData bigData = (BufferTensorData) m.tensor("big.weight").orElseThrow().data();
        assertEquals(7, bigData.windows().size(), "400 bytes in 64-byte windows");
        assertArrayEquals(big, bigData.readAllFloats());
        float[] middle = new float[30];
        bigData.readFloats(10, FloatBuffer.wrap(middle));
        for (int i = 0; i < middle.length; i++) {
            assertEquals(big[10 + i], middle[i], "element " + (10 + i));
        }
        BufferTensorData odd = (BufferTensorData) m.tensor("odd.weight").orElseThrow().data();
        assertEquals(3, odd.windows().size(), "154 bytes in 64-byte windows");
        assertArrayEquals(halfValues, odd.readAllFloats());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, floats(m, "dbl"));

        // a window smaller than one element still holds one whole element
        Model tiny = new SafeTensorsReader(3).read(file);
        BufferTensorData dbl = (BufferTensorData) tiny.tensor("dbl").orElseThrow().data();
        assertEquals(11, dbl.windows().size());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, dbl.readAllFloats());
        assertArrayEquals(big, tiny.tensor("big.weight").orElseThrow().data().readAllFloats());
    }

    @Test
    void emptyTensorsScalarsAndEmptyModelsAreAccepted() throws IOException {
        Model m = read(builder()
                .tensor("empty", "F32", shape(0, 4), new byte[0])
                .tensor("scalar", "F64", shape(), f64(3.5))
                .tensor("empty2", "BF16", shape(0), new byte[0])
                .bytes());
        assertEquals(0, m.tensor("empty").orElseThrow().elementCount());
        assertArrayEquals(new float[0], floats(m, "empty"));
        assertArrayEquals(new float[] {3.5f}, floats(m, "scalar"));
        assertEquals(0, m.tensor("empty2").orElseThrow().elementCount());

        Model none = read(assemble("{}", new byte[0], true));
        assertTrue(none.tensors().isEmpty());
        assertTrue(none.metadata().isEmpty());
    }

    @Test
    void dataStoredInAnotherOrderThanTheHeaderIsAccepted() throws IOException {
        String header = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Model m = read(assemble(header, f32(1, 2), false));
        assertEquals(List.of("b", "a"), m.tensors().stream().map(WeightTensor::name).toList());
        assertArrayEquals(new float[] {2}, floats(m, "b"));
        assertArrayEquals(new float[] {1}, floats(m, "a"));
    }

    @Test
    void headerPaddedWithSpacesOrUnpaddedIsAccepted() throws IOException {
        String header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        assertArrayEquals(new float[] {9}, floats(read(assemble(header, u8(9), false)), "a"));
        assertArrayEquals(new float[] {9}, floats(read(assemble(header + "        \n", u8(9), false)), "a"));
    }

    @Test
    void fileShorterThanTheLengthFieldIsRejected() {
        for (int n = 0; n < 8; n++) {
            ModelFormatException e = rejected(new byte[n]);
            assertEquals("offset 0", e.place());
            assertTrue(e.problem().contains(n + " bytes"), e.problem());
        }
    }

    @Test
    void headerLengthBeyondFileIsRejected() {
        byte[] good = builder().tensor("a", "F32", shape(1), f32(1)).bytes();
        long n = SafeTensorsFiles.headerLength(good);
        ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).putLong(0, good.length - 8 + 1);
        ModelFormatException e = rejected(good);
        assertEquals("offset 0", e.place());
        assertTrue(e.problem().contains("runs past the end of the file"), e.problem());
        assertTrue(n < good.length);
    }

    @Test
    void headerLengthAboveTheLimitOrNegativeIsRejected() {
        for (long n : new long[] {100_000_001L, Long.MAX_VALUE, -1L, Long.MIN_VALUE}) {
            byte[] file = builder().tensor("a", "F32", shape(1), f32(1)).bytes();
            ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
            ModelFormatException e = rejected(file);
            assertEquals("offset 0", e.place());
            assertTrue(e.problem().contains("at most 100000000"), e.problem());
        }
    }

    @Test
    void invalidUtf8InTheHeaderIsRejectedWithItsOffset() {
        byte[] header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"x\u00e9\":1}"
                .getBytes(StandardCharsets.UTF_8);
        int at = header.length - 5; // the second byte of é
        header[at] = (byte) 0x28;
        ModelFormatException e = rejected(assemble(header, u8(1), true));
        assertEquals("offset " + (8 + at - 1), e.place());
        assertTrue(e.problem().contains("UTF-8"), e.problem());

        byte[] surrogate = "{\"\u00ff\u00ff\u00ff\":1}".getBytes(StandardCharsets.ISO_8859_1);
        surrogate[2] = (byte) 0xED;
        surrogate[3] = (byte) 0xA0;
        surrogate[4] = (byte) 0x80;
        assertTrue(rejected(assemble(surrogate, new byte[0], true)).problem().contains("UTF-8"));
    }

    @Test
    void headerThatIsNotAJsonObjectIsRejected() {
        for (String json : new String[] {"[]", "\"x\"", "1", "null", "true", "", "{", "{\"a\":1", "{} {}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}} x", "{/*c*/}", "{'a':1}"}) {
            ModelFormatException e = rejected(assemble(json, new byte[0], true));
            assertEquals("header", e.place(), json);
        }
    }

    private static byte[] single(String entry, byte[] data) {
        return assemble("{\"t.weight\":" + entry + "}", data, true);
    }

    private void assertRejected(String entry, byte[] data, String problemPart) {
        ModelFormatException e = rejected(single(entry, data));
        assertEquals("tensor t.weight", e.place(), entry);
        assertTrue(e.problem().contains(problemPart), entry + " -> " + e.problem());
        assertTrue(e.getMessage().startsWith(dir.resolve("bad.safetensors") + ": tensor t.weight: "),
                e.getMessage());
    }

    @Test
    void unknownOrMissingDtypeIsRejected() {
        assertRejected("{\"dtype\":\"F7\",\"shape\":[1],\"data_offsets\":[0,1]}", u8(1), "\"F7\"");
        assertRejected("{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}", f32(1), "one of F64, F32");
        assertRejected("{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}", f32(1), "dtype");
        assertRejected("{\"shape\":[1],\"data_offsets\":[0,4]}", f32(1), "dtype");
        assertRejected("{\"dtype\":\"U128\",\"shape\":[1],\"data_offsets\":[0,2]}", u16(1), "\"U128\"");
    }

    @Test
    void negativeFractionalOrOverflowingShapeIsRejected() {
        assertRejected("{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}", f32(1), "shape[0]");
        assertRejected("{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}", f32(1), "shape[0]");
        assertRejected("{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}", f32(1), "shape[0]");
        assertRejected("{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}", f32(1), "shape");
        assertRejected("{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}", f32(1),
                "fits 64 bits");
        assertRejected("{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,8]}", f64(1),
                "fits 64 bits");
        assertRejected("{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}", f32(1),
                "shape[0]");
    }

    @Test
    void dataOffsetsThatDoNotMatchTheShapeOrTheFileAreRejected() {
        assertRejected("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}", f32(1), "span 8 bytes");
        assertRejected("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}", f32(1), "begin <= end");
        assertRejected("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}", f32(1), "[begin, end]");
        assertRejected("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}", f32(1), "[begin, end]");
        assertRejected("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}", f32(1), "data_offsets[0]");
        assertRejected("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}", f32(1), "within the 4 data bytes");
        assertRejected("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}", f32(1, 2), "gap");
        assertRejected("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", f32(1, 2), "end of the file");
        assertRejected("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[9223372036854775804,"
                + "9223372036854775808]}", f32(1), "data_offsets[1]");
        assertRejected("[1,2]", f32(1), "expected an object");
    }

    @Test
    void overlappingOrGappedTensorsAreRejected() {
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        ModelFormatException e = rejected(assemble(overlap, f32(1, 2, 3), true));
        assertEquals("tensor b", e.place());
        assertTrue(e.problem().contains("overlaps"), e.problem());

        String same = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertTrue(rejected(assemble(same, f32(1), true)).problem().contains("overlaps"));

        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        e = rejected(assemble(gap, f32(1, 2, 3), true));
        assertEquals("tensor b", e.place());
        assertTrue(e.problem().contains("gap"), e.problem());

        String late = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertTrue(rejected(assemble(late, f32(1, 2), true)).problem().contains("start of the data section"));

        ModelFormatException trailing = rejected(assemble("{}", u8(1), true));
        assertEquals("offset 16", trailing.place());
        assertTrue(trailing.problem().contains("1 unused bytes"), trailing.problem());
    }

    @Test
    void duplicateTensorNamesAreRejected() {
        String dup = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        ModelFormatException e = rejected(assemble(dup, f32(1, 2), true));
        assertEquals("header", e.place());
        assertTrue(e.problem().toLowerCase().contains("duplicate"), e.problem());
    }

    @Test
    void metadataThatIsNotAnObjectOfStringsIsRejected() {
        for (String meta : new String[] {"[]", "\"pt\"", "{\"format\":1}", "{\"a\":{\"b\":\"c\"}}",
                "{\"a\":null}"}) {
            ModelFormatException e = rejected(assemble("{\"__metadata__\":" + meta + "}", new byte[0], true));
            assertTrue(e.place().startsWith("__metadata__"), meta + " -> " + e.getMessage());
        }
    }

    @Test
    void folderIsRejectedAndMissingFileIsAnIoError() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("folder.safetensors"));
        assertThrows(ModelFormatException.class, () -> reader.read(folder));
        IOException e = assertThrows(IOException.class, () -> reader.read(dir.resolve("missing.safetensors")));
        assertFalse(e instanceof ModelFormatException);
    }

    @Test
    void readingNeverModifiesTheFile() throws IOException {
        byte[] bytes = builder().meta("k", "v").tensor("a.weight", "F16", shape(2, 2), u16(1, 2, 3, 4)).bytes();
        Model m = read(bytes);
        m.tensors().forEach(t -> t.data().readAllFloats());
        assertArrayEquals(bytes, Files.readAllBytes(m.file()));
        assertSame(m.tensor("a.weight").orElseThrow(), m.tensors().get(0));
        assertEquals(Map.of("k", "v"), m.metadata());
    }
}
