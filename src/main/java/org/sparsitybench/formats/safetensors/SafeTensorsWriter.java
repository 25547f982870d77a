package org.sparsitybench.formats.safetensors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.BackgroundWrites;
import org.sparsitybench.formats.ModelWriter;
import org.sparsitybench.formats.ParallelFill;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.DTypeCodec;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Writes a model {@link SafeTensorsReader} loaded back as SafeTensors: tensors in the original header order,
 * contiguous, unchanged tensors copied byte for byte from the source file, updated tensors encoded to their
 * original dtype in chunks. The header is compact JSON padded with spaces to an 8-byte boundary.
 */
public final class SafeTensorsWriter implements ModelWriter {
    /**
     * Elements converted per step for updated tensors: 64 Ki floats (256 KiB) and their encoding stay in the core's
     * cache across the steps a new value goes through (read, mask, count, encode); a million-element step sent
     * each of them through memory.
     */
    static final int CHUNK_ELEMENTS = 1 << 16;

    /**
     * Bytes of encoded chunks handed to the writing thread at a time (8 chunks of BF16): small enough that the
     * three buffers in circulation stay in the cache between the threads that fill them and the system call that
     * copies them into the file (4 MB batches tripled the kernel's copy time on the 1B BF16 export).
     */
    static final int BATCH_BYTES = 1 << 20;

    public SafeTensorsWriter() {
    }

    /** One tensor as it will be written: either the original bytes or new values to encode. */
    private record Item(String name, String code, DType dtype, long[] shape, long bytes,
                        BufferTensorData original, TensorData update) {
    }

    /**
     * @throws IllegalArgumentException   if an update names a tensor the model does not have, or has a negative
     *                                    or overflowing shape; nothing is written
     * @throws UnsupportedModelException  if the model was not read by {@link SafeTensorsReader}, or an update
     *                                    targets a dtype that cannot be encoded; nothing is written
     */
    @Override
    public void write(Model model, Map<String, TensorUpdate> updates, Map<String, String> metadata, Path out,
                      ProgressListener progress, CancellationToken cancel) throws IOException {
        write(model, updates, metadata, null, out, progress, cancel);
    }

    /**
     * Writes the header with {@code placeholders}, then the tensors, then the header again with
     * {@code finalMetadata} in place (same length), before the file is forced and moved into place.
     */
    @Override
    public void write(Model model, Map<String, TensorUpdate> updates, Map<String, String> placeholders,
                      java.util.function.Supplier<Map<String, String>> finalMetadata, Path out,
                      ProgressListener progress, CancellationToken cancel) throws IOException {
        Map<String, String> metadata = placeholders;
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(out, "out");
        Map<String, TensorUpdate> upd = updates == null ? Map.of() : updates;
        Map<String, String> meta = metadata == null ? Map.of() : metadata;
        AtomicFiles.refuseOverwrite(model.file(), out);
        if (model.format() != ModelFormat.SAFETENSORS || !(model.source() instanceof SafeTensorsSource source)) {
            throw new UnsupportedModelException(model.file() + ": not loaded from a SafeTensors file; "
                    + "cannot write it back as SafeTensors");
        }
        List<Item> items = plan(model, source, upd);
        byte[] header = header(model, items, meta);

        int chunk = 0;
        int widest = 0;
        for (Item item : items) {
            if (item.update() != null) {
                chunk = (int) Math.max(chunk, Math.min(CHUNK_ELEMENTS, item.update().elementCount()));
                widest = Math.max(widest, item.dtype().byteSize());
            }
        }
        final int chunkElements = chunk;
        final int chunkBytes = chunk * widest;
        long total = 8L + header.length;
        for (Item item : items) {
            total += item.bytes();
        }
        AtomicFiles.Meter meter = AtomicFiles.meter(total, progress, cancel);
        meter.check();
        // Batches of whole chunks, a few metered steps each: the writing thread takes one per hand-over, and the
        // chunks of one batch are filled on two cores.
        final int batchBytes = chunkBytes == 0 ? 0 : Math.max(1, BATCH_BYTES / chunkBytes) * chunkBytes;
        AtomicFiles.write(out, ch -> {
            try (BackgroundWrites writes = new BackgroundWrites(ch, Math.max(batchBytes, 8));
                 ParallelFill fill = new ParallelFill()) {
                ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(header.length).put(header).flip();
                lend(writes, head, meter);
                ThreadLocal<float[]> values = ThreadLocal.withInitial(() -> new float[chunkElements]);
                Batch batch = new Batch(writes, meter);
                for (Item item : items) {
                    if (item.update() == null) {
                        batch.flush();
                        for (ByteBuffer window : item.original().windows()) {
                            lend(writes, window, meter);
                        }
                    } else {
                        writeEncoded(item, values, chunkElements, batch, fill);
                    }
                }
                batch.flush();
                writes.finish();
            }
            meter.check();
            if (finalMetadata != null) {
                byte[] last = header(model, items, finalMetadata.get());
                if (last.length != header.length) {
                    throw new IllegalStateException("the final metadata takes " + last.length + " header bytes, the "
                            + "placeholders " + header.length);
                }
                ByteBuffer b = ByteBuffer.wrap(last);
                for (long at = 8; b.hasRemaining(); ) {
                    at += ch.write(b, at);
                }
            }
        });
    }

