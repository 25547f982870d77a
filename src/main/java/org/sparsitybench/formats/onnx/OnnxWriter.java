package org.sparsitybench.formats.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Writes an ONNX model back: the protobuf as it was read (opsets, metadata, doc strings, value_info, node order,
 * subgraphs, unknown fields) with new values put into the same messages, fields and dtypes they came from, plus
 * a {@code metadata_props} entry naming what changed. Models that kept data externally, or that would exceed
 * the 2 GB protobuf limit, get their large tensors in a data file beside the output, which holds exactly the
 * bytes its tensors reference: back to back, 4096-byte aligned only above the 2 GB limit (where runtimes map
 * them), and nothing of tensors stored sparse.
 */
public final class OnnxWriter implements ModelWriter {
    /** The metadata_props key recording SparsityBench's changes. */
    public static final String METADATA_KEY = "sparsitybench";
    /** Offsets in the external data of a model over 2 GB are multiples of this (page size, so tensors can be mapped). */
    public static final int ALIGNMENT = 4096;
    /** Tensors smaller than this stay inline even when a model is written with external data. */
    static final int EXTERNAL_MIN_BYTES = 1024;
    /** Elements decoded and encoded per step when values are not copied as stored bytes. */
    private static final int CHUNK = 1 << 16;

    /** Bytes of encoded values handed to the writing thread at a time (a multiple of every dtype's size). */
    private static final int DATA_BATCH_BYTES = 1 << 20;

    private final long externalThreshold;
    /** Whether a model read with external data may be written inline when it fits (scratch copies). */
    private final boolean inlineWhenItFits;

    /**
     * Bytes the weights of a {@code sparse_initializer} take: {@code nonZeros} values of {@code type} and one int64
     * index each (the ONNX layout for indices, which must be INT64). Against {@code elements × size} dense, it
     * is smaller only when fewer than {@code size / (size + 8)} of the weights are non-zero: below 67 % sparsity
     * for float32, 80 % for BF16/FP16.
     */
    public static long sparseInitializerBytes(long nonZeros, DType type) {
        return nonZeros * (Math.max(1, type.byteSize()) + 8L);
    }

    /** Whether a tensor of {@code elements} weights with {@code nonZeros} non-zeros is smaller stored sparse. */
    public static boolean sparseIsSmaller(long elements, long nonZeros, DType type) {
        return sparseInitializerBytes(nonZeros, type) < elements * (long) Math.max(1, type.byteSize());
    }

    public OnnxWriter() {
        this(1_800_000_000L);
    }

    /** @param externalThreshold total tensor bytes above which tensors go to external data (tests lower it) */
    OnnxWriter(long externalThreshold) {
        this(externalThreshold, false);
    }

    private OnnxWriter(long externalThreshold, boolean inlineWhenItFits) {
        this.externalThreshold = externalThreshold;
        this.inlineWhenItFits = inlineWhenItFits;
    }

    /**
     * A writer for scratch copies that only ONNX Runtime reads (evaluation, latency): a model read with external
     * data is written as one file when it fits under the 2 GB limit, so deleting that file leaves nothing behind.
     */
    public static OnnxWriter forScratchCopies() {
        return new OnnxWriter(1_800_000_000L, true);
    }

    @Override
    public void write(Model model, Map<String, TensorUpdate> updates, Map<String, String> metadata, Path out)
            throws IOException {
        write(model, updates, Map.of(), metadata, out);
    }

    /**
     * As {@link #write(Model, Map, Map, Path)}, also setting integer attributes of main-graph nodes (named as in
     * {@link Model#graph()}), as structured compaction needs for a depthwise Conv's {@code group}. When any
     * tensor changes shape or any attribute changes, the graph's optional {@code value_info} is dropped so that
     * stale intermediate shapes cannot contradict the new ones; runtimes infer them again.
     */
    public void write(Model model, Map<String, TensorUpdate> updates, Map<String, Map<String, Long>> nodeAttributes,
                      Map<String, String> metadata, Path out) throws IOException {
        write(model, updates, nodeAttributes, java.util.Set.of(), metadata, out);
    }

