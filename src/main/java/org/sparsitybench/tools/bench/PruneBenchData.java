package org.sparsitybench.tools.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.Graph;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;

/**
 * The data {@code bench prune} times on: seeded N(0, 1) float32 tensors written as raw little-endian files (the
 * format the peer script reads with numpy's {@code fromfile}), opened as the engine's tensors.
 */
final class PruneBenchData {
    private PruneBenchData() {
    }

    /** Writes {@code count} files {@code w0.f32 ...} of {@code n} values each, tensor t from seed {@code seed + t}. */
    static List<Path> writeNormalTensors(Path dir, int count, long n, long seed) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            Path f = dir.resolve("w" + t + ".f32");
            writeNormal(f, n, seed + t);
            files.add(f);
        }
        return files;
    }

    /** The files as tensors: memory-mapped (as the model readers do) or read into direct buffers (as numpy does). */
    static List<TensorData> open(List<Path> files, long n, boolean mmap) throws IOException {
        List<TensorData> data = new ArrayList<>();
        for (Path f : files) {
            data.add(mmap ? map(f, n) : load(f, n));
        }
        return data;
    }

    /** A model of one prunable MatMul weight {@code [size, size]} per tensor, named {@code layerT.weight}. */
    static Model model(Path file, List<TensorData> data, int size) {
        List<WeightTensor> tensors = new ArrayList<>();
        for (int t = 0; t < data.size(); t++) {
            String name = "layer" + t + ".weight";
            tensors.add(new WeightTensor(name, "MatMul", "layer" + t, new long[] {size, size}, DType.FLOAT,
                    TensorRole.WEIGHT, true, 0, "bench", data.get(t)));
        }
        return new Model(ModelFormat.SAFETENSORS, file, tensors, Graph.EMPTY, Map.of(), null);
    }

    /** Writes {@code n} seeded N(0, 1) float32 values, little-endian. */
    private static void writeNormal(Path file, long n, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long i = 0; i < n; i++) {
                if (!buf.hasRemaining()) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    buf.clear();
                }
                buf.putFloat((float) rnd.nextGaussian());
            }
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
    }

    private static TensorData map(Path file, long n) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, n * 4);
            m.load();
            return BufferTensorData.of(DType.FLOAT, n, m);
        }
    }

    private static TensorData load(Path file, long n) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(n * 4)).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // read all
            }
        }
        b.flip();
        return BufferTensorData.of(DType.FLOAT, n, b);
    }

    /** Deletes {@code dir} and everything in it; a temporary folder left behind is harmless. */
    static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
