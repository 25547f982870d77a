package org.sparsitybench.formats.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrInt;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.floatTensor;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.UnsafePathException;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.testing.Ort;

/** External data: reading inside the model's folder only, writing aligned data files, and safe exports. */
class OnnxExternalDataTest {
    private static final int IN = 64;
    private static final int OUT = 32;

    @TempDir
    Path dir;

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** Y = X·W1ᵀ → Relu → ·W2ᵀ, both weights inline. */
    private Path twoLayerModel(Path folder) throws IOException {
        Files.createDirectories(folder);
        OnnxModelBuilder b = new OnnxModelBuilder("mlp", 13).input("X", 1, -1, IN).output("Y", 1, -1, 8)
                .initializer("W1", random(OUT * IN, 1), OUT, IN).initializer("W2", random(8 * OUT, 2), 8, OUT);
        b.node("Gemm", new String[] {"X", "W1"}, new String[] {"H"}, attrInt("transB", 1));
        b.node("Relu", new String[] {"H"}, new String[] {"R"});
        b.node("Gemm", new String[] {"R", "W2"}, new String[] {"Y"}, attrInt("transB", 1));
        Path file = folder.resolve("model.onnx");
        b.save(file);
        return file;
    }

    /** A model whose single weight points at {@code location} with the given offset. */
    private Path externalModel(Path folder, String location, long offset, Long length) throws IOException {
        Files.createDirectories(folder);
        TensorProto.Builder w = TensorProto.newBuilder().setName("W").setDataType(1).addDims(3).addDims(4)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)));
        if (length != null) {
            w.addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(length.toString()));
        }
        OnnxModelBuilder b = new OnnxModelBuilder("g", 13).input("X", 1, -1, 4).output("Y", 1, -1, 3).initializer(w.build());
        b.node("Gemm", new String[] {"X", "W"}, new String[] {"Y"}, attrInt("transB", 1));
        Path file = folder.resolve("model.onnx");
        b.save(file);
        return file;
    }

    private static float[] x() {
        return random(2 * IN, 9);
    }

    @Test
    void largeModelsAreWrittenWithAlignedExternalDataBesideTheOutput() throws Exception {
        Path in = twoLayerModel(dir.resolve("src"));
        Model m = new OnnxReader().read(in);
        Path out = dir.resolve("export").resolve("big.onnx");
        new OnnxWriter(1000).write(m, Map.of(), Map.of(), out);

        Path data = out.resolveSibling("big.onnx.data");
        assertTrue(Files.exists(data), "external data written beside the model");
        Model back = new OnnxReader().read(out);
        for (String name : new String[] {"W1", "W2"}) {
            WeightTensor t = back.tensor(name).orElseThrow();
            assertTrue(t.storage().contains("external"), t.storage());
            assertArrayEquals(m.tensor(name).orElseThrow().data().readAllFloats(), t.data().readAllFloats());
        }
        OnnxSource src = (OnnxSource) back.source();
        for (TensorProto t : src.proto().getGraph().getInitializerList()) {
            long offset = t.getExternalDataList().stream().filter(e -> e.getKey().equals("offset"))
                    .mapToLong(e -> Long.parseLong(e.getValue())).findFirst().orElseThrow();
            assertEquals(0, offset % OnnxWriter.ALIGNMENT, t.getName() + " offset " + offset);
        }
        assertArrayEquals(Ort.run(in, "X", x(), 2, IN), Ort.run(out, "X", x(), 2, IN), 0f);
    }

    @Test
    void externalModelsStayExternalAndPrunedValuesLandInTheNewDataFile() throws Exception {
        Path in = twoLayerModel(dir.resolve("src"));
        Path ext = dir.resolve("ext").resolve("model.onnx");
        new OnnxWriter(1000).write(new OnnxReader().read(in), Map.of(), Map.of(), ext);
        byte[] extBytes = Files.readAllBytes(ext.resolveSibling("model.onnx.data"));

        Model m = new OnnxReader().read(ext);
        WeightTensor w1 = m.tensor("W1").orElseThrow();
        float[] pruned = w1.data().readAllFloats();
        for (int i = 0; i < pruned.length; i++) {
            if (Math.abs(pruned[i]) < 0.5f) {
                pruned[i] = 0f;
            }
        }
        Path out = dir.resolve("pruned").resolve("model.onnx");
        new OnnxWriter().write(m, Map.of("W1", TensorUpdate.of(w1, pruned)), Map.of(), out);
        assertArrayEquals(extBytes, Files.readAllBytes(ext.resolveSibling("model.onnx.data")), "source data untouched");
        Model back = new OnnxReader().read(out);
        assertTrue(back.tensor("W1").orElseThrow().storage().contains("external"));
        assertArrayEquals(pruned, back.tensor("W1").orElseThrow().data().readAllFloats());
    }

    @Test
    void externalDataInsideTheFolderIsRead() throws Exception {
        Path folder = dir.resolve("m");
        Files.createDirectories(folder.resolve("weights"));
        float[] w = random(12, 3);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(16 + 48).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.position(16);
        for (float v : w) {
            bb.putFloat(v);
        }
        Files.write(folder.resolve("weights/w.bin"), bb.array());
        Model m = new OnnxReader().read(externalModel(folder, "weights/w.bin", 16, 48L));
        assertArrayEquals(w, m.tensor("W").orElseThrow().data().readAllFloats());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside.bin", "weights/../../outside.bin", "/etc/passwd"})
    void externalDataOutsideTheFolderIsRefused(String location) throws Exception {
        Files.write(dir.resolve("outside.bin"), new byte[48]);
        Path model = externalModel(dir.resolve("m"), location, 0, 48L);
        UnsafePathException e = assertThrows(UnsafePathException.class, () -> new OnnxReader().read(model));
        assertTrue(e.getMessage().startsWith(model.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("tensor W"), e.getMessage());
    }

    @Test
    void aSymlinkThatLeavesTheFolderIsRefused() throws Exception {
        Path secret = dir.resolve("secret.bin");
        Files.write(secret, new byte[48]);
        Path folder = dir.resolve("m");
        Files.createDirectories(folder);
        Files.createSymbolicLink(folder.resolve("link.bin"), secret);
        Path model = externalModel(folder, "link.bin", 0, 48L);
        assertThrows(UnsafePathException.class, () -> new OnnxReader().read(model));
    }

    @Test
    void offsetsAndLengthsAreCheckedAgainstTheFileBeforeReading() throws Exception {
        Path folder = dir.resolve("m");
        Files.createDirectories(folder);
        Files.write(folder.resolve("w.bin"), new byte[40]);
        ModelFormatException tooShort = assertThrows(ModelFormatException.class,
                () -> new OnnxReader().read(externalModel(folder, "w.bin", 0, 48L)));
        assertTrue(tooShort.getMessage().contains("beyond its end"), tooShort.getMessage());
        assertThrows(ModelFormatException.class, () -> new OnnxReader().read(externalModel(folder, "w.bin", 0, 44L)));
        assertThrows(ModelFormatException.class,
                () -> new OnnxReader().read(externalModel(folder, "w.bin", Long.MAX_VALUE - 8, null)));
        assertThrows(ModelFormatException.class, () -> new OnnxReader().read(externalModel(folder, "missing.bin", 0, null)));
    }

    @Test
    void writingOverTheOpenedModelIsRefused() throws Exception {
        Path in = twoLayerModel(dir.resolve("src"));
        byte[] before = Files.readAllBytes(in);
        Model m = new OnnxReader().read(in);
        assertThrows(IOException.class, () -> new OnnxWriter().write(m, Map.of(), Map.of(), in));
        Path alias = dir.resolve("alias.onnx");
        Files.createSymbolicLink(alias, in);
        assertThrows(IOException.class, () -> new OnnxWriter().write(m, Map.of(), Map.of(), alias));
        assertArrayEquals(before, Files.readAllBytes(in));
    }

    @Test
    void aFailedExportLeavesTheEarlierExportIntact() throws Exception {
        Path in = twoLayerModel(dir.resolve("src"));
        Model m = new OnnxReader().read(in);
        Path out = dir.resolve("export").resolve("model.onnx");
        OnnxWriter external = new OnnxWriter(1000);
        external.write(m, Map.of(), Map.of(), out);
        Map<String, byte[]> before = snapshot(out.getParent());

        WeightTensor w1 = m.tensor("W1").orElseThrow();
        TensorData failing = new TensorData() {
            @Override
            public DType dtype() {
                return DType.FLOAT;
            }

            @Override
            public long elementCount() {
                return w1.elementCount();
            }

            @Override
            public void readFloats(long first, FloatBuffer dst) {
                throw new IllegalStateException("disk vanished mid-export");
            }
        };
        assertThrows(IllegalStateException.class, () -> external.write(m,
                Map.of("W1", new TensorUpdate(w1.shape(), failing)), Map.of(), out));
        assertEquals(before.keySet(), snapshot(out.getParent()).keySet(), "no temporary files left behind");
        Map<String, byte[]> after = snapshot(out.getParent());
        before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
        assertArrayEquals(Ort.run(in, "X", x(), 2, IN), Ort.run(out, "X", x(), 2, IN), 0f);

        // A later successful export replaces both files and leaves no stale data file.
        external.write(m, Map.of(), Map.of(), out);
        assertEquals(2, snapshot(out.getParent()).size(), snapshot(out.getParent()).keySet().toString());
        assertFalse(Files.exists(out.resolveSibling("model.onnx.data")) && Files.exists(out.resolveSibling("model.onnx.1.data")));
        assertArrayEquals(Ort.run(in, "X", x(), 2, IN), Ort.run(out, "X", x(), 2, IN), 0f);
    }

    private static Map<String, byte[]> snapshot(Path folder) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (var files = Files.list(folder)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    void exportsAreReadableByOthersLikeAnyWrittenFile() throws Exception {
        Path in = twoLayerModel(dir.resolve("src"));
        Path out = dir.resolve("perm").resolve("model.onnx");
        new OnnxWriter().write(new OnnxReader().read(in), Map.of(), Map.of(), out);
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    }
}