    /**
     * As above, also storing the named main-graph initializers as {@code sparse_initializer}s (non-zero values in
     * their own dtype plus int64 linear indices), so the file shrinks with the zeros. ONNX Runtime densifies
     * them when it loads the model, so this saves disk and download, not inference time.
     */
    public void write(Model model, Map<String, TensorUpdate> updates, Map<String, Map<String, Long>> nodeAttributes,
                      java.util.Set<String> sparseStorage, Map<String, String> metadata, Path out) throws IOException {
        write(model, updates, nodeAttributes, sparseStorage, metadata, out, ProgressListener.NONE, CancellationToken.NONE);
    }

    @Override
    public void write(Model model, Map<String, TensorUpdate> updates, Map<String, String> metadata, Path out,
                      ProgressListener progress, CancellationToken cancel) throws IOException {
        write(model, updates, Map.of(), java.util.Set.of(), metadata, out, progress, cancel);
    }

    /**
     * As above, reporting the bytes written and checking {@code cancel} once per tensor and at least once per
     * {@link AtomicFiles#METER_CHUNK} bytes written.
     *
     * @throws org.sparsitybench.task.CancelledException when cancelled; an earlier export at {@code out} (and its
     *                                                   data file) is left as it was, no temporary file remains
     */
    public void write(Model model, Map<String, TensorUpdate> updates, Map<String, Map<String, Long>> nodeAttributes,
                      java.util.Set<String> sparseStorage, Map<String, String> metadata, Path out,
                      ProgressListener progress, CancellationToken cancel) throws IOException {
        write(model, updates, nodeAttributes, sparseStorage, metadata, out, progress, cancel, written -> { });
    }

