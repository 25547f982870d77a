package org.sparsitybench.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Collectors;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.onnx.OnnxWriter;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.stats.ChannelCounts;
import org.sparsitybench.prune.stats.WeightUses;
import org.sparsitybench.prune.structure.ChannelCompactor;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Writes a pruned model in its own format and its {@code OUT.report.json}: what {@code sparsitybench prune} and
 * the window's export dialog both do. Optionally the model is compacted (pruned channels physically removed) and
 * the compacted file is checked against the masked one in ONNX Runtime before it replaces anything; optionally
 * pruned ONNX weights are stored as {@code sparse_initializer}s. The opened model is never written, and every
 * file is written atomically: a failed or cancelled export leaves earlier files as they were.
 */
public final class PruneExport {
    /** Relative tolerance of the compaction check (× max(1, output scale)). */
    public static final double CHECK_TOLERANCE = 1e-4;
    /** The report's note on sparse storage. */
    public static final String SPARSE_STORAGE_NOTE = "ONNX Runtime densifies sparse_initializers on load: the file "
            + "shrinks, memory use and latency in ONNX Runtime do not.";

    private PruneExport() {
    }

    /**
     * Where and how to write.
     *
     * @param out           the model file to write (the report goes beside it as {@code OUT.report.json})
     * @param compact       physically remove pruned channels (ONNX; checked against the masked model)
     * @param sparseStorage store pruned ONNX weights as {@code sparse_initializer}s
     */
    public record Options(Path out, boolean compact, boolean sparseStorage) {
        public Options {
            Objects.requireNonNull(out, "out");
        }
    }

    /**
     * Everything an export needs, already decided: {@link PrunePipeline#exportRequest} builds it from an engine
     * result for the command line and the window alike.
     *
     * @param model      the opened model (not modified)
     * @param source     the model's path as the user gave it (the report's {@code model})
     * @param method     method name for the report and the file's metadata
     * @param requested  requested global sparsity (the report's {@code totals.requested})
     * @param config     the configuration, recorded in the report
     * @param layers     per-layer results in model order
     * @param masks      mask per prunable tensor in model order (the masks' SHA-256 is over these)
     * @param values     new values by tensor name: the masked weights, and for structured pruning the zeroed
     *                   biases and BatchNorm entries of removed channels. Lazy views
     *                   ({@link PruningResult#prunedValues}) keep the export streaming: the writers read them
     *                   chunk by chunk, so the model is never whole in the heap
     * @param excluded   layers left out of the achieved total
     * @param extra      method-specific report fields, appended after {@code masksSha256} (may be null)
     * @param compaction the compacted tensors when {@link Options#compact()}, else null
     * @param options    output path and storage options
     */
    public record Request(Model model, Path source, String method, double requested, PruningConfig config,
                          List<LayerResult> layers, Map<String, Mask> masks, Map<String, TensorData> values,
                          Set<String> excluded, ObjectNode extra, ChannelCompactor.Compaction compaction,
                          Options options) {
        public Request {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(options, "options");
            layers = List.copyOf(layers);
            masks = new LinkedHashMap<>(masks);
            values = new LinkedHashMap<>(values);
            excluded = Set.copyOf(excluded);
            if (options.compact() && compaction == null) {
                throw new IllegalArgumentException("compaction asked for but no compacted tensors given");
            }
        }
    }

    /**
     * What was written.
     *
     * @param model  the model file written
     * @param file   the report file written
     * @param json   the report, exactly as written
     */
    public record Report(Path model, Path file, ObjectNode json) {
        public double achieved() {
            return totals().get("achieved").asDouble();
        }

        public ObjectNode totals() {
            return (ObjectNode) json.get("totals");
        }

