package org.sparsitybench.tools.bench.large;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;

/**
 * The peers of {@code bench large}, in-process: the least any pass over the file can cost. One sequential read
 * (every byte once, in order) and one decode of every tensor to float32.
 */
final class ReadPeers {
    /** Bytes per mapped window of the sequential-read peer. */
    static final int READ_WINDOW = 64 << 20;

    private ReadPeers() {
    }

    /** The file in {@link #READ_WINDOW} mapped windows, read-only, little-endian. */
    static List<ByteBuffer> mapWindows(Path file) throws IOException {
        List<ByteBuffer> out = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            for (long at = 0; at < size; at += READ_WINDOW) {
                out.add(ch.map(FileChannel.MapMode.READ_ONLY, at, Math.min(READ_WINDOW, size - at))
                        .order(ByteOrder.LITTLE_ENDIAN));
            }
        }
        return out;
    }

    /** The peer: every byte of the file read once, in order, summed as longs (plus the odd tail bytes). */
    static long readSequentially(List<ByteBuffer> windows) {
        long sum = 0;
        for (ByteBuffer w : windows) {
            LongBuffer longs = w.asLongBuffer();
            for (int i = 0, n = longs.limit(); i < n; i++) {
                sum += longs.get(i);
            }
            for (int i = longs.limit() * 8; i < w.limit(); i++) {
                sum += w.get(i);
            }
        }
        return sum;
    }

    /** A second peer: every tensor decoded to float32 once and summed. */
    static double decodeAll(Model model) {
        float[] chunk = new float[1 << 16];
        double sum = 0;
        for (WeightTensor t : model.tensors()) {
            TensorData d = t.data();
            long n = d.elementCount();
            for (long at = 0; at < n; at += chunk.length) {
                int len = (int) Math.min(chunk.length, n - at);
                d.readFloats(at, FloatBuffer.wrap(chunk, 0, len));
                for (int i = 0; i < len; i++) {
                    sum += chunk[i];
                }
            }
        }
        return sum;
    }
}