    /**
     * As above, running {@code beforeCommit} on the complete new model (a temporary file beside {@code out}
     * whose external data, if any, is already {@code OUT.data} or {@code OUT.1.data} beside it) before it replaces
     * {@code out}: the export is self-contained, and when the check throws nothing of it remains and an earlier
     * export at {@code out} is left as it was.
     */
    public void write(Model model, Map<String, TensorUpdate> updates, Map<String, Map<String, Long>> nodeAttributes,
                      java.util.Set<String> sparseStorage, Map<String, String> metadata, Path out,
                      ProgressListener progress, CancellationToken cancel, AtomicFiles.Check beforeCommit)
            throws IOException {
        if (model.format() != ModelFormat.ONNX || !(model.source() instanceof OnnxSource source)) {
            throw new IllegalArgumentException("not an ONNX model read by OnnxReader: " + model.file());
        }
        AtomicFiles.refuseOverwrite(model.file(), out);
        for (Map.Entry<String, TensorUpdate> e : updates.entrySet()) {
            WeightTensor t = model.tensor(e.getKey()).orElseThrow(() ->
                    new IllegalArgumentException("no tensor named " + e.getKey() + " in " + model.file()));
            if (!t.dtype().isPrunableFloat()) {
                throw new UnsupportedModelException(model.file() + ": tensor " + t.name() + " is "
                        + t.dtype().displayName() + "; only float tensors can be given new values");
            }
        }
        for (String name : sparseStorage) {
            String why = sparseRefusal(model, name);
            if (why != null) {
                throw new UnsupportedModelException(model.file() + ": tensor " + name + " " + why);
            }
        }
        long tensorBytes = tensorBytes(model, updates);
        boolean external = tensorBytes > externalThreshold || !inlineWhenItFits && model.tensors().stream()
                .anyMatch(t -> t.storage().contains("external") && !sparseStorage.contains(t.name()));
        // Page alignment lets a runtime map tensors of a model over 2 GB; below that it only pads the file.
        boolean aligned = tensorBytes > externalThreshold;
        ModelProto.Builder b = source.proto().toBuilder();
        Path target = out.toAbsolutePath();
        String dataName = external ? chooseDataFileName(target) : null;
        List<Pending> pending = new ArrayList<>();
        long offset = 0;
        for (WeightTensor t : model.tensors()) {
            cancel.throwIfCancelled();
            OnnxLocation loc = source.locations().get(t.name());
            TensorUpdate u = updates.get(t.name());
            if (loc.kind() == OnnxLocation.Kind.SPARSE_INITIALIZER || loc.kind() == OnnxLocation.Kind.CONSTANT_SPARSE) {
                if (u != null) {
                    writeSparse(sparseBuilder(b, loc), t.dtype(), u);
                }
                continue;
            }
            if (sparseStorage.contains(t.name())) {
                continue; // replaced by a sparse tensor below: none of its dense bytes are written
            }
            TensorProto.Builder tb = tensorBuilder(b, loc);
            long bytes = WeightTensor.elementCount(u != null ? u.shape() : t.shape()) * t.dtype().byteSize();
            boolean wasExternal = OnnxTensorDecoder.isExternal(tb.build());
            boolean toExternal = external && t.dtype().isNumericReal()
                    && (wasExternal || bytes >= EXTERNAL_MIN_BYTES);
            if (toExternal) {
                offset = aligned ? align(offset) : offset;
                TensorData values = u != null ? u.values() : t.data();
                boolean reencode = u != null || !(t.data() instanceof BufferTensorData);
                pending.add(new Pending(values, t.dtype(), offset, bytes, reencode));
                if (u != null) {
                    tb.clearDims().addAllDims(longList(u.shape()));
                }
                tb.clearRawData().clearFloatData().clearDoubleData().clearInt32Data().clearInt64Data()
                        .clearUint64Data().clearExternalData()
                        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", dataName))
                        .addExternalData(entry("offset", Long.toString(offset)))
                        .addExternalData(entry("length", Long.toString(bytes)));
                offset += bytes;
            } else if (u != null) {
                writeInline(tb, t.dtype(), u);
            }
        }
        boolean reshaped = !nodeAttributes.isEmpty();
        for (Map.Entry<String, TensorUpdate> e : updates.entrySet()) {
            reshaped |= !java.util.Arrays.equals(e.getValue().shape(), model.tensor(e.getKey()).orElseThrow().shape());
        }
        setAttributes(b, model, nodeAttributes);
        if (!sparseStorage.isEmpty()) {
            toSparse(b, model, source, updates, sparseStorage);
        }
        if (reshaped) {
            b.getGraphBuilder().clearValueInfo();
        }
        setMetadata(b, metadata, updates);
        ModelProto result = b.build();
        cancel.throwIfCancelled();
        if (external) {
            Path dataFile = target.resolveSibling(dataName);
            long dataBytes = pending.isEmpty() ? 0 : pending.get(pending.size() - 1).offset
                    + pending.get(pending.size() - 1).bytes;
            AtomicFiles.Meter meter = AtomicFiles.meter(dataBytes + result.getSerializedSize(), progress, cancel);
            AtomicFiles.writeFile(dataFile, (ch, file) -> writeData(ch, file, pending, dataBytes, meter));
            boolean done = false;
            try {
                AtomicFiles.writeStream(target, os -> writeMetered(result, os, meter), beforeCommit);
                done = true;
            } finally {
                if (!done) {
                    // Nothing refers to the new data file: the earlier export still uses the other name.
                    Files.deleteIfExists(dataFile);
                }
            }
            Path stale = target.resolveSibling(otherDataName(target, dataName));
            Files.deleteIfExists(stale);
        } else {
            if (result.getSerializedSize() < 0) {
                throw new UnsupportedModelException(out + ": model exceeds 2 GB inline; use external data");
            }
            AtomicFiles.Meter meter = AtomicFiles.meter(result.getSerializedSize(), progress, cancel);
            AtomicFiles.writeStream(target, os -> writeMetered(result, os, meter), beforeCommit);
        }
    }

    private static void writeMetered(ModelProto result, java.io.OutputStream os, AtomicFiles.Meter meter)
            throws IOException {
        java.io.OutputStream metered = meter.outputStream(os);
        result.writeTo(metered);
        metered.flush();
        meter.check();
    }

    /** Bytes of every tensor as it will be written (dense). */
    private static long tensorBytes(Model model, Map<String, TensorUpdate> updates) {
        long total = 0;
        for (WeightTensor t : model.tensors()) {
            TensorUpdate u = updates.get(t.name());
            total += WeightTensor.elementCount(u != null ? u.shape() : t.shape()) * Math.max(1, t.dtype().byteSize());
        }
        return total;
    }

