package org.sparsitybench.cli;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;
import org.sparsitybench.formats.safetensors.SafeTensorsWriter;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DTypeCodec;
import org.sparsitybench.model.NodeTensors;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.Masking;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.prune.mask.ThresholdMask;
import org.sparsitybench.prune.stats.WeightHistogram;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench large}: a generated LLaMA-shaped SafeTensors checkpoint of about {@code --params} weights, taken
 * through the workbench's whole path in one JVM: layer list from the header, per-layer statistics in the
 * background, a global magnitude threshold through the engine against one sequential read of the file, the pruned
 * export streamed through the SafeTensors writer and verified by re-reading, and the memory it all took.
 * Run it under the heap the goal names: {@code JAVA_OPTS=-Xmx1g packaging/bin/sparsitybench bench large}.
 */
@Command(name = "large", mixinStandardHelpOptions = true,
        description = {"Generate a LLaMA-shaped SafeTensors file of about PARAMS weights (streamed, never whole in "
                + "memory), then time: the layer list (header only), per-layer statistics in the background, one "
                + "sequential read of the file against a global magnitude threshold through the engine, the "
                + "streamed pruned export and its verification; and report peak RSS and heap. Prints one JSON "
                + "object. Run under the heap you mean to test, e.g. JAVA_OPTS=-Xmx1g."})
public final class BenchLargeCommand implements Callable<Integer> {
    /** Vocabulary of LLaMA 1/2: embed_tokens and lm_head are VOCAB x hidden. */
    static final int VOCAB = 32_000;
    /** Bytes per mapped window of the sequential-read peer. */
    static final int READ_WINDOW = 64 << 20;
    private static final int GEN_CHUNK = 1 << 22;
    private static final double GOAL_LAYER_LIST_MS = 1000;
    private static final double GOAL_THRESHOLD_RATIO = 3;

    @Option(names = "--params", defaultValue = "1e9",
            description = "Approximate number of weights (default ${DEFAULT-VALUE}; 6.7e9 gives LLaMA-7B's shapes).")
    double params;

    @Option(names = "--dtype", defaultValue = "bf16", description = "bf16, f16 or f32 (default ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--dir", description = "Folder for the generated file and the export (default: a new "
            + "temporary folder).")
    Path dir;

    @Option(names = "--keep", description = "Keep the generated file and the export instead of deleting them.")
    boolean keep;

    @Option(names = "--sparsity", defaultValue = "0.5", description = "Global target sparsity (default ${DEFAULT-VALUE}).")
    double sparsity;

    @Option(names = "--repeats", defaultValue = "3",
            description = "Timed repeats of the read and the threshold, alternated (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--seed", defaultValue = "20240601", description = "Seed of the generated weights.")
    long seed;

    @Option(names = "--format", defaultValue = "safetensors",
            description = "safetensors (LLaMA-shaped, --dtype) or onnx (a float32 MatMul chain with external data, "
                    + "4096 wide; --params 6e8 makes 2.4 GB) (default ${DEFAULT-VALUE}).")
    String format;

    @Spec
    CommandSpec spec;

    /** LLaMA-like dimensions: hidden size, MLP size and layer count. */
    public record Shape(int hidden, int intermediate, int layers) {
        /** Fewest transformer blocks a generated model gets when the budget allows. */
        static final int MIN_LAYERS = 16;

        /**
         * The widest shape (hidden size 4096, 2048, ... 128) with room for {@link #MIN_LAYERS} layers, and as many
         * layers as the budget holds: 6.7e9 gives LLaMA-7B (4096, 11008, 32 layers), 1e9 gives 2048 x 17 layers.
         */
        public static Shape forParams(double params) {
            int hidden = 4096;
            while (hidden > 128 && 2.0 * VOCAB * hidden + MIN_LAYERS * perLayer(hidden) > params) {
                hidden /= 2;
            }
            long layers = Math.max(1, Math.round((params - 2.0 * VOCAB * hidden - hidden) / perLayer(hidden)));
            return new Shape(hidden, intermediate(hidden), (int) layers);
        }

