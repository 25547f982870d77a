package org.sparsitybench.faults;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/** Generated models and folder fingerprints for the fault tests. */
final class FaultFiles {
    private FaultFiles() {
    }

    /** Little-endian float32 bytes of {@code count} seeded Gaussian values. */
    static byte[] randomF32(long seed, int count) {
        Random r = new Random(seed);
        ByteBuffer b = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            b.putFloat((float) r.nextGaussian());
        }
        return b.array();
    }

    /** A SafeTensors file of {@code layers} F32 weight matrices rows × cols (LLaMA-like names). */
    static void safeTensors(Path file, int layers, int rows, int cols) throws IOException {
        long bytes = (long) rows * cols * 4;
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        for (int i = 0; i < layers; i++) {
            json.append(",\"model.layers.").append(i).append(".mlp.up_proj.weight\":{\"dtype\":\"F32\",\"shape\":[")
                    .append(rows).append(',').append(cols).append("],\"data_offsets\":[").append(i * bytes)
                    .append(',').append((i + 1) * bytes).append("]}");
        }
        json.append('}');
        while ((json.length() + 8) % 8 != 0) {
            json.append(' ');
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (int i = 0; i < layers; i++) {
                out.write(randomF32(100 + i, rows * cols));
            }
        }
    }

    /** An ONNX MLP x[N, width] → MatMul × {@code layers} with width × width float weights in raw_data. */
    static void onnxMlp(Path file, int layers, int width) throws IOException {
        OnnxModelBuilder b = new OnnxModelBuilder("mlp", 13)
                .input("x", TensorProto.DataType.FLOAT_VALUE, -1, width)
                .output("y" + layers, TensorProto.DataType.FLOAT_VALUE, -1, width);
        String prev = "x";
        for (int i = 1; i <= layers; i++) {
            b.initializer(TensorProto.newBuilder().setName("w" + i).setDataType(TensorProto.DataType.FLOAT_VALUE)
                    .addDims(width).addDims(width).setRawData(ByteString.copyFrom(randomF32(i, width * width))).build());
            b.node("MatMul", new String[] {prev, "w" + i}, new String[] {"y" + i});
            prev = "y" + i;
        }
        b.save(file);
    }

    /**
     * An ONNX MLP like {@link #onnxMlp} whose weights live in {@code NAME.data} beside it (external data), so
     * that exports of it write a data file and then the model.
     */
    static void onnxExternalMlp(Path file, int layers, int width) throws IOException {
        OnnxModelBuilder b = new OnnxModelBuilder("mlp", 13)
                .input("x", TensorProto.DataType.FLOAT_VALUE, -1, width)
                .output("y" + layers, TensorProto.DataType.FLOAT_VALUE, -1, width);
        String dataName = file.getFileName() + ".data";
        long bytes = 4L * width * width;
        try (OutputStream data = Files.newOutputStream(file.resolveSibling(dataName))) {
            String prev = "x";
            for (int i = 1; i <= layers; i++) {
                data.write(randomF32(i, width * width));
                b.initializer(TensorProto.newBuilder().setName("w" + i).setDataType(TensorProto.DataType.FLOAT_VALUE)
                        .addDims(width).addDims(width).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", dataName))
                        .addExternalData(entry("offset", Long.toString((i - 1) * bytes)))
                        .addExternalData(entry("length", Long.toString(bytes))).build());
                b.node("MatMul", new String[] {prev, "w" + i}, new String[] {"y" + i});
                prev = "y" + i;
            }
        }
        b.save(file);
    }

    private static ai.onnx.proto.OnnxMl.StringStringEntryProto entry(String key, String value) {
        return ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** File name → SHA-256 of every regular file in {@code dir} (not recursive). */
    static Map<String, String> fingerprint(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (Path p : list(dir)) {
            if (Files.isRegularFile(p)) {
                out.put(p.getFileName().toString(), sha256(p));
            }
        }
        return out;
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** Files in {@code dir} whose name ends with {@code .part} (AtomicFiles' temporaries). */
    static List<Path> partFiles(Path dir) throws IOException {
        return list(dir).stream().filter(p -> p.getFileName().toString().endsWith(".part")).toList();
    }

    /** Open file descriptors of this JVM (Linux). */
    static int openFileDescriptors() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }
}