        /** The compaction check, when the model was compacted. */
        public Optional<EquivalenceCheck.Result> compactionCheck() {
            if (!json.has("compactionCheck")) {
                return Optional.empty();
            }
            try {
                return Optional.of(new ObjectMapper().treeToValue(json.get("compactionCheck"), EquivalenceCheck.Result.class));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Writes the model, then its report. Progress: writing, compaction check, report.
     *
     * @throws org.sparsitybench.formats.OutputPathException when the output is the opened model
     * @throws IOException naming the file when writing fails or the compaction check fails (nothing is
     *                     written then)
     */
    public static Report write(Request r, ProgressListener progress, CancellationToken cancel) throws IOException {
        Path out = r.options().out();
        AtomicFiles.refuseOverwrite(r.source(), out);
        AtomicFiles.refuseOverwrite(r.model().file(), out);
        Path reportFile = reportFile(out);
        AtomicFiles.refuseOverwrite(r.model().file(), reportFile);
        Model m = r.model();
        if ((r.options().compact() || r.options().sparseStorage()) && m.format() != ModelFormat.ONNX) {
            throw new UnsupportedModelException(r.source() + ": compaction and sparse storage need ONNX; "
                    + m.format().id() + " holds weights only");
        }
        cancel.throwIfCancelled();
        progress.progress(0, "writing " + out.getFileName());
        String masksSha = masksSha256(r.masks());
        Map<String, String> meta = Map.of(OnnxWriter.METADATA_KEY, "{\"tool\":\"SparsityBench\",\"method\":\""
                + r.method() + "\",\"sparsity\":" + r.requested() + ",\"masksSha256\":\"" + masksSha + "\"}");
        Set<String> sparse = new HashSet<>();
        if (r.options().sparseStorage()) {
            sparse.addAll(r.values().keySet());
        }
        ObjectNode check = null;
        SparseChoice choice = null;
        ProgressListener writing = progress.range(0, 0.8);
        if (r.compaction() != null) {
            Compacted compacted = writeCompacted(r, meta, sparse, progress, cancel);
            check = compacted.check();
            choice = compacted.sparse();
        } else if (m.format() == ModelFormat.ONNX) {
            choice = SparseChoice.of(m, r.values(), sparse, cancel);
            new OnnxWriter().write(m, updates(m, r.values()), Map.of(), choice.stored(), meta, out, writing, cancel);
        } else {
            ModelFiles.writerFor(m.format()).write(m, updates(m, r.values()), meta, out, writing, cancel);
        }
        // The model is in place: from here the report is written too, so the pair stays consistent (a cancel
        // before this point left the earlier export as it was).
        progress.progress(0.8, "writing " + reportFile.getFileName());
        ObjectNode report = report(r, masksSha, check, choice);
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(report);
        AtomicFiles.writeStream(reportFile, os -> os.write(json));
        progress.progress(1, "done");
        return new Report(out, reportFile, report);
    }

    /** {@code OUT.report.json} beside {@code out}. */
    public static Path reportFile(Path out) {
        return out.resolveSibling(out.getFileName() + ".report.json");
    }

    /**
     * Which of the tensors asked for sparse storage it makes smaller: a {@code sparse_initializer} holds the
     * non-zero values plus an int64 index each, so it only pays above 67 % zeros for float32 (80 % for 16-bit).
     * The others stay dense initializers, and the report says which.
     *
     * @param stored     stored as {@code sparse_initializer}s
     * @param keptDense  asked for, kept dense because that is smaller
     */
    record SparseChoice(Set<String> stored, List<String> keptDense) {
        static SparseChoice of(Model m, Map<String, TensorData> values, Set<String> asked, CancellationToken cancel) {
            Set<String> stored = new LinkedHashSet<>();
            List<String> dense = new ArrayList<>();
            for (Map.Entry<String, TensorData> e : values.entrySet()) {
                if (!asked.contains(e.getKey())) {
                    continue;
                }
                cancel.throwIfCancelled();
                TensorData d = e.getValue();
                long nonZeros = d.elementCount() - org.sparsitybench.model.TensorStats.of(d).zeros();
                if (OnnxWriter.sparseIsSmaller(d.elementCount(), nonZeros, m.tensor(e.getKey()).orElseThrow().dtype())) {
                    stored.add(e.getKey());
                } else {
                    dense.add(e.getKey());
                }
            }
            return new SparseChoice(stored, dense);
        }
    }

    /** What writing a compacted model decided: the equivalence check's report and the sparse choice. */
    private record Compacted(ObjectNode check, SparseChoice sparse) {
    }

    private static Compacted writeCompacted(Request r, Map<String, String> meta, Set<String> sparse,
                                           ProgressListener progress, CancellationToken cancel) throws IOException {
        Model m = r.model();
        Path out = r.options().out();
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path masked = AtomicFiles.createProcessTempFile(dir, ".masked-", ".onnx");
        Path candidate = AtomicFiles.createProcessTempFile(dir, ".compact-", ".onnx");
        try {
            new OnnxWriter().write(m, updates(m, r.values()), meta, masked, ProgressListener.NONE, cancel);
            cancel.throwIfCancelled();
            Map<String, TensorUpdate> sliced = PruneExportChannels.updates(r.compaction());
            Map<String, TensorData> slicedValues = new LinkedHashMap<>();
            sliced.forEach((name, u) -> slicedValues.put(name, u.values()));
            SparseChoice choice = SparseChoice.of(m, slicedValues, sparse, cancel);
            new OnnxWriter().write(m, sliced, r.compaction().attributes(), choice.stored(), meta, candidate);
            cancel.throwIfCancelled();
            progress.progress(0.4, "checking the compacted model against the masked one");
            EquivalenceCheck.Result res = EquivalenceCheck.compare(masked, candidate, 4, 2, CHECK_TOLERANCE);
            if (!res.passed()) {
                throw new CompactionCheckException(out, res);
            }
            cancel.throwIfCancelled();
            try {
                Files.move(candidate, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(candidate, out, StandardCopyOption.REPLACE_EXISTING);
            }
            return new Compacted(new ObjectMapper().valueToTree(res), choice);
        } finally {
            Files.deleteIfExists(masked);
            Files.deleteIfExists(candidate);
        }
    }

    /** The compacted model does not compute what the masked model computes; nothing was written. */
    public static final class CompactionCheckException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient EquivalenceCheck.Result result;

        CompactionCheckException(Path out, EquivalenceCheck.Result result) {
            super(out + ": the compacted model differs from the masked model (max |diff| " + result.maxAbsDiff()
                    + " at output scale " + result.outputScale() + "); nothing was written");
            this.result = result;
        }

        public EquivalenceCheck.Result result() {
            return result;
        }
    }

    private static Map<String, TensorUpdate> updates(Model m, Map<String, TensorData> values) {
        Map<String, TensorUpdate> u = new LinkedHashMap<>();
        values.forEach((name, v) -> u.put(name, new TensorUpdate(m.tensor(name).orElseThrow().shape(), v)));
        return u;
    }

    /** SHA-256 over every mask's name and canonical bits, in tensor order. */
    public static String masksSha256(Map<String, Mask> masks) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, Mask> e : masks.entrySet()) {
                d.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
                d.update(java.util.HexFormat.of().parseHex(e.getValue().sha256()));
            }
            return java.util.HexFormat.of().formatHex(d.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode report(Request r, String masksSha, ObjectNode check, SparseChoice choice)
            throws IOException {
        Model m = r.model();
        Path out = r.options().out();
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("model", r.source().toString());
        root.put("output", out.toString());
        root.put("method", r.method());
        ArrayNode ls = root.putArray("layers");
        long selected = 0;
        long pruned = 0;
        for (LayerResult lr : r.layers()) {
            ObjectNode o = ls.addObject();
            o.put("name", lr.name());
            o.put("method", lr.method());
            o.put("requested", lr.requested());
            o.put("achieved", lr.achieved());
            o.put("params", lr.params());
            o.put("kept", lr.kept());
            o.put("energyRetained", lr.energyRetained());
            Mask mask = r.masks().get(lr.name());
            if (mask != null) {
                o.put("maskSha256", mask.sha256());
                WeightTensor t = m.tensor(lr.name()).orElseThrow();
                if (t.pruneAxis() >= 0) {
                    ArrayNode perChannel = o.putArray("keptPerChannel");
                    for (long c : ChannelCounts.kept(t, mask)) {
                        perChannel.add(c);
                    }
                }
            }
            if (!r.excluded().contains(lr.name())) {
                selected += lr.params();
                pruned += lr.params() - lr.kept();
            }
        }
        Model written = ModelFiles.read(out);
        long paramsAfter = 0;
        Map<String, Long> denseCounts = new HashMap<>();
        Map<String, Long> nonZeroAfter = new HashMap<>();
        for (WeightTensor t : written.tensors()) {
            if (t.prunable()) {
                paramsAfter += t.elementCount() - t.stats().zeros();
                nonZeroAfter.put(t.name(), t.elementCount() - t.stats().zeros());
            } else {
                paramsAfter += t.elementCount();
            }
        }
        for (WeightTensor t : m.prunableTensors()) {
            denseCounts.put(t.name(), t.elementCount());
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("requested", r.requested());
        totals.put("achieved", selected == 0 ? 0 : (double) pruned / selected);
        totals.put("paramsBefore", m.totalParams());
        totals.put("paramsAfter", paramsAfter);
        totals.put("flopsBefore", m.format() == ModelFormat.ONNX ? WeightUses.of(m).flops(denseCounts) : 0);
        totals.put("flopsAfter", written.format() == ModelFormat.ONNX ? WeightUses.of(written).flops(nonZeroAfter) : 0);
        totals.put("fileBytesBefore", Files.size(m.file()));
        totals.put("fileBytesAfter", Files.size(out));
        long[] compressed = deflatedSizes(m.file(), out);
        totals.put("compressedBytesBefore", compressed[0]);
        totals.put("compressedBytesAfter", compressed[1]);
        if (compressed[2] != 0) {
            totals.put("compressedBytesEstimated", "files over " + (EXACT_COMPRESSION_LIMIT >> 20) + " MiB: "
                    + "DEFLATE of " + ESTIMATE_BLOCKS + " blocks of " + (ESTIMATE_BLOCK >> 20) + " MiB spread "
                    + "evenly over the file, scaled to its size (compressing 2 GB whole takes minutes)");
        }
        root.set("config", json.readTree(r.config().toJson()));
        root.put("masksSha256", masksSha);
        if (r.extra() != null) {
            root.setAll(r.extra());
        }
        if (check != null) {
            root.set("compactionCheck", check);
        }
        if (r.options().sparseStorage()) {
            root.put("sparseStorageNote", SPARSE_STORAGE_NOTE);
            if (choice != null) {
                ObjectNode sp = root.putObject("sparseStorage");
                sp.put("rule", "a tensor is stored as a sparse_initializer only when its non-zero values plus one "
                        + "int64 index each take fewer bytes than the dense tensor");
                choice.stored().forEach(sp.putArray("stored")::add);
                choice.keptDense().forEach(sp.putArray("keptDense")::add);
            }
        }
        return root;
    }

    /** Files up to this size get their compressed size exactly; larger ones an estimate. */
    static final long EXACT_COMPRESSION_LIMIT = 512L << 20;
    /** Blocks the estimate compresses, spread evenly over the file. */
    static final int ESTIMATE_BLOCKS = 64;
    /** Bytes per estimate block. */
    static final int ESTIMATE_BLOCK = 1 << 20;

    /**
     * {compressed size of {@code first}, of {@code second}, 1 when they are estimates}: exact
     * ({@link #deflatedSize}, the two side by side on two threads) when both files are at most
     * {@link #EXACT_COMPRESSION_LIMIT}, else both estimated ({@link #estimatedDeflatedSize}). DEFLATE runs at
     * about 13 MB/s on BF16 weights here, so compressing a 2 GB model and its export whole took over four minutes.
     */
    static long[] deflatedSizes(Path first, Path second) throws IOException {
        if (Files.size(first) > EXACT_COMPRESSION_LIMIT || Files.size(second) > EXACT_COMPRESSION_LIMIT) {
            return new long[] {estimatedDeflatedSize(first), estimatedDeflatedSize(second), 1};
        }
        FutureTask<Long> other = new FutureTask<>(() -> deflatedSize(second));
        Thread t = new Thread(other, "deflate " + second.getFileName());
        t.setDaemon(true);
        t.start();
        long a = deflatedSize(first);
        try {
            return new long[] {a, other.get(), 0};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing " + second);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * The compressed size of {@code file} estimated from {@link #ESTIMATE_BLOCKS} blocks of
     * {@link #ESTIMATE_BLOCK} bytes at evenly spaced offsets (first and last block included), each compressed on
     * its own at level 6, scaled by file size over bytes sampled. Files no larger than the sample are compressed
     * whole.
     */
    static long estimatedDeflatedSize(Path file) throws IOException {
        return estimatedDeflatedSize(file, ESTIMATE_BLOCKS, ESTIMATE_BLOCK);
    }

    /** As {@link #estimatedDeflatedSize(Path)} with {@code blocks} blocks of {@code blockBytes} (at least 2). */
    static long estimatedDeflatedSize(Path file, int blocks, int blockBytes) throws IOException {
        long size = Files.size(file);
        if (size <= (long) blocks * blockBytes) {
            return deflatedSize(file);
        }
        byte[] block = new byte[blockBytes];
        byte[] sink = new byte[1 << 16];
        long compressed = 0;
        Deflater d = new Deflater(6);
        try (FileChannel ch = FileChannel.open(file)) {
            for (int i = 0; i < blocks; i++) {
                long at = (size - blockBytes) / (blocks - 1) * i;
                ByteBuffer b = ByteBuffer.wrap(block);
                while (b.hasRemaining()) {
                    if (ch.read(b, at + b.position()) < 0) {
                        throw new EOFException(file + ": shorter than " + size + " bytes while reading it");
                    }
                }
                d.reset();
                d.setInput(block);
                d.finish();
                while (!d.finished()) {
                    compressed += d.deflate(sink);
                }
            }
        } finally {
            d.end();
        }
        return Math.round(compressed * ((double) size / ((long) blocks * blockBytes)));
    }

    /** Bytes after DEFLATE (zip's algorithm, level 6): what zeros save when the file is compressed. */
    public static long deflatedSize(Path file) throws IOException {
        long[] count = new long[1];
        OutputStream counter = new OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        try (InputStream in = Files.newInputStream(file);
             DeflaterOutputStream d = new DeflaterOutputStream(counter, new Deflater(6), 1 << 16)) {
            in.transferTo(d);
        }
        return count[0];
    }
}