    /**
     * Why tensor {@code name} of {@code model} cannot be stored as a sparse tensor, or null when it can: float
     * initializers of any graph (as that graph's {@code sparse_initializer}) and float {@code Constant} values
     * (as the node's {@code sparse_value}) can; tensors already sparse stay as they are.
     */
    public static String sparseRefusal(Model model, String name) {
        Optional<WeightTensor> t = model.tensor(name);
        if (t.isEmpty() || !(model.source() instanceof OnnxSource source)) {
            return "is not a tensor of the ONNX model";
        }
        if (!t.get().dtype().isPrunableFloat()) {
            return "is " + t.get().dtype().displayName() + "; only float tensors are stored sparse";
        }
        OnnxLocation loc = source.locations().get(name);
        if (loc.kind() == OnnxLocation.Kind.SPARSE_INITIALIZER || loc.kind() == OnnxLocation.Kind.CONSTANT_SPARSE) {
            return "is already stored sparse";
        }
        return null;
    }

    /**
     * Data file beside {@code target}: {@code NAME.data} or {@code NAME.1.data}, whichever an earlier export at the
     * same path is not using, so a failed export never damages the earlier one's data. When both exist, one was
     * left by an export killed between writing its data and its model: that one was written after the model at
     * {@code target} (which wrote its own data first), so it is the one to reuse; otherwise the older one.
     */
    static String chooseDataFileName(Path target) throws IOException {
        String a = target.getFileName() + ".data";
        String b = target.getFileName() + ".1.data";
        Path pa = target.resolveSibling(a);
        Path pb = target.resolveSibling(b);
        if (!Files.exists(pa)) {
            return a;
        }
        if (!Files.exists(pb)) {
            return b;
        }
        FileTime ta = Files.getLastModifiedTime(pa);
        FileTime tb = Files.getLastModifiedTime(pb);
        if (Files.exists(target)) {
            FileTime model = Files.getLastModifiedTime(target);
            boolean aAfter = ta.compareTo(model) > 0;
            boolean bAfter = tb.compareTo(model) > 0;
            if (aAfter != bAfter) {
                return aAfter ? a : b;
            }
        }
        return ta.compareTo(tb) <= 0 ? a : b;
    }

    private static String otherDataName(Path target, String chosen) {
        String a = target.getFileName() + ".data";
        return chosen.equals(a) ? target.getFileName() + ".1.data" : a;
    }

    private static long align(long offset) {
        long r = offset % ALIGNMENT;
        return r == 0 ? offset : offset + ALIGNMENT - r;
    }

