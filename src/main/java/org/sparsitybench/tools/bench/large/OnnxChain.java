package org.sparsitybench.tools.bench.large;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;

/**
 * A float32 chain {@code Y = X · W0 · W1 · ... · W(L-1)}, X of shape [1, hidden], every W [hidden, hidden]
 * ~ N(0, 1/hidden) stored in one external data file {@code NAME.data} beside the model, page-aligned.
 */
public final class OnnxChain {
    private OnnxChain() {
    }

    /** The external data file of {@code model}. */
    public static Path dataFile(Path model) {
        return model.resolveSibling(model.getFileName() + ".data");
    }

    /**
     * Writes the model and its data, streamed.
     *
     * @param hole bytes of unwritten gap (a sparse hole) before the last weight, so that a small model can
     *             still have offsets beyond 2 GiB
     */
    public static void write(Path model, int hidden, int layers, long hole, long seed) throws IOException {
        long bytes = 4L * hidden * hidden;
        OnnxModelBuilder b = new OnnxModelBuilder("chain", 13).input("X", 1, 1, hidden).output("Y", 1, 1, hidden);
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(bytes, LlamaCheckpoint.GEN_CHUNK * 4L)).order(ByteOrder.LITTLE_ENDIAN);
        double scale = Math.sqrt(3) / 65536 / Math.sqrt(hidden);
        try (FileChannel ch = FileChannel.open(dataFile(model), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long offset = 0;
            String previous = "X";
            for (int l = 0; l < layers; l++) {
                if (l == layers - 1) {
                    offset += (hole + 4095) / 4096 * 4096;
                }
                String name = "W" + l;
                b.initializer(TensorProto.newBuilder().setName(name)
                        .setDataType(TensorProto.DataType.FLOAT_VALUE)
                        .addDims(hidden).addDims(hidden)
                        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", dataFile(model).getFileName().toString()))
                        .addExternalData(entry("offset", Long.toString(offset)))
                        .addExternalData(entry("length", Long.toString(bytes))).build());
                String next = l == layers - 1 ? "Y" : "H" + l;
                b.node("MatMul", new String[] {previous, name}, new String[] {next});
                previous = next;
                SplittableRandom random = new SplittableRandom(seed * 31 + l);
                long position = offset;
                long n = (long) hidden * hidden;
                for (long at = 0; at < n; at += buf.capacity() / 4) {
                    int len = (int) Math.min(buf.capacity() / 4, n - at);
                    buf.clear();
                    for (int i = 0; i < len; i++) {
                        long r = random.nextLong();
                        long sum = (r & 0xffff) + ((r >>> 16) & 0xffff) + ((r >>> 32) & 0xffff) + (r >>> 48) - 131070;
                        buf.putFloat((float) (sum * scale));
                    }
                    buf.flip();
                    while (buf.hasRemaining()) {
                        position += ch.write(buf, position);
                    }
                }
                offset += bytes;
            }
        }
        b.save(model);
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** A seeded input row. */
    public static float[] input(int hidden, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[hidden];
        for (int i = 0; i < hidden; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** The chain's output for {@code x}, in float64, from the model's weights as read (row by row). */
    public static double[] forward(Model model, float[] x) {
        double[] v = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            v[i] = x[i];
        }
        float[] row = new float[x.length];
        for (int l = 0; model.tensor("W" + l).isPresent(); l++) {
            TensorData w = model.tensor("W" + l).orElseThrow().data();
            double[] next = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                w.readFloats((long) i * x.length, FloatBuffer.wrap(row));
                double vi = v[i];
                for (int j = 0; j < row.length; j++) {
                    next[j] += vi * row[j];
                }
            }
            v = next;
        }
        return v;
    }

    /** {@code max |y - expected| / max |expected|}. */
    public static double relativeError(float[] y, double[] expected) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(y[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return y.length != expected.length ? Double.POSITIVE_INFINITY : diff / Math.max(scale, Double.MIN_VALUE);
    }
}
