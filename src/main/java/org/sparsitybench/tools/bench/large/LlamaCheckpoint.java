package org.sparsitybench.tools.bench.large;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.sparsitybench.model.DTypeCodec;
import org.sparsitybench.model.WeightTensor;

/** Generation: a LLaMA-shaped SafeTensors checkpoint, streamed to disk (never whole in memory). */
public final class LlamaCheckpoint {
    /** Values per write: one reused buffer of this many elements. */
    static final int GEN_CHUNK = 1 << 22;

    private LlamaCheckpoint() {
    }

    /**
     * Writes the checkpoint tensor by tensor through one reused buffer: weights ~ N(0, 0.02) (a sum of four
     * uniforms, scaled), norms near 1.
     *
     * @param code SafeTensors dtype: {@code BF16}, {@code F16} or {@code F32}
     * @return the file's size in bytes
     */
    public static long generate(Path file, LlamaShape shape, String code, long seed) throws IOException {
        int width = code.equals("F32") ? 4 : 2;
        Map<String, long[]> tensors = shape.tensors();
        byte[] head = header(tensors, code, width);
        ByteBuffer buf = ByteBuffer.allocate(GEN_CHUNK * width).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer lead = ByteBuffer.allocate(8 + head.length).order(ByteOrder.LITTLE_ENDIAN);
            lead.putLong(head.length).put(head).flip();
            writeFully(ch, lead);
            int index = 0;
            for (Map.Entry<String, long[]> e : tensors.entrySet()) {
                SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index++);
                boolean norm = e.getValue().length == 1;
                // Irwin-Hall(4) over 16-bit uniforms: mean 0, standard deviation 65536 / sqrt(3).
                double scale = (norm ? 0.05 : 0.02) * Math.sqrt(3) / 65536;
                float centre = norm ? 1f : 0f;
                long n = WeightTensor.elementCount(e.getValue());
                for (long at = 0; at < n; at += GEN_CHUNK) {
                    int len = (int) Math.min(GEN_CHUNK, n - at);
                    buf.clear();
                    for (int i = 0; i < len; i++) {
                        long r = random.nextLong();
                        long sum = (r & 0xffff) + ((r >>> 16) & 0xffff) + ((r >>> 32) & 0xffff) + (r >>> 48) - 131070;
                        float v = centre + (float) (sum * scale);
                        switch (width) {
                            case 4 -> buf.putFloat(v);
                            default -> buf.putShort((short) (code.equals("BF16") ? DTypeCodec.floatToBf16(v)
                                    : DTypeCodec.floatToHalf(v)));
                        }
                    }
                    buf.flip();
                    writeFully(ch, buf);
                }
            }
            return ch.size();
        }
    }

    /** The JSON header, padded with spaces so the data starts at a multiple of 8. */
    private static byte[] header(Map<String, long[]> tensors, String code, int width) {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\",\"generator\":"
                + "\"sparsitybench bench large\"}");
        long offset = 0;
        for (Map.Entry<String, long[]> e : tensors.entrySet()) {
            long bytes = WeightTensor.elementCount(e.getValue()) * width;
            header.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"").append(code).append("\",\"shape\":")
                    .append(Arrays.toString(e.getValue()).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        header.append('}');
        while ((header.length() + 8) % 8 != 0) {
            header.append(' ');
        }
        return header.toString().getBytes(StandardCharsets.UTF_8);
    }

    static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