    /**
     * Writes the external data file: each tensor at its offset, zeros between. A thread of its own does the writes
     * ({@link BackgroundWrites}) while this one reads, masks and encodes the next megabyte; files of
     * {@link BackgroundWrites#DIRECT_MIN_BYTES} and more go to the disk with direct I/O, past the page cache, as
     * large SafeTensors exports do. Unchanged tensors are lent to the writer as they are mapped, not copied.
     */
    private static void writeData(FileChannel ch, Path file, List<Pending> pending, long dataBytes,
                                  AtomicFiles.Meter meter) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate(ALIGNMENT).asReadOnlyBuffer();
        try (BackgroundWrites writes = dataBytes >= BackgroundWrites.DIRECT_MIN_BYTES
                ? new BackgroundWrites(ch, file, DATA_BATCH_BYTES) : new BackgroundWrites(ch, DATA_BATCH_BYTES)) {
            long pos = 0;
            for (Pending p : pending) {
                if (p.offset > pos) {
                    writes.writeBorrowed(zeros.slice(0, (int) (p.offset - pos)));
                    meter.advance(p.offset - pos);
                    pos = p.offset;
                }
                if (!p.reencode && p.values instanceof BufferTensorData bd) {
                    for (ByteBuffer w : bd.windows()) {
                        for (int at = w.position(); at < w.limit(); at += AtomicFiles.METER_CHUNK) {
                            int step = Math.min(w.limit() - at, AtomicFiles.METER_CHUNK);
                            writes.writeBorrowed(w.slice(at, step));
                            meter.advance(step);
                        }
                    }
                } else {
                    streamEncoded(writes, p.values, p.dtype, meter);
                }
                pos += p.bytes;
            }
            writes.finish();
        }
    }

    /**
     * Encodes {@code values} into the writer's buffers, a megabyte at a time. Values already in the stored dtype
     * (masked weights of the source) are copied as bytes; others are decoded and encoded in chunks.
     */
    private static void streamEncoded(BackgroundWrites writes, TensorData values, DType dtype,
                                      AtomicFiles.Meter meter) throws IOException {
        long n = values.elementCount();
        int size = Math.max(1, dtype.byteSize());
        float[] chunk = new float[(int) Math.min(CHUNK, Math.max(1, n))];
        boolean stored = values.dtype() == dtype && TensorData.storable(dtype);
        ByteBuffer buffer = null;
        for (long at = 0; at < n; ) {
            if (buffer == null) {
                buffer = writes.take();
            }
            int len = (int) Math.min(Math.min(chunk.length, n - at), buffer.remaining() / size);
            int start = buffer.position();
            if (!stored || !values.readStored(at, len, buffer)) {
                buffer.position(start);
                values.readFloats(at, FloatBuffer.wrap(chunk, 0, len));
                DTypeCodec.encode(dtype, chunk, 0, len, buffer);
            }
            at += len;
            if (buffer.remaining() < size || at == n) {
                buffer.flip();
                int bytes = buffer.remaining();
                writes.write(buffer);
                buffer = null;
                for (int done = 0; done < bytes; done += AtomicFiles.METER_CHUNK) {
                    meter.advance(Math.min(bytes - done, AtomicFiles.METER_CHUNK));
                }
            }
        }
    }

    /** Puts new values into the same field the tensor used: raw_data, float_data, double_data or int32_data bits. */
    private static void writeInline(TensorProto.Builder tb, DType dtype, TensorUpdate u) {
        float[] v = u.values().readAllFloats();
        boolean raw = tb.hasRawData() || (tb.getFloatDataCount() == 0 && tb.getDoubleDataCount() == 0
                && tb.getInt32DataCount() == 0);
        tb.clearDims().addAllDims(longList(u.shape()));
        tb.clearRawData().clearFloatData().clearDoubleData().clearInt32Data();
        if (tb.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            // was external, now written inline (a scratch copy): the old location no longer applies
            tb.clearExternalData().setDataLocation(TensorProto.DataLocation.DEFAULT);
        }
        if (raw) {
            ByteBuffer bytes = ByteBuffer.allocate(v.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            DTypeCodec.encode(dtype, v, 0, v.length, bytes);
            bytes.flip();
            tb.setRawData(ByteString.copyFrom(bytes));
            return;
        }
        switch (dtype) {
            case FLOAT -> {
                for (float x : v) {
                    tb.addFloatData(x);
                }
            }
            case DOUBLE -> {
                for (float x : v) {
                    tb.addDoubleData(x);
                }
            }
            case FLOAT16 -> {
                for (float x : v) {
                    tb.addInt32Data(DTypeCodec.floatToHalf(x));
                }
            }
            case BFLOAT16 -> {
                for (float x : v) {
                    tb.addInt32Data(DTypeCodec.floatToBf16(x));
                }
            }
            default -> throw new UnsupportedModelException("cannot write " + dtype.displayName() + " values");
        }
    }

    /** Rebuilds a sparse tensor from dense values: non-zeros only, indices in the layout the file used. */
    private static void writeSparse(SparseTensorProto.Builder sb, DType dtype, TensorUpdate u) {
        float[] dense = u.values().readAllFloats();
        long[] shape = u.shape();
        boolean linear = sb.getIndices().getDimsCount() != 2;
        int nnz = 0;
        for (float x : dense) {
            if (x != 0f) {
                nnz++;
            }
        }
        float[] vals = new float[nnz];
        long[] idx = new long[linear ? nnz : nnz * shape.length];
        int k = 0;
        for (int i = 0; i < dense.length; i++) {
            if (dense[i] != 0f) {
                vals[k] = dense[i];
                if (linear) {
                    idx[k] = i;
                } else {
                    long rem = i;
                    for (int d = shape.length - 1; d >= 0; d--) {
                        idx[k * shape.length + d] = rem % shape[d];
                        rem /= shape[d];
                    }
                }
                k++;
            }
        }
        sb.clearDims().addAllDims(longList(shape));
        TensorProto.Builder vb = sb.getValuesBuilder();
        writeInline(vb, dtype, new TensorUpdate(new long[] {nnz}, TensorData.ofFloats(vals)));
        TensorProto.Builder ib = sb.getIndicesBuilder();
        boolean rawIdx = ib.hasRawData();
        ib.clearDims().clearRawData().clearInt64Data();
        if (linear) {
            ib.addDims(nnz);
        } else {
            ib.addDims(nnz).addDims(shape.length);
        }
        if (rawIdx) {
            ByteBuffer bytes = ByteBuffer.allocate(idx.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (long x : idx) {
                bytes.putLong(x);
            }
            bytes.flip();
            ib.setRawData(ByteString.copyFrom(bytes));
        } else {
            for (long x : idx) {
                ib.addInt64Data(x);
            }
        }
    }

    private static void setMetadata(ModelProto.Builder b, Map<String, String> metadata, Map<String, TensorUpdate> updates) {
        Map<String, String> add = new LinkedHashMap<>(metadata);
        if (!add.containsKey(METADATA_KEY)) {
            add.put(METADATA_KEY, "{\"tool\":\"SparsityBench\",\"changedTensors\":" + updates.size() + "}");
        }
        for (Map.Entry<String, String> e : add.entrySet()) {
            int existing = -1;
            for (int i = 0; i < b.getMetadataPropsCount(); i++) {
                if (b.getMetadataProps(i).getKey().equals(e.getKey())) {
                    existing = i;
                }
            }
            StringStringEntryProto entry = entry(e.getKey(), e.getValue());
            if (existing >= 0) {
                b.setMetadataProps(existing, entry);
            } else {
                b.addMetadataProps(entry);
            }
        }
    }

    /**
     * Replaces each named dense tensor by its sparse form where it sits: an initializer of any graph becomes that
     * graph's {@code sparse_initializer}, a Constant's {@code value} its {@code sparse_value} (values in the
     * tensor's own dtype, int64 linear indices).
     */
    private static void toSparse(ModelProto.Builder b, Model model, OnnxSource source, Map<String, TensorUpdate> updates,
                                 java.util.Set<String> names) {
        // Initializers leave their graph's list highest index first, per graph, so earlier indices stay valid.
        Map<String, java.util.TreeMap<Integer, OnnxLocation>> removals = new LinkedHashMap<>();
        for (String name : names) {
            OnnxLocation loc = source.locations().get(name);
            WeightTensor t = model.tensor(name).orElseThrow(() -> new IllegalArgumentException("no tensor " + name));
            TensorUpdate u = updates.get(name);
            long[] shape = u != null ? u.shape() : t.shape();
            GraphProto.Builder g = graphBuilder(b, loc);
            SparseTensorProto sparse = sparseTensor(name, t.dtype(), tensorBuilder(b, loc).getDataType(),
                    (u != null ? u.values() : t.data()).readAllFloats(), shape);
            if (loc.kind() == OnnxLocation.Kind.CONSTANT) {
                g.getNodeBuilder(loc.index()).setAttribute(loc.attribute(), AttributeProto.newBuilder()
                        .setName("sparse_value").setType(AttributeProto.AttributeType.SPARSE_TENSOR)
                        .setSparseTensor(sparse));
                continue;
            }
            g.addSparseInitializer(sparse);
            String graphKey = loc.graphPath().stream().map(java.util.Arrays::toString).reduce("", String::concat);
            removals.computeIfAbsent(graphKey, k -> new java.util.TreeMap<>(java.util.Comparator.reverseOrder()))
                    .put(loc.index(), loc);
        }
        for (java.util.TreeMap<Integer, OnnxLocation> perGraph : removals.values()) {
            for (Map.Entry<Integer, OnnxLocation> e : perGraph.entrySet()) {
                graphBuilder(b, e.getValue()).removeInitializer(e.getKey());
            }
        }
    }

    private static SparseTensorProto sparseTensor(String name, DType dtype, int dataType, float[] dense, long[] shape) {
        int nnz = 0;
        for (float v : dense) {
            if (v != 0f) {
                nnz++;
            }
        }
        ByteBuffer vals = ByteBuffer.allocate(nnz * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer idx = ByteBuffer.allocate(nnz * 8).order(ByteOrder.LITTLE_ENDIAN);
        float[] one = new float[1];
        for (int i = 0; i < dense.length; i++) {
            if (dense[i] != 0f) {
                one[0] = dense[i];
                DTypeCodec.encode(dtype, one, 0, 1, vals);
                idx.putLong(i);
            }
        }
        vals.flip();
        idx.flip();
        TensorProto values = TensorProto.newBuilder().setName(name).setDataType(dataType)
                .addDims(nnz).setRawData(ByteString.copyFrom(vals)).build();
        TensorProto indices = TensorProto.newBuilder().setName(name + "_indices")
                .setDataType(TensorProto.DataType.INT64_VALUE).addDims(nnz).setRawData(ByteString.copyFrom(idx)).build();
        return SparseTensorProto.newBuilder().setValues(values).setIndices(indices).addAllDims(longList(shape)).build();
    }

    private static void setAttributes(ModelProto.Builder b, Model model, Map<String, Map<String, Long>> nodeAttributes) {
        if (nodeAttributes.isEmpty()) {
            return;
        }
        GraphProto.Builder g = b.getGraphBuilder();
        java.util.List<org.sparsitybench.model.GraphNode> nodes = model.graph().nodes();
        for (Map.Entry<String, Map<String, Long>> e : nodeAttributes.entrySet()) {
            int index = -1;
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i).name().equals(e.getKey())) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new IllegalArgumentException("no node named " + e.getKey() + " in " + model.file());
            }
            ai.onnx.proto.OnnxMl.NodeProto.Builder n = g.getNodeBuilder(index);
            for (Map.Entry<String, Long> a : e.getValue().entrySet()) {
                AttributeProto attr = AttributeProto.newBuilder().setName(a.getKey())
                        .setType(AttributeProto.AttributeType.INT).setI(a.getValue()).build();
                int existing = -1;
                for (int i = 0; i < n.getAttributeCount(); i++) {
                    if (n.getAttribute(i).getName().equals(a.getKey())) {
                        existing = i;
                    }
                }
                if (existing >= 0) {
                    n.setAttribute(existing, attr);
                } else {
                    n.addAttribute(attr);
                }
            }
        }
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static List<Long> longList(long[] values) {
        List<Long> out = new ArrayList<>(values.length);
        for (long v : values) {
            out.add(v);
        }
        return out;
    }

    private static GraphProto.Builder graphBuilder(ModelProto.Builder b, OnnxLocation loc) {
        GraphProto.Builder g = b.getGraphBuilder();
        for (int[] step : loc.graphPath()) {
            AttributeProto.Builder a = g.getNodeBuilder(step[0]).getAttributeBuilder(step[1]);
            g = step[2] < 0 ? a.getGBuilder() : a.getGraphsBuilder(step[2]);
        }
        return g;
    }

    private static TensorProto.Builder tensorBuilder(ModelProto.Builder b, OnnxLocation loc) {
        GraphProto.Builder g = graphBuilder(b, loc);
        return switch (loc.kind()) {
            case INITIALIZER -> g.getInitializerBuilder(loc.index());
            case CONSTANT -> g.getNodeBuilder(loc.index()).getAttributeBuilder(loc.attribute()).getTBuilder();
            default -> throw new IllegalStateException("not a dense tensor location: " + loc.kind());
        };
    }

    private static SparseTensorProto.Builder sparseBuilder(ModelProto.Builder b, OnnxLocation loc) {
        GraphProto.Builder g = graphBuilder(b, loc);
        return switch (loc.kind()) {
            case SPARSE_INITIALIZER -> g.getSparseInitializerBuilder(loc.index());
            case CONSTANT_SPARSE -> g.getNodeBuilder(loc.index()).getAttributeBuilder(loc.attribute()).getSparseTensorBuilder();
            default -> throw new IllegalStateException("not a sparse tensor location: " + loc.kind());
        };
    }

    private record Pending(TensorData values, DType dtype, long offset, long bytes, boolean reencode) {
    }
}