        /** LLaMA's MLP width: 8/3 of the hidden size, rounded up to a multiple of 256 (4096 gives 11008). */
        static int intermediate(int hidden) {
            return (int) ((8L * hidden / 3 + 255) / 256 * 256);
        }

        private static double perLayer(int hidden) {
            return 4.0 * hidden * hidden + 3.0 * hidden * intermediate(hidden) + 2.0 * hidden;
        }

        /** Tensor names and shapes in LLaMA's (Hugging Face) order. */
        public Map<String, long[]> tensors() {
            Map<String, long[]> t = new LinkedHashMap<>();
            long h = hidden;
            long i = intermediate;
            t.put("model.embed_tokens.weight", new long[] {VOCAB, h});
            for (int l = 0; l < layers; l++) {
                String p = "model.layers." + l + ".";
                t.put(p + "self_attn.q_proj.weight", new long[] {h, h});
                t.put(p + "self_attn.k_proj.weight", new long[] {h, h});
                t.put(p + "self_attn.v_proj.weight", new long[] {h, h});
                t.put(p + "self_attn.o_proj.weight", new long[] {h, h});
                t.put(p + "mlp.gate_proj.weight", new long[] {i, h});
                t.put(p + "mlp.up_proj.weight", new long[] {i, h});
                t.put(p + "mlp.down_proj.weight", new long[] {h, i});
                t.put(p + "input_layernorm.weight", new long[] {h});
                t.put(p + "post_attention_layernorm.weight", new long[] {h});
            }
            t.put("model.norm.weight", new long[] {h});
            t.put("lm_head.weight", new long[] {VOCAB, h});
            return t;
        }

        public long params() {
            return tensors().values().stream().mapToLong(WeightTensor::elementCount).sum();
        }
    }