    /** Checks every update against the model and works out each tensor's output shape and size. */
    private static List<Item> plan(Model model, SafeTensorsSource source, Map<String, TensorUpdate> updates) {
        Map<String, SafeTensorsSource.Entry> byName = new LinkedHashMap<>();
        for (SafeTensorsSource.Entry e : source.entries()) {
            byName.put(e.name(), e);
        }
        for (Map.Entry<String, TensorUpdate> u : updates.entrySet()) {
            if (u.getKey() == null || !byName.containsKey(u.getKey())) {
                throw new IllegalArgumentException(model.file() + ": update for tensor " + u.getKey()
                        + ", which the model does not have");
            }
            if (u.getValue() == null) {
                throw new IllegalArgumentException(model.file() + ": update for tensor " + u.getKey() + " is null");
            }
        }
        List<Item> items = new ArrayList<>(byName.size());
        for (SafeTensorsSource.Entry e : source.entries()) {
            TensorUpdate u = updates.get(e.name());
            if (u == null) {
                long bytes = e.data().elementCount() * e.dtype().byteSize(); // validated by the reader
                items.add(new Item(e.name(), e.code(), e.dtype(), e.shape(), bytes, e.data(), null));
                continue;
            }
            try {
                DTypeCodec.encode(e.dtype(), new float[0], 0, 0, ByteBuffer.allocate(0)); // probes support
            } catch (UnsupportedModelException ex) {
                throw new UnsupportedModelException("tensor " + e.name() + ": cannot write new values as "
                        + e.dtype().displayName() + " (" + e.code() + "): " + ex.getMessage());
            }
            long[] shape = u.shape();
            long count = 1;
            long bytes;
            try {
                for (long d : shape) {
                    if (d < 0) {
                        throw new IllegalArgumentException("tensor " + e.name() + ": update shape "
                                + Arrays.toString(shape) + " has a negative dimension");
                    }
                    count = Math.multiplyExact(count, d);
                }
                bytes = Math.multiplyExact(count, (long) e.dtype().byteSize());
            } catch (ArithmeticException ex) {
                throw new IllegalArgumentException("tensor " + e.name() + ": update shape "
                        + Arrays.toString(shape) + " is too large", ex);
            }
            if (u.values().elementCount() != count) {
                throw new IllegalArgumentException("tensor " + e.name() + ": update shape " + Arrays.toString(shape)
                        + " needs " + count + " values, got " + u.values().elementCount());
            }
            items.add(new Item(e.name(), e.code(), e.dtype(), shape, bytes, null, u.values()));
        }
        return items;
    }

