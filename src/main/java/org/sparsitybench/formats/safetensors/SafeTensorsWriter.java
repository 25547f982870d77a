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
     * buffers in circulation stay in the cache between the thread that fills them and the system calls that copy
     * them into the file (4 MB batches tripled the kernel's copy time on the 1B BF16 export), in calls of 64 KiB or
     * of a whole batch, whichever the writing thread measured cheaper ({@code WriteSizes}).
     */
    static final int BATCH_BYTES = 1 << 20;

    /** Where the tensors of a direct-I/O export start: a multiple of this (the page and block size). */
    static final int DIRECT_ALIGN = 4096;

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
        long tensorBytes = 0;
        for (Item item : items) {
            tensorBytes += item.bytes();
        }
        // Exports of BackgroundWrites.DIRECT_MIN_BYTES and more are written with direct I/O, past the page cache,
        // their header padded so that the tensors start at a multiple of DIRECT_ALIGN: then every batch of the
        // updated tensors (whole 4 KiB blocks at a block boundary) goes to the disk without a copy. Smaller ones go
        // through the page cache, their header padded to 8 bytes as usual.
        final boolean direct = tensorBytes >= BackgroundWrites.DIRECT_MIN_BYTES;
        final int dataAlign = direct ? DIRECT_ALIGN : 8;
        byte[] header = header(model, items, meta, dataAlign);

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
        long total = 8L + header.length + tensorBytes;
        AtomicFiles.Meter meter = AtomicFiles.meter(total, progress, cancel);
        meter.check();
        // Batches of whole chunks, about a metered step each: the writing thread takes one per hand-over.
        final int batchBytes = chunkBytes == 0 ? 0 : Math.max(1, BATCH_BYTES / chunkBytes) * chunkBytes;
        List<Step> steps = steps(items, chunkElements, batchBytes);
        AtomicFiles.writeFile(out, (ch, file) -> {
            int bufferBytes = Math.max(batchBytes, 8);
            try (BackgroundWrites writes = direct ? new BackgroundWrites(ch, file, bufferBytes)
                    : new BackgroundWrites(ch, bufferBytes)) {
                ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(header.length).put(header).flip();
                lend(writes, head, meter);
                new Producers(steps, writes, meter, chunkElements).run();
                writes.finish();
            }
            meter.check();
            if (finalMetadata != null) {
                byte[] last = header(model, items, finalMetadata.get(), dataAlign);
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

    /**
     * The header JSON with recomputed offsets, padded with spaces so that 8 + its length (where the tensors start) is
     * a multiple of {@code align} (8, or {@link #DIRECT_ALIGN}).
     */
    private static byte[] header(Model model, List<Item> items, Map<String, String> extra, int align)
            throws IOException {
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
        int padded = (int) Math.min(Integer.MAX_VALUE, ((json.length + 8L + align - 1) / align) * align - 8);
        if (padded > SafeTensorsReader.MAX_HEADER_BYTES || padded < json.length) {
            throw new UnsupportedModelException(model.file() + ": the header would take " + json.length
                    + " bytes, more than the " + SafeTensorsReader.MAX_HEADER_BYTES + " SafeTensors allows");
        }
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    /**
     * One hand-over to the writing thread, in file order: an unchanged stretch of the source lent as it is, or
     * elements {@code [from, to)} of an updated tensor, whole chunks, to encode into a buffer.
     */
    private record Step(ByteBuffer lent, Item item, long from, long to) {
    }

    /** The file after its header as steps: each unchanged tensor's windows, each updated tensor in batches. */
    private static List<Step> steps(List<Item> items, int chunkElements, int batchBytes) {
        List<Step> steps = new ArrayList<>();
        for (Item item : items) {
            if (item.update() == null) {
                for (ByteBuffer window : item.original().windows()) {
                    for (int at = window.position(); at < window.limit(); at += AtomicFiles.METER_CHUNK) {
                        steps.add(new Step(window.slice(at, Math.min(window.limit() - at, AtomicFiles.METER_CHUNK)),
                                null, 0, 0));
                    }
                }
                continue;
            }
            long n = item.update().elementCount();
            long perBatch = (long) Math.max(1, batchBytes / (chunkElements * item.dtype().byteSize())) * chunkElements;
            for (long at = 0; at < n; at += perBatch) {
                steps.add(new Step(null, item, at, Math.min(n, at + perBatch)));
            }
        }
        return steps;
    }

    /**
     * Encodes the steps on the calling thread and, on a machine with a second core, one more: each takes the next
     * step, fills a buffer of its own and hands it to the writing thread when its turn comes, so the bytes reach
     * the file in order while two batches are read, masked and counted at once. (Filling one batch on two threads
     * instead cost a hand-over per megabyte that ate the gain.)
     */
    private static final class Producers {
        private final List<Step> steps;
        private final BackgroundWrites writes;
        private final AtomicFiles.Meter meter;
        private final int chunkElements;
        private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        /** The step whose turn it is to be handed over. */
        private int turn;
        private Throwable failure;

        Producers(List<Step> steps, BackgroundWrites writes, AtomicFiles.Meter meter, int chunkElements) {
            this.steps = steps;
            this.writes = writes;
            this.meter = meter;
            this.chunkElements = chunkElements;
        }

        void run() throws IOException {
            Thread helper = null;
            if (Runtime.getRuntime().availableProcessors() > 1 && steps.size() > 1) {
                helper = new Thread(this::produceOrRecord, "sparsitybench-fill");
                helper.setDaemon(true);
                helper.start();
            }
            produceOrRecord();
            if (helper != null) {
                try {
                    helper.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail(new org.sparsitybench.task.CancelledException());
                    helper.interrupt();
                }
            }
            Throwable t;
            synchronized (this) {
                t = failure;
            }
            if (t instanceof IOException io) {
                throw io;
            }
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IOException(t);
            }
        }

        private void produceOrRecord() {
            try {
                produce();
            } catch (Throwable t) {
                fail(t);
            }
        }

        private synchronized void fail(Throwable t) {
            if (failure == null) {
                failure = t;
            }
            notifyAll();
        }

        private void produce() throws IOException, InterruptedException {
            float[] values = chunkElements == 0 ? null : new float[chunkElements];
            for (int i = next.getAndIncrement(); i < steps.size(); i = next.getAndIncrement()) {
                Step step = steps.get(i);
                ByteBuffer buffer = null;
                if (step.lent() == null) {
                    buffer = writes.take();
                    fill(step, buffer, values, chunkElements);
                    buffer.flip();
                }
                synchronized (this) {
                    while (turn != i && failure == null) {
                        wait();
                    }
                    if (failure != null) {
                        return;
                    }
                }
                // Only this thread hands over now: the meter sees the steps in order, as the file does.
                if (buffer == null) {
                    writes.writeBorrowed(step.lent());
                    meter.advance(step.lent().remaining());
                } else {
                    int bytes = buffer.remaining();
                    writes.write(buffer);
                    advance(meter, bytes);
                }
                synchronized (this) {
                    turn++;
                    notifyAll();
                }
            }
        }
    }

    /** Encodes a step's elements, chunk by chunk, into {@code buffer} (at its position; modified). */
    private static void fill(Step step, ByteBuffer buffer, float[] values, int chunkElements) {
        TensorData data = step.item().update();
        DType dtype = step.item().dtype();
        // Values kept in their stored dtype (masked weights of the source) come as bytes: no per-element decode
        // and encode, which was most of writing a billion BF16 weights.
        boolean stored = data.dtype() == dtype && TensorData.storable(dtype);
        for (long at = step.from(); at < step.to(); at += chunkElements) {
            int len = (int) Math.min(chunkElements, step.to() - at);
            int start = buffer.position();
            if (!stored || !data.readStored(at, len, buffer)) {
                buffer.position(start);
                data.readFloats(at, FloatBuffer.wrap(values, 0, len));
                DTypeCodec.encode(dtype, values, 0, len, buffer);
            }
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
