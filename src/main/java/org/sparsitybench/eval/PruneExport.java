package org.sparsitybench.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.stream.Collectors;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.onnx.OnnxWriter;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.stats.ChannelCounts;
import org.sparsitybench.prune.stats.FlopCounter;
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

    /** What the report's parameter counts count (the window's totals show the selected ones). */
    public static final String PARAMS_COUNTED = "paramsBefore: every element of every tensor (weights, biases, "
            + "normalisation); paramsAfter: the same less the zeros of prunable tensors; selectedParams: the prunable "
            + "weights of the layers not excluded, and selectedParamsKept those the masks keep (the window's "
            + "'params kept of total')";

    private PruneExport() {
    }

    /**
     * Where and how to write.
     *
     * @param out           the model file to write (the report goes beside it as {@code OUT.report.json})
     * @param compact       physically remove pruned channels (ONNX; checked against the masked model)
     * @param sparseStorage store pruned ONNX weights as {@code sparse_initializer}s
     * @param exactCompression compress both files whole for the report's compressed sizes (slow: DEFLATE runs at
     *                      about 20 MB/s) instead of estimating them ({@link CompressedSize})
     */
    public record Options(Path out, boolean compact, boolean sparseStorage, boolean exactCompression) {
        public Options {
            Objects.requireNonNull(out, "out");
        }

        /** Options with estimated compressed sizes. */
        public Options(Path out, boolean compact, boolean sparseStorage) {
            this(out, compact, sparseStorage, false);
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
        long start = System.nanoTime();
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
        // The writer's own read of the new values is counted as it goes: the report needs no pass of its own.
        ExportTally tally = new ExportTally();
        Map<String, TensorData> streamed = tally.observe(r.values(), channels(m, r.masks()));
        Set<String> sparse = new HashSet<>();
        if (r.options().sparseStorage()) {
            sparse.addAll(r.values().keySet());
        }
        ObjectNode check = null;
        SparseChoice choice = null;
        ProgressListener writing = progress.range(0, 0.8);
        // The masks' hashes go into the file's metadata. A SafeTensors header is written again once the tensors
        // are out, so there they are hashed afterwards, from bits the stream computed as it masked the values
        // (no pass over the weights before the write); the other writers need them first.
        java.util.concurrent.atomic.AtomicReference<Map<String, String>> hashes = new java.util.concurrent.atomic
                .AtomicReference<>();
        java.util.function.Supplier<Map<String, String>> meta = () -> exportMetadata(r,
                masksSha256FromHashes(hashes.updateAndGet(h -> h != null ? h : maskHashes(r.masks()))));
        if (r.compaction() != null) {
            Compacted compacted = writeCompacted(r, meta.get(), sparse, progress, cancel);
            check = compacted.check();
            choice = compacted.sparse();
        } else if (m.format() == ModelFormat.ONNX) {
            choice = SparseChoice.of(m, r.values(), sparse, cancel);
            new OnnxWriter().write(m, updates(m, streamed), Map.of(), choice.stored(), meta.get(), out, writing, cancel);
        } else {
            warmHashing(r.masks());
            ModelFiles.writerFor(m.format()).write(m, updates(m, streamed), exportMetadata(r, "0".repeat(64)), meta,
                    out, writing, cancel);
        }
        Map<String, String> maskHashes = hashes.updateAndGet(h -> h != null ? h : maskHashes(r.masks()));
        String masksSha = masksSha256FromHashes(maskHashes);
        long written = System.nanoTime();
        // The model is in place: from here the report is written too, so the pair stays consistent (a cancel
        // before this point left the earlier export as it was).
        progress.progress(0.8, "writing " + reportFile.getFileName());
        ObjectNode report = report(r, maskHashes, masksSha, r.compaction() == null ? tally : null, check, choice);
        ObjectNode timings = report.has(TIMINGS) ? (ObjectNode) report.get(TIMINGS) : report.putObject(TIMINGS);
        timings.put("write", millis(written - start));
        timings.put("report", millis(System.nanoTime() - written));
        timings.put("what", "wall milliseconds of this command's steps: prune (reading what the cut needs and "
                + "choosing the masks), write (the model file, forced to disk, and the masks' hashes), report (the "
                + "report's figures: counts, sizes, the compression estimate)");
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(report);
        AtomicFiles.writeStream(reportFile, os -> os.write(json));
        // Evaluating the export needs the source's preprocessing: its card goes beside the export too.
        ModelCardCopy.copyBeside(r.model().file(), out);
        progress.progress(1, "done");
        return new Report(out, reportFile, report);
    }

    /**
     * Adds {@code field} to a written report and writes it again, atomically: for figures measured on the written
     * model (accuracy, latency), which exist only once it is written.
     *
     * @return the report as now written
     */
    public static Report amendReport(Report written, String field, ObjectNode value) throws IOException {
        ObjectNode json = written.json().deepCopy();
        json.set(field, value);
        byte[] bytes = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json);
        AtomicFiles.writeStream(written.file(), os -> os.write(bytes));
        return new Report(written.model(), written.file(), json);
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
    record SparseChoice(Set<String> stored, List<String> keptDense, Map<String, String> why) {
        static SparseChoice of(Model m, Map<String, TensorData> values, Set<String> asked, CancellationToken cancel) {
            Set<String> stored = new LinkedHashSet<>();
            List<String> dense = new ArrayList<>();
            Map<String, String> why = new LinkedHashMap<>();
            for (Map.Entry<String, TensorData> e : values.entrySet()) {
                if (!asked.contains(e.getKey())) {
                    continue;
                }
                cancel.throwIfCancelled();
                TensorData d = e.getValue();
                long nonZeros = d.elementCount() - org.sparsitybench.model.TensorStats.of(d).zeros();
                String refusal = OnnxWriter.sparseRefusal(m, e.getKey());
                if (refusal != null) {
                    dense.add(e.getKey());
                    why.put(e.getKey(), refusal);
                } else if (OnnxWriter.sparseIsSmaller(d.elementCount(), nonZeros, m.tensor(e.getKey()).orElseThrow().dtype())) {
                    stored.add(e.getKey());
                } else {
                    dense.add(e.getKey());
                    why.put(e.getKey(), "dense is smaller");
                }
            }
            return new SparseChoice(stored, dense, why);
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
        // The masked model exists only for the check: it and its data go into a scratch folder deleted afterwards.
        // The compacted model is written to OUT itself (with OUT.data when it has external data) and checked
        // before it replaces anything, so the export is self-contained and a failed check leaves nothing.
        Path scratch = AtomicFiles.createProcessTempDirectory(dir, ".sparsitybench-check-");
        try {
            Path masked = scratch.resolve("masked.onnx");
            new OnnxWriter().write(m, updates(m, r.values()), meta, masked, ProgressListener.NONE, cancel);
            cancel.throwIfCancelled();
            Map<String, TensorUpdate> sliced = PruneExportChannels.updates(r.compaction());
            // Values changed without losing channels (a kept layer's corrected bias) go in as the masked model has
            // them; only the sliced ones were written before, so fc's corrected bias fell out of the compacted file.
            r.values().forEach((name, v) -> sliced.putIfAbsent(name,
                    new TensorUpdate(m.tensor(name).orElseThrow().shape(), v)));
            Map<String, TensorData> slicedValues = new LinkedHashMap<>();
            sliced.forEach((name, u) -> slicedValues.put(name, u.values()));
            SparseChoice choice = SparseChoice.of(m, slicedValues, sparse, cancel);
            EquivalenceCheck.Result[] res = new EquivalenceCheck.Result[1];
            new OnnxWriter().write(m, sliced, r.compaction().attributes(), choice.stored(), meta, out,
                    ProgressListener.NONE, cancel, candidate -> {
                        cancel.throwIfCancelled();
                        progress.progress(0.4, "checking the compacted model against the masked one");
                        try {
                            res[0] = EquivalenceCheck.compare(masked, candidate, 4, 2, CHECK_TOLERANCE);
                        } catch (IOException e) {
                            throw new IOException(out + ": " + e.getMessage() + "; nothing was written", e);
                        }
                        if (!res[0].passed()) {
                            throw new CompactionCheckException(out, res[0]);
                        }
                        cancel.throwIfCancelled();
                    });
            return new Compacted(new ObjectMapper().valueToTree(res[0]), choice);
        } finally {
            AtomicFiles.deleteTree(scratch);
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

    /** The channel layout of every masked tensor with an output-channel axis, for the tally's per-channel counts. */
    private static Map<String, ExportTally.Channels> channels(Model m, Map<String, Mask> masks) {
        Map<String, ExportTally.Channels> out = new HashMap<>();
        for (String name : masks.keySet()) {
            WeightTensor t = m.tensor(name).orElseThrow();
            int axis = t.pruneAxis();
            if (axis < 0 || t.elementCount() == 0) {
                continue;
            }
            long[] shape = t.shape();
            long inner = 1;
            for (int i = axis + 1; i < shape.length; i++) {
                inner *= shape[i];
            }
            out.put(name, new ExportTally.Channels(inner, (int) shape[axis]));
        }
        return out;
    }

    private static Map<String, TensorUpdate> updates(Model m, Map<String, TensorData> values) {
        Map<String, TensorUpdate> u = new LinkedHashMap<>();
        values.forEach((name, v) -> u.put(name, new TensorUpdate(m.tensor(name).orElseThrow().shape(), v)));
        return u;
    }

    /** The report's field with the wall time of each step. */
    public static final String TIMINGS = "timingsMs";

    /** Nanoseconds as milliseconds to a tenth. */
    public static double millis(long nanos) {
        return Math.round(nanos / 1e5) / 10.0;
    }

    /** The export's metadata entry: tool, method, requested sparsity and the masks' SHA-256 (64 hex digits). */
    private static Map<String, String> exportMetadata(Request r, String masksSha) {
        return Map.of(OnnxWriter.METADATA_KEY, "{\"tool\":\"SparsityBench\",\"method\":\"" + r.method()
                + "\",\"sparsity\":" + r.requested() + ",\"masksSha256\":\"" + masksSha + "\"}");
    }

    /** SHA-256 over every mask's name and canonical bits, in tensor order. */
    public static String masksSha256(Map<String, Mask> masks) {
        return masksSha256FromHashes(maskHashes(masks));
    }

    /**
     * Each mask's SHA-256 ({@link Mask#sha256()}), in the masks' order, computed once for the file's metadata
     * and the report and on all cores: hashing a billion mask bits is 125 MB of SHA-256.
     */
    static Map<String, String> maskHashes(Map<String, Mask> masks) {
        List<Map.Entry<String, Mask>> entries = new ArrayList<>(masks.entrySet());
        String[] hashes = new String[entries.size()];
        java.util.stream.IntStream.range(0, hashes.length).parallel()
                .forEach(i -> hashes[i] = entries.get(i).getValue().sha256());
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < hashes.length; i++) {
            out.put(entries.get(i).getKey(), hashes[i]);
        }
        return out;
    }

    /**
     * Masks of at least this many elements in all (16 MB of bits) are worth compiling the hashing for while the file
     * is written.
     */
    static final long WARM_HASHING_ELEMENTS = 1L << 27;

    /**
     * Hashes a throwaway 4 MB mask on a background thread, so that SHA-256 and the bits' conversion are compiled
     * by the time {@link #maskHashes} runs after a long write. Cold, the first megabytes go through code that is not
     * compiled yet: in the prune of the 1B BF16 model (121 masks, 125 MB of bits, two threads) the hashes took
     * 127-156 ms without the warm-up and 68-78 ms with it (6 runs each). The disk bounds such a write, so the
     * warm-up uses time the cores would otherwise wait.
     */
    private static void warmHashing(Map<String, Mask> masks) {
        long elements = 0;
        for (Mask mask : masks.values()) {
            elements += mask.size();
        }
        if (elements < WARM_HASHING_ELEMENTS || Runtime.getRuntime().availableProcessors() < 2) {
            return;
        }
        Thread t = new Thread(() -> {
            BitMask warm = BitMask.allKept(1L << 25);
            for (int i = 0; i < 2; i++) {
                warm.sha256();
            }
        }, "sparsitybench-warm-hashing");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Appends {@code values} to {@code array}. A method of its own: a 1B model has half a million channels, and the
     * loop that adds them, inside {@link #report}, made the optimising compiler compile all of the report
     * (on-stack replacement, 140 ms of C2 time in every such export) to run the rest of it once.
     */
    private static void addAll(ArrayNode array, long[] values) {
        for (long v : values) {
            array.add(v);
        }
    }

    /** SHA-256 over every mask's name and its {@link #maskHashes hash}, in order. */
    private static String masksSha256FromHashes(Map<String, String> hashes) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, String> e : hashes.entrySet()) {
                d.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
                d.update(java.util.HexFormat.of().parseHex(e.getValue()));
            }
            return java.util.HexFormat.of().formatHex(d.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param tally the counts of the streamed values, or null when the file written is not the masked model (a
     *              compacted one), which is then read back
     */
    private static ObjectNode report(Request r, Map<String, String> maskHashes, String masksSha, ExportTally tally,
                                     ObjectNode check, SparseChoice choice) throws IOException {
        Model m = r.model();
        Path out = r.options().out();
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        // Both absolute or both as given: a relative model beside an absolute output reads as two places.
        boolean relative = !r.source().isAbsolute() && !out.isAbsolute();
        root.put("model", (relative ? r.source() : r.source().toAbsolutePath().normalize()).toString());
        root.put("output", (relative ? out : out.toAbsolutePath().normalize()).toString());
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
                o.put("maskSha256", maskHashes.get(lr.name()));
                WeightTensor t = m.tensor(lr.name()).orElseThrow();
                if (t.pruneAxis() >= 0) {
                    // Counted as the masked values streamed out; a scan only when they were not (compaction).
                    long[] streamedCounts = tally == null || !r.values().containsKey(lr.name()) ? null
                            : tally.nonZerosPerChannel(lr.name());
                    addAll(o.putArray("keptPerChannel"), streamedCounts != null ? streamedCounts
                            : ChannelCounts.kept(t, mask));
                }
            }
            if (!r.excluded().contains(lr.name())) {
                selected += lr.params();
                pruned += lr.params() - lr.kept();
            }
        }
        // The masked model has the source's tensors and graph: its counts come from the stream. A compacted one
        // has new shapes, so it is read back (it is small: compaction needs the graph in memory anyway).
        Model written = tally != null ? m : ModelFiles.read(out);
        long paramsAfter = 0;
        Map<String, Long> denseCounts = new HashMap<>();
        Map<String, Long> nonZeroAfter = new HashMap<>();
        for (WeightTensor t : written.tensors()) {
            if (t.prunable()) {
                TensorData streamedValues = tally == null ? null : r.values().get(t.name());
                long zeros = streamedValues != null ? tally.zeros(t.name(), streamedValues) : t.stats().zeros();
                paramsAfter += t.elementCount() - zeros;
                nonZeroAfter.put(t.name(), t.elementCount() - zeros);
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
        totals.put("selectedParams", selected);
        totals.put("selectedParamsKept", selected - pruned);
        totals.put("paramsCounted", PARAMS_COUNTED);
        FlopCounter flopsBefore = m.format() == ModelFormat.ONNX ? FlopCounter.of(m) : null;
        FlopCounter flopsAfter = written.format() == ModelFormat.ONNX ? FlopCounter.of(written) : null;
        totals.put("flopsBefore", flopsBefore != null ? flopsBefore.flops(denseCounts) : 0);
        totals.put("flopsAfter", flopsAfter != null ? flopsAfter.flops(nonZeroAfter) : 0);
        if (flopsAfter != null) {
            // Per layer: what it costs as written, or "n/a" where its shapes cannot be told (never a silent 0).
            for (com.fasterxml.jackson.databind.JsonNode l : ls) {
                String name = l.get("name").asText();
                if (flopsAfter.known(name) && nonZeroAfter.containsKey(name)) {
                    ((ObjectNode) l).put("flops", 2 * flopsAfter.uses().get(name) * nonZeroAfter.get(name));
                } else {
                    ((ObjectNode) l).put("flops", "n/a");
                }
            }
            List<String> unknown = flopsAfter.unknown(nonZeroAfter.keySet().stream().sorted().toList());
            if (!unknown.isEmpty()) {
                unknown.forEach(totals.putArray("flopsUnknown")::add);
            }
        }
        totals.put("fileBytesBefore", Files.size(m.file()));
        totals.put("fileBytesAfter", Files.size(out));
        if (m.format() == ModelFormat.ONNX && !r.options().sparseStorage() && r.compaction() == null) {
            totals.put("fileBytesWithSparseStorage", StorageEstimate.of(m, r.masks())
                    .fileBytesWithSparseStorage(Files.size(out)));
        }
        CompressedSize.Pair compressed = CompressedSize.of(m.file(), out, r.options().exactCompression());
        totals.put("compressedBytesBefore", compressed.before().bytes());
        totals.put("compressedBytesAfter", compressed.after().bytes());
        totals.put("compressedBytesExact", compressed.exact());
        totals.put("compressionMethod", compressed.method());
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
                ObjectNode why = sp.putObject("keptDenseBecause");
                choice.why().forEach(why::put);
            }
        }
        return root;
    }
}