    /** The header JSON with recomputed offsets, padded with spaces so that 8 + its length is a multiple of 8. */
    private static byte[] header(Model model, List<Item> items, Map<String, String> extra) throws IOException {
        ObjectNode root = SafeTensorsReader.JSON.createObjectNode();
        Map<String, String> metadata = new LinkedHashMap<>(model.metadata());
        for (Map.Entry<String, String> e : extra.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("metadata entries must have a key and a value, found "
                        + e.getKey() + "=" + e.getValue());
            }
            metadata.put(e.getKey(), e.getValue());
        }
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafeTensorsReader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Item item : items) {
            ObjectNode t = root.putObject(item.name());
            t.put("dtype", item.code());
            ArrayNode shape = t.putArray("shape");
            for (long d : item.shape()) {
                shape.add(d);
            }
            ArrayNode offsets = t.putArray("data_offsets");
            offsets.add(offset);
            offset = Math.addExact(offset, item.bytes());
            offsets.add(offset);
        }
        byte[] json = SafeTensorsReader.JSON.writeValueAsBytes(root);
        int padded = (json.length + 7) & ~7;
        if (padded > SafeTensorsReader.MAX_HEADER_BYTES || padded < json.length) {
            throw new UnsupportedModelException(model.file() + ": the header would take " + json.length
                    + " bytes, more than the " + SafeTensorsReader.MAX_HEADER_BYTES + " SafeTensors allows");
        }
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    /**
     * The buffer being filled for {@link BackgroundWrites}: whole chunks of encoded values; handed over (and metered)
     * when the next chunk would not fit.
     */
    private static final class Batch {
        private final BackgroundWrites writes;
        private final AtomicFiles.Meter meter;
        private ByteBuffer buffer;

        Batch(BackgroundWrites writes, AtomicFiles.Meter meter) {
            this.writes = writes;
            this.meter = meter;
        }

        /** A buffer with room for {@code bytes} more, at its position. */
        ByteBuffer room(int bytes) throws IOException {
            if (buffer != null && buffer.remaining() < bytes) {
                flush();
            }
            if (buffer == null) {
                buffer = writes.take();
            }
            return buffer;
        }

        /** Hands the filled part over to be written. */
        void flush() throws IOException {
            if (buffer == null) {
                return;
            }
            buffer.flip();
            int bytes = buffer.remaining();
            writes.write(buffer);
            buffer = null;
            advance(meter, bytes);
        }
    }

    /**
     * Encodes an updated tensor into batches: each batch's chunks are read (masked, counted) and encoded by
     * {@code fill}'s threads into their own slices of the buffer, which then goes to the file in order.
     */
    private static void writeEncoded(Item item, ThreadLocal<float[]> values, int chunkElements, Batch batch,
                                     ParallelFill fill) throws IOException {
        TensorData data = item.update();
        long n = data.elementCount();
        int size = item.dtype().byteSize();
        int chunkBytes = chunkElements * size;
        // Values kept in their stored dtype (masked weights of the source) come as bytes: no per-element decode
        // and encode, which was most of writing a billion BF16 weights.
        boolean stored = data.dtype() == item.dtype() && TensorData.storable(item.dtype());
        for (long at = 0; at < n; ) {
            ByteBuffer buffer = batch.room((int) Math.min(chunkElements, n - at) * size);
            int base = buffer.position();
            long first = at;
            int pieces = (int) Math.min(Math.max(1, buffer.remaining() / chunkBytes),
                    (n - at + chunkElements - 1) / chunkElements);
            fill.run(pieces, p -> {
                long from = first + (long) p * chunkElements;
                int len = (int) Math.min(chunkElements, n - from);
                int start = base + p * chunkBytes;
                ByteBuffer dst = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN).limit(start + len * size)
                        .position(start);
                if (!stored || !data.readStored(from, len, dst)) {
                    dst.position(start);
                    float[] v = values.get();
                    data.readFloats(from, FloatBuffer.wrap(v, 0, len));
                    DTypeCodec.encode(item.dtype(), v, 0, len, dst);
                }
            });
            long filled = Math.min((long) pieces * chunkElements, n - at);
            buffer.position(base + (int) filled * size);
            at += filled;
        }
    }

    /**
     * Queues all of {@code src} (not modified until written) in steps of at most {@link AtomicFiles#METER_CHUNK}
     * bytes, each metered.
     */
    private static void lend(BackgroundWrites writes, ByteBuffer src, AtomicFiles.Meter meter) throws IOException {
        for (int at = src.position(); at < src.limit(); at += AtomicFiles.METER_CHUNK) {
            int step = Math.min(src.limit() - at, AtomicFiles.METER_CHUNK);
            writes.writeBorrowed(src.slice(at, step));
            meter.advance(step);
        }
    }

    /** Meters {@code bytes} in steps of at most {@link AtomicFiles#METER_CHUNK}: cancellation is checked as often. */
    private static void advance(AtomicFiles.Meter meter, int bytes) {
        for (int done = 0; done < bytes; done += AtomicFiles.METER_CHUNK) {
            meter.advance(Math.min(bytes - done, AtomicFiles.METER_CHUNK));
        }
    }
}