    @Override
    public Integer call() throws Exception {
        String code = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "bf16" -> "BF16";
            case "f16" -> "F16";
            case "f32" -> "F32";
            default -> throw new SparsityBenchCli.UsageException("--dtype " + dtype + ": expected bf16, f16 or f32");
        };
        if (!(params >= 1e6 && params <= 1e11)) {
            throw new SparsityBenchCli.UsageException("--params " + params + " outside [1e6, 1e11]");
        }
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new SparsityBenchCli.UsageException("--sparsity " + sparsity + " outside [0, 1]");
        }
        if (repeats < 1) {
            throw new SparsityBenchCli.UsageException("--repeats " + repeats + " < 1");
        }
        PrintWriter err = spec.commandLine().getErr();
        if (format.equalsIgnoreCase("onnx")) {
            return onnx(err);
        }
        if (!format.equalsIgnoreCase("safetensors")) {
            throw new SparsityBenchCli.UsageException("--format " + format + ": expected safetensors or onnx");
        }
        MemorySampler memory = MemorySampler.start();
        Path folder = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sparsitybench-large-");
        Shape shape = Shape.forParams(params);
        Path file = folder.resolve(String.format(Locale.ROOT, "llama-like-%dM-%s.safetensors",
                Math.round(shape.params() / 1e6), code.toLowerCase(Locale.ROOT)));
        Path out = folder.resolve(file.getFileName().toString().replace(".safetensors", ".pruned.safetensors"));

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode o = json.createObjectNode();
        o.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        o.put("maxHeapMB", mb(Runtime.getRuntime().maxMemory()));
        o.put("java", System.getProperty("java.version"));
        o.put("loadAverageAtStart", loadAverage());
        try {
            // Generation: not a goal, but its time says how fast the disk takes 2 GB.
            err.println("bench large: writing " + file + " ...");
            err.flush();
            long t0 = System.nanoTime();
            long bytes = generate(file, shape, code, seed);
            ObjectNode gen = o.putObject("file");
            gen.put("path", file.toString());
            gen.put("dtype", code);
            gen.put("hidden", shape.hidden());
            gen.put("intermediate", shape.intermediate());
            gen.put("layers", shape.layers());
            gen.put("vocab", VOCAB);
            gen.put("params", shape.params());
            gen.put("bytes", bytes);
            gen.put("generateMs", ms(System.nanoTime() - t0));
            gen.put("cacheState", "warm: the file was just written and stays in the page cache (dropping it needs "
                    + "root); every timing below reads it from memory, the peer and the engine alike");

            // (a) Layer list: the header only.
            err.println("bench large: layer list ...");
            err.flush();
            double[] listMs = new double[repeats + 1];
            Model model = null;
            int layerCount = 0;
            for (int r = 0; r <= repeats; r++) {
                long s = System.nanoTime();
                model = ModelFiles.read(file);
                List<NodeTensors> layers = model.nodeTensors();
                layerCount = layers.size();
                listMs[r] = ms(System.nanoTime() - s);
            }
            ObjectNode list = o.putObject("layerList");
            list.put("tensors", model.tensors().size());
            list.put("layers", layerCount);
            list.put("prunableTensors", model.prunableTensors().size());
            list.put("firstMs", listMs[0]);
            list.put("medianMs", median(Arrays.copyOfRange(listMs, 1, listMs.length)));
            list.put("note", "firstMs includes loading the reader's classes in a fresh JVM");

            // (b) Statistics in the background while this thread goes on (here it only waits and samples).
            err.println("bench large: per-layer statistics in the background ...");
            err.flush();
            o.set("statistics", statistics(json, model));

            // (c) One sequential read of the file against a global magnitude threshold, alternated.
            err.println("bench large: sequential read vs global threshold ...");
            err.flush();
            List<ByteBuffer> windows = mapWindows(file);
            double[] readMs = new double[repeats];
            double[] decodeMs = new double[repeats];
            double[] thresholdMs = new double[repeats];
            PruningConfig config = PruningConfig.of(GlobalSettings.of(sparsity, "magnitude", Allocation.GLOBAL));
            PruningResult result = null;
            long checksum = 0;
            // Both sides once untimed: the first touch maps the pages into this process for the peer, the first
            // engine run compiles its counting loop; the cold run is reported on its own.
            long coldReadStart = System.nanoTime();
            checksum += readSequentially(windows);
            double coldReadMs = ms(System.nanoTime() - coldReadStart);
            long coldStart = System.nanoTime();
            new PruningEngine(model, new ScoreCache(false), null)
                    .run(config, ProgressListener.NONE, CancellationToken.NONE);
            double coldThresholdMs = ms(System.nanoTime() - coldStart);
            double[] readCpuMs = new double[repeats];
            double[] thresholdCpuMs = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long s = System.nanoTime();
                long c = processCpuNanos();
                checksum += readSequentially(windows);
                readMs[r] = ms(System.nanoTime() - s);
                readCpuMs[r] = ms(processCpuNanos() - c);
                s = System.nanoTime();
                checksum += Double.doubleToRawLongBits(decodeAll(model));
                decodeMs[r] = ms(System.nanoTime() - s);
                result = null; // the previous run's masks may go before the next run makes its own
                s = System.nanoTime();
                c = processCpuNanos();
                result = new PruningEngine(model, new ScoreCache(false), null)
                        .run(config, ProgressListener.NONE, CancellationToken.NONE);
                thresholdMs[r] = ms(System.nanoTime() - s);
                thresholdCpuMs[r] = ms(processCpuNanos() - c);
            }
            windows = null;
            // BF16/FP16 cuts leave their masks as rules; the bits cost one more pass, timed here once.
            long maskStart = System.nanoTime();
            long maskCpu = processCpuNanos();
            long lazyMasks = result.masks().values().stream().filter(m -> m instanceof ThresholdMask t
                    && !t.isMaterialised()).count();
            result.masks().values().forEach(Mask::toBitMask);
            double masksMs = ms(System.nanoTime() - maskStart);
            double masksCpuMs = ms(processCpuNanos() - maskCpu);
            ObjectNode th = o.putObject("globalThreshold");
            th.put("target", sparsity);
            th.put("allocation", "global");
            th.put("method", "magnitude");
            th.put("prunableParams", model.prunableParams());
            th.put("pruned", result.pruned());
            th.put("achievedSparsity", result.achievedSparsity());
            th.put("targetMet", result.targetMet());
            th.put("sequentialReadMedianMs", median(readMs));
            th.put("sequentialReadGBps", round(bytes / 1e6 / median(readMs), 2));
            th.put("decodeAllMedianMs", median(decodeMs));
            th.put("thresholdMedianMs", median(thresholdMs));
            th.put("thresholdOverRead", round(median(thresholdMs) / median(readMs), 2));
            th.put("thresholdOverDecode", round(median(thresholdMs) / median(decodeMs), 2));
            th.put("sequentialReadCpuMedianMs", median(readCpuMs));
            th.put("thresholdCpuMedianMs", median(thresholdCpuMs));
            th.put("thresholdCpuOverReadCpu", round(median(thresholdCpuMs) / median(readCpuMs), 2));
            th.put("coldReadMs", coldReadMs);
            th.put("coldThresholdMs", coldThresholdMs);
            th.put("readTimesMs", array(json, readMs));
            th.put("thresholdTimesMs", array(json, thresholdMs));
            th.put("masksLeftAsRules", lazyMasks);
            th.put("materialiseMasksMs", masksMs);
            th.put("materialiseMasksCpuMs", masksCpuMs);
            th.put("thresholdPlusMasksOverRead", round((median(thresholdMs) + masksMs) / median(readMs), 2));
            th.put("checksum", checksum);
            th.put("peer", "sequentialRead: one thread sums the whole file as longs through 64 MB mapped windows "
                    + "(mapped once, pages touched once before timing: coldReadMs); decodeAll: one thread decodes every tensor "
                    + "to float32 and sums it. threshold: a new PruningEngine with an empty ScoreCache(false) runs "
                    + "global magnitude pruning from scratch, after one untimed run that compiles the counting loop "
                    + "(coldThresholdMs) (histograms and the exact cut; masks are materialised "
                    + "in the run where the cut reads the weights anyway, else left as rules: masksLeftAsRules). "
                    + "materialiseMasks: turning the last run's masks into bits, once");

            // (d) The pruned export, streamed, then verified by re-reading.
            err.println("bench large: streamed export and verification ...");
            err.flush();
            Map<String, TensorUpdate> updates = new LinkedHashMap<>();
            for (Map.Entry<String, Mask> e : result.masks().entrySet()) {
                if (e.getValue().prunedCount() > 0) {
                    WeightTensor t = model.tensor(e.getKey()).orElseThrow();
                    updates.put(t.name(), new TensorUpdate(t.shape(), Masking.masked(t.data(), e.getValue())));
                }
            }
            long s = System.nanoTime();
            new SafeTensorsWriter().write(model, updates, Map.of("sparsitybench", "bench large"), out);
            ObjectNode export = o.putObject("export");
            export.put("path", out.toString());
            export.put("bytes", Files.size(out));
            export.put("updatedTensors", updates.size());
            export.put("writeMs", ms(System.nanoTime() - s));
            updates = null;
            s = System.nanoTime();
            Verification v = verify(model, ModelFiles.read(out), result);
            export.put("verifyMs", ms(System.nanoTime() - s));
            export.put("verified", v.ok());
            export.put("prunedTensorsMatchingMasks", v.prunedMatching());
            export.put("prunedTensors", v.prunedTensors());
            export.put("untouchedTensorsByteIdentical", v.untouchedIdentical());
            export.put("untouchedTensors", v.untouchedTensors());
            export.put("zerosInExportedPrunableTensors", v.zeros());
            if (!v.problems().isEmpty()) {
                export.put("firstProblem", v.problems().get(0));
            }
            model = null;
            result = null;

            // (e) Memory.
            memory.stop();
            o.set("memory", memory.report(json));

            ObjectNode goals = o.putObject("goals");
            goals.put("layerListFirstMs<=1000", listMs[0] <= GOAL_LAYER_LIST_MS);
            goals.put("thresholdOverRead<=3", median(thresholdMs) / median(readMs) <= GOAL_THRESHOLD_RATIO);
            goals.put("exportVerified", v.ok());
            o.put("loadAverageAtEnd", loadAverage());
            PrintWriter w = spec.commandLine().getOut();
            w.println(json.writeValueAsString(o));
            w.flush();
            return v.ok() ? SparsityBenchCli.EXIT_OK : SparsityBenchCli.EXIT_FAILURE;
        } finally {
            memory.stop();
            if (!keep) {
                Files.deleteIfExists(out);
                Files.deleteIfExists(file);
                if (dir == null) {
                    Files.deleteIfExists(folder);
                }
            }
        }
    }

    /**
     * {@code --format onnx}: a float32 MatMul chain over 2 GB with external data, read, pruned by the engine
     * (global magnitude), exported with its external data beside the export, re-read and compared, and run in
     * ONNX Runtime against a float64 forward pass over the pruned weights.
     */
    private int onnx(PrintWriter err) throws Exception {
        MemorySampler memory = MemorySampler.start();
        Path folder = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sparsitybench-large-");
        int hidden = params >= 1e8 ? 4096 : 1024;
        int layers = (int) Math.max(1, Math.round(params / ((double) hidden * hidden)));
        Path file = folder.resolve("chain.onnx");
        Path out = folder.resolve("chain.pruned.onnx");
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode o = json.createObjectNode();
        o.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        o.put("maxHeapMB", mb(Runtime.getRuntime().maxMemory()));
        o.put("loadAverageAtStart", loadAverage());
        try {
            err.println("bench large: writing " + file + " with external data ...");
            err.flush();
            long s = System.nanoTime();
            OnnxChain.write(file, hidden, layers, 0, seed);
            ObjectNode f = o.putObject("file");
            f.put("path", file.toString());
            f.put("hidden", hidden);
            f.put("layers", layers);
            f.put("params", (long) hidden * hidden * layers);
            f.put("modelBytes", Files.size(file));
            f.put("externalDataBytes", Files.size(OnnxChain.dataFile(file)));
            f.put("generateMs", ms(System.nanoTime() - s));

            s = System.nanoTime();
            Model model = ModelFiles.read(file);
            o.put("readMs", ms(System.nanoTime() - s));
            o.put("externalTensors", model.tensors().stream().filter(t -> t.storage().contains("external")).count());

            err.println("bench large: global threshold ...");
            err.flush();
            List<ByteBuffer> windows = mapWindows(OnnxChain.dataFile(file));
            readSequentially(windows);
            s = System.nanoTime();
            long checksum = readSequentially(windows);
            double readMs = ms(System.nanoTime() - s);
            windows = null;
            PruningConfig config = PruningConfig.of(GlobalSettings.of(sparsity, "magnitude", Allocation.GLOBAL));
            s = System.nanoTime();
            PruningResult result = new PruningEngine(model, new ScoreCache(false), null)
                    .run(config, ProgressListener.NONE, CancellationToken.NONE);
            double thresholdMs = ms(System.nanoTime() - s);
            ObjectNode th = o.putObject("globalThreshold");
            th.put("pruned", result.pruned());
            th.put("achievedSparsity", result.achievedSparsity());
            th.put("sequentialReadMs", readMs);
            th.put("note", "one run each, after one untimed read of the data file");
            th.put("thresholdMs", thresholdMs);
            th.put("thresholdOverRead", round(thresholdMs / readMs, 2));
            th.put("checksum", checksum);

            err.println("bench large: export with external data ...");
            err.flush();
            Map<String, TensorUpdate> updates = new LinkedHashMap<>();
            for (Map.Entry<String, Mask> e : result.masks().entrySet()) {
                if (e.getValue().prunedCount() > 0) {
                    WeightTensor t = model.tensor(e.getKey()).orElseThrow();
                    updates.put(t.name(), new TensorUpdate(t.shape(), Masking.masked(t.data(), e.getValue())));
                }
            }
            s = System.nanoTime();
            ModelFiles.writerFor(model.format()).write(model, updates, Map.of("sparsitybench", "bench large"), out);
            ObjectNode export = o.putObject("export");
            export.put("writeMs", ms(System.nanoTime() - s));
            export.put("modelBytes", Files.size(out));
            Path outData = out.resolveSibling(out.getFileName() + ".data");
            export.put("externalDataFile", outData.getFileName().toString());
            export.put("externalDataBytes", Files.exists(outData) ? Files.size(outData) : -1);
            updates = null;
            s = System.nanoTime();
            Model reread = ModelFiles.read(out);
            Verification v = verify(model, reread, result);
            export.put("verifyMs", ms(System.nanoTime() - s));
            export.put("verified", v.ok());
            export.put("prunedTensorsMatchingMasks", v.prunedMatching());
            export.put("prunedTensors", v.prunedTensors());
            export.put("externalTensorsInExport",
                    reread.tensors().stream().filter(t -> t.storage().contains("external")).count());
            if (!v.problems().isEmpty()) {
                export.put("firstProblem", v.problems().get(0));
            }

            err.println("bench large: ONNX Runtime ...");
            err.flush();
            float[] x = OnnxChain.input(hidden, seed);
            double[] expected = OnnxChain.forward(reread, x);
            s = System.nanoTime();
            float[] y;
            try (OrtModel ort = OrtModel.open(out, "X", 0)) {
                y = ort.run(x, new long[] {1, hidden});
            }
            ObjectNode run = o.putObject("onnxRuntime");
            run.put("loadAndRunMs", ms(System.nanoTime() - s));
            double rel = OnnxChain.relativeError(y, expected);
            run.put("relativeErrorVsFloat64", rel);
            run.put("matches", rel < 1e-3);
            model = null;
            reread = null;
            result = null;

            memory.stop();
            o.set("memory", memory.report(json));
            boolean ok = v.ok() && rel < 1e-3 && Files.exists(outData);
            o.put("ok", ok);
            o.put("loadAverageAtEnd", loadAverage());
            PrintWriter w = spec.commandLine().getOut();
            w.println(json.writeValueAsString(o));
            w.flush();
            return ok ? SparsityBenchCli.EXIT_OK : SparsityBenchCli.EXIT_FAILURE;
        } finally {
            memory.stop();
            if (!keep) {
                for (Path p : List.of(out, out.resolveSibling(out.getFileName() + ".data"), file,
                        OnnxChain.dataFile(file))) {
                    Files.deleteIfExists(p);
                }
                if (dir == null) {
                    Files.deleteIfExists(folder);
                }
            }
        }
    }

    /**
     * A float32 chain {@code Y = X · W0 · W1 · ... · W(L-1)}, X of shape [1, hidden], every W [hidden, hidden]
     * ~ N(0, 1/hidden) stored in one external data file {@code NAME.data} beside the model, page-aligned.
     */
    public static final class OnnxChain {
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
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(bytes, GEN_CHUNK * 4L)).order(ByteOrder.LITTLE_ENDIAN);
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

    /**
     * Writes the checkpoint tensor by tensor through one reused buffer: weights ~ N(0, 0.02) (a sum of four
     * uniforms, scaled), norms near 1. Returns the file's size.
     */
    public static long generate(Path file, Shape shape, String code, long seed) throws IOException {
        int width = code.equals("F32") ? 4 : 2;
        Map<String, long[]> tensors = shape.tensors();
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
        byte[] head = header.toString().getBytes(StandardCharsets.UTF_8);
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

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * Per-tensor zeros/NaN counts and a 256-bin histogram, computed on one background thread tensor after
     * tensor, as the window fills its table; this thread samples how many are done.
     */
    private static ObjectNode statistics(ObjectMapper json, Model model) throws Exception {
        List<WeightTensor> tensors = model.tensors();
        AtomicInteger done = new AtomicInteger();
        AtomicLong firstDone = new AtomicLong(-1);
        long start = System.nanoTime();
        ExecutorService background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bench-large-statistics");
            t.setDaemon(true);
            return t;
        });
        Future<Long> zeros;
        try {
            zeros = background.submit(() -> {
                long z = 0;
                for (WeightTensor t : tensors) {
                    z += t.stats().zeros();
                    WeightHistogram.of(t.data(), null, 256, true, WeightHistogram.Scale.LINEAR, CancellationToken.NONE);
                    if (done.incrementAndGet() == 1) {
                        firstDone.set(System.nanoTime());
                    }
                }
                return z;
            });
            long halfAt = -1;
            while (!zeros.isDone()) {
                if (halfAt < 0 && done.get() * 2 >= tensors.size()) {
                    halfAt = System.nanoTime();
                }
                try {
                    zeros.get(20, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // still running: sample again
                }
            }
            long end = System.nanoTime();
            ObjectNode s = json.createObjectNode();
            s.put("tensors", tensors.size());
            s.put("firstTensorMs", ms(firstDone.get() - start));
            s.put("halfTensorsMs", halfAt < 0 ? ms(end - start) : ms(halfAt - start));
            s.put("allTensorsMs", ms(end - start));
            s.put("zeros", zeros.get());
            s.put("what", "per tensor: zeros and NaN/Inf counts (WeightTensor.stats) and a 256-bin signed "
                    + "histogram (WeightHistogram, two passes), on one background thread");
            return s;
        } finally {
            background.shutdownNow();
        }
    }

    /** The file in {@link #READ_WINDOW} mapped windows, read-only, little-endian. */
    private static List<ByteBuffer> mapWindows(Path file) throws IOException {
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
    private static double decodeAll(Model model) {
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

    /** What re-reading the export found. */
    public record Verification(int prunedTensors, int prunedMatching, int untouchedTensors, int untouchedIdentical,
                        long zeros, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty() && prunedMatching == prunedTensors && untouchedIdentical == untouchedTensors;
        }
    }

    /**
     * Checks the export against the source and the masks: every pruned tensor holds exactly its kept weights
     * and zeros elsewhere (so its sparsity is the mask's), every other tensor is byte-identical.
     */
    public static Verification verify(Model source, Model export, PruningResult result) {
        int pruned = 0;
        int prunedOk = 0;
        int untouched = 0;
        int untouchedOk = 0;
        long zeros = 0;
        List<String> problems = new ArrayList<>();
        if (export.tensors().size() != source.tensors().size()) {
            problems.add("export has " + export.tensors().size() + " tensors, source " + source.tensors().size());
        }
        Map<String, LayerResult> layers = new LinkedHashMap<>();
        result.layers().forEach(l -> layers.put(l.name(), l));
        float[] a = new float[1 << 16];
        float[] b = new float[1 << 16];
        for (WeightTensor t : source.tensors()) {
            WeightTensor e = export.tensor(t.name()).orElse(null);
            if (e == null || !Arrays.equals(e.shape(), t.shape()) || e.dtype() != t.dtype()) {
                problems.add(t.name() + ": missing or reshaped in the export");
                continue;
            }
            Mask mask = result.masks().get(t.name());
            if (mask == null || mask.prunedCount() == 0) {
                untouched++;
                if (sameBytes((BufferTensorData) t.data(), (BufferTensorData) e.data())) {
                    untouchedOk++;
                } else {
                    problems.add(t.name() + ": not byte-identical");
                }
                continue;
            }
            pruned++;
            BitMask bits = mask.toBitMask();
            long n = t.elementCount();
            long wrong = 0;
            long prunedHere = 0;
            long tensorZeros = 0;
            for (long at = 0; at < n; at += a.length) {
                int len = (int) Math.min(a.length, n - at);
                t.data().readFloats(at, FloatBuffer.wrap(a, 0, len));
                e.data().readFloats(at, FloatBuffer.wrap(b, 0, len));
                for (int i = 0; i < len; i++) {
                    long index = at + i;
                    boolean kept = (bits.word((int) (index >>> 6)) & (1L << index)) != 0;
                    int expected = kept ? Float.floatToRawIntBits(a[i]) : 0;
                    if (Float.floatToRawIntBits(b[i]) != expected) {
                        wrong++;
                    }
                    if (!kept) {
                        prunedHere++;
                    }
                    if (b[i] == 0f) {
                        tensorZeros++;
                    }
                }
            }
            zeros += tensorZeros;
            LayerResult lr = layers.get(t.name());
            if (wrong == 0 && lr != null && prunedHere == lr.pruned() && tensorZeros >= prunedHere) {
                prunedOk++;
            } else {
                problems.add(t.name() + ": " + wrong + " values differ from kept-or-zero, mask prunes " + prunedHere
                        + ", result says " + (lr == null ? "nothing" : lr.pruned()));
            }
        }
        return new Verification(pruned, prunedOk, untouched, untouchedOk, zeros, problems);
    }

    private static boolean sameBytes(BufferTensorData x, BufferTensorData y) {
        List<ByteBuffer> xs = x.windows();
        List<ByteBuffer> ys = y.windows();
        if (xs.size() != ys.size()) {
            return false;
        }
        for (int i = 0; i < xs.size(); i++) {
            if (!xs.get(i).equals(ys.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Samples the process's anonymous RSS and the used heap every 20 ms, keeping the peaks. */
    private static final class MemorySampler implements Runnable {
        final AtomicLong peakAnon = new AtomicLong();
        final AtomicLong peakHeap = new AtomicLong();
        private volatile boolean running = true;
        private Thread thread;

        static MemorySampler start() {
            MemorySampler s = new MemorySampler();
            s.thread = new Thread(s, "bench-large-memory");
            s.thread.setDaemon(true);
            s.thread.start();
            return s;
        }

        @Override
        public void run() {
            while (running) {
                sample();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            Map<String, Long> s = procStatus();
            peakAnon.accumulateAndGet(s.getOrDefault("RssAnon", 0L), Math::max);
            peakHeap.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
        }

        ObjectNode report(ObjectMapper json) {
            ObjectNode mem = json.createObjectNode();
            Map<String, Long> status = procStatus();
            mem.put("peakRssMB", mb(status.getOrDefault("VmHWM", -1L)));
            mem.put("peakRssAnonSampledMB", mb(peakAnon.get()));
            mem.put("peakHeapUsedSampledMB", mb(peakHeap.get()));
            mem.put("heapPoolPeaksSumMB", mb(heapPoolPeaks()));
            mem.put("maxHeapMB", mb(Runtime.getRuntime().maxMemory()));
            mem.put("note", "peakRssMB (VmHWM) counts the file's pages mapped into the process (and, for onnx, "
                    + "ONNX Runtime's copy of the weights) as well; peakRssAnonSampledMB is the process's own memory "
                    + "(heap, JIT, threads, native), sampled every 20 ms; heapPoolPeaksSumMB sums each heap pool's "
                    + "own peak, an upper bound of the heap's peak");
            return mem;
        }

        void stop() throws InterruptedException {
            if (running) {
                running = false;
                thread.interrupt();
                thread.join();
                sample();
            }
        }
    }

    /** The byte-valued lines of /proc/self/status (VmHWM, VmRSS, RssAnon, RssFile, ...); empty off Linux. */
    static Map<String, Long> procStatus() {
        Map<String, Long> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                String[] f = line.split("\\s+");
                if (f.length == 3 && f[2].equals("kB")) {
                    out.put(f[0].substring(0, f[0].length() - 1), Long.parseLong(f[1]) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no figures
        }
        return out;
    }

    /** CPU time of the whole process (all threads, GC included), for figures on a machine shared with others. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static long heapPoolPeaks() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static ArrayNode array(ObjectMapper json, double[] values) {
        ArrayNode a = json.createArrayNode();
        for (double v : values) {
            a.add(v);
        }
        return a;
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double ms(long nanos) {
        return round(nanos / 1e6, 1);
    }

    private static long mb(long bytes) {
        return bytes < 0 ? -1 : Math.round(bytes / 1048576.0);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
