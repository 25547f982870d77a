package org.sparsitybench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.sparsitybench.model.BufferTensorData;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.Graph;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.prune.mask.ThresholdMask;
import org.sparsitybench.prune.method.MagnitudeScore;
import org.sparsitybench.prune.select.BinIndex;
import org.sparsitybench.prune.select.ExactSelector;
import org.sparsitybench.prune.select.ScoreHistogram;
import org.sparsitybench.prune.select.SelectionStats;
import org.sparsitybench.prune.select.Threshold;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sparsitybench bench ...}: speed measurements of the engine beside peers, printed as JSON. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the engine's speed (not a test: prints medians as JSON).",
        subcommands = {BenchCommand.Prune.class, BenchSparseCommand.class, BenchLargeCommand.class,
                BenchE2eCommand.class})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new SparsityBenchCli.UsageException("bench needs a subcommand: " + spec.subcommands().keySet());
    }

    /**
     * {@code bench prune}: exact magnitude thresholds and masks on seeded normal tensors, against numpy and PyTorch
     * in the same run.
     */
    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = {"Time exact magnitude pruning of a seeded N(0,1) float32 tensor of SIZE x SIZE: one tensor "
                    + "from scratch, global over four, a slider move from the cached histogram, and the peer script "
                    + "(numpy / PyTorch) on the same file. Prints one JSON object."})
    static final class Prune implements Callable<Integer> {
        /** Untimed runs first: the JIT compiles the passes after a few of them. */
        private static final int WARMUP = 5;
        private static final int SLIDER_MOVES = 101;

        @Option(names = "--size", defaultValue = "4096", description = "Rows and columns of each tensor (default ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--sparsity", defaultValue = "0.9", description = "Sparsity of the one-tensor case (default ${DEFAULT-VALUE}).")
        double sparsity;

        @Option(names = "--global-sparsity", defaultValue = "0.5", description = "Sparsity of the four-tensor global case (default ${DEFAULT-VALUE}).")
        double globalSparsity;

        @Option(names = "--repeats", defaultValue = "7", description = "Timed repeats per case, after warm-up (default ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--seed", defaultValue = "20240601", description = "Seed of the generated weights.")
        long seed;

        @Option(names = "--peer", paramLabel = "PYTHON",
                description = "Python for the peer script (default /usr/bin/python3 if present, else python3).")
        String peer;

        @Option(names = "--peer-script", paramLabel = "FILE", defaultValue = "bench/peer_prune.py",
                description = "The peer script (default ${DEFAULT-VALUE}, relative to the working directory).")
        Path peerScript;

        @Option(names = "--no-peer", description = "Skip the peer script.")
        boolean noPeer;

        @Option(names = "--mmap", description = "Read the tensors through memory-mapped files (as the model readers "
                + "do) instead of loading them into memory first (as numpy's fromfile does).")
        boolean mmap;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (size < 1 || size > 23170) { // one buffer of at most 2 GiB per tensor
                throw new SparsityBenchCli.UsageException("--size " + size + " outside [1, 23170]");
            }
            if (!(sparsity > 0 && sparsity < 1) || !(globalSparsity > 0 && globalSparsity < 1)) {
                throw new SparsityBenchCli.UsageException("sparsities must lie in (0, 1): " + sparsity + ", "
                        + globalSparsity);
            }
            if (repeats < 1) {
                throw new SparsityBenchCli.UsageException("--repeats " + repeats + " < 1");
            }
            PrintWriter err = spec.commandLine().getErr();
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode out = json.createObjectNode();
            List<String> notes = new ArrayList<>();
            long n = (long) size * size;
            long k = (long) Math.rint(sparsity * n); // half to even, as the peer's round()
            Path dir = Files.createTempDirectory("sparsitybench-bench");
            try {
                out.put("size", size);
                out.put("elements", n);
                out.put("sparsity", sparsity);
                out.put("k", k);
                out.put("repeats", repeats);
                out.put("availableProcessors", Runtime.getRuntime().availableProcessors());
                out.put("java", System.getProperty("java.version"));
                out.put("loadAverageAtStart", loadAverage());

                err.println("bench: generating 4 tensors of " + size + " x " + size + " ...");
                err.flush();
                List<Path> files = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    Path f = dir.resolve("w" + t + ".f32");
                    writeNormal(f, n, seed + t);
                    files.add(f);
                }
                List<TensorData> data = new ArrayList<>();
                for (Path f : files) {
                    data.add(mmap ? map(f, n) : load(f, n));
                }
                out.put("tensorStorage", mmap ? "memory-mapped file" : "direct buffer read from the file");
                ObjectNode ours = out.putObject("oursMs");

                // (i) one tensor from scratch: histogram, exact threshold, materialised mask.
                err.println("bench: one tensor from scratch ...");
                err.flush();
                TensorData w = data.get(0);
                double[] total = new double[repeats];
                double[] hist = new double[repeats];
                double[] sel = new double[repeats];
                Threshold cut = null;
                for (int r = -WARMUP; r < repeats; r++) {
                    // As the engine does it without a cached histogram: one pass for the histogram, one for the
                    // cut's bin and the mask together.
                    long t0 = System.nanoTime();
                    ScoreHistogram h = ScoreHistogram.build(w, MagnitudeScore.INSTANCE, CancellationToken.NONE);
                    long t1 = System.nanoTime();
                    ExactSelector.Selection s = ExactSelector.selectAndMaterialise(
                            List.of(new ExactSelector.Candidate(w, MagnitudeScore.INSTANCE, h, null)), k,
                            CancellationToken.NONE).get(0);
                    long t2 = System.nanoTime();
                    if (s.mask().prunedCount() != k) {
                        throw new IllegalStateException("pruned " + s.mask().prunedCount() + ", expected " + k);
                    }
                    cut = s.threshold();
                    if (r >= 0) {
                        total[r] = ms(t2 - t0);
                        hist[r] = ms(t1 - t0);
                        sel[r] = ms(t2 - t1);
                    }
                }
                double single = median(total);
                ours.put("singleFromScratch", round(single));
                ObjectNode singleParts = ours.putObject("singleFromScratchParts");
                singleParts.put("histogramPass", round(median(hist)));
                singleParts.put("thresholdAndMaskPass", round(median(sel)));
                float ourThreshold = cut.value();
                out.put("threshold", ourThreshold);
                out.put("thresholdBits", String.format(Locale.ROOT, "0x%08x", cut.bits()));

                // (ii) global magnitude over four tensors, from scratch (new cache each time).
                err.println("bench: global over four tensors ...");
                err.flush();
                Model model = model(files.get(0), data, size);
                PruningConfig global = PruningConfig.of(GlobalSettings.of(globalSparsity, "magnitude", Allocation.GLOBAL));
                double[] globalMs = new double[repeats];
                double[] globalHist = new double[repeats];
                double[] globalSelect = new double[repeats];
                List<ExactSelector.Candidate> pool = new ArrayList<>();
                for (int r = -WARMUP; r < repeats; r++) {
                    long t0 = System.nanoTime();
                    PruningResult res = new PruningEngine(model, new ScoreCache(false), null)
                            .run(global, ProgressListener.NONE, CancellationToken.NONE);
                    for (Mask m : res.masks().values()) {
                        m.toBitMask(); // already materialised by the engine's selecting pass
                    }
                    long t1 = System.nanoTime();
                    if (!res.targetMet()) {
                        throw new IllegalStateException("global target missed: " + res.messages());
                    }
                    // The same cut by the two-pass route the engine took before its one-pass selection (histograms,
                    // then the cut's bin with the masks), for comparison.
                    pool.clear();
                    long t2 = System.nanoTime();
                    for (TensorData d : data) {
                        pool.add(new ExactSelector.Candidate(d, MagnitudeScore.INSTANCE,
                                ScoreHistogram.build(d, MagnitudeScore.INSTANCE, CancellationToken.NONE), null));
                    }
                    long t3 = System.nanoTime();
                    ExactSelector.selectAndMaterialise(pool, res.targetPruned(), CancellationToken.NONE);
                    long t4 = System.nanoTime();
                    if (r >= 0) {
                        globalMs[r] = ms(t1 - t0);
                        globalHist[r] = ms(t3 - t2);
                        globalSelect[r] = ms(t4 - t3);
                    }
                }
                ours.put("globalFourTensors", round(median(globalMs)));
                ObjectNode globalParts = ours.putObject("globalFourTensorsTwoPassRoute");
                globalParts.put("note", "the same cut without the engine's one-pass selection (OnePassSelect): "
                        + "four histogram passes, then one pass for the cut's bin and the masks");
                globalParts.put("histogramPasses", round(median(globalHist)));
                globalParts.put("thresholdAndMasksPass", round(median(globalSelect)));
                globalParts.put("sumOfMedians", round(median(globalHist) + median(globalSelect)));
                out.put("globalElements", 4 * n);
                out.put("globalSparsity", globalSparsity);

                // (iii) slider moves on one tensor: cached histogram (+ bin index), new cut, lazy mask, statistics.
                err.println("bench: slider moves ...");
                err.flush();
                ScoreHistogram h = ScoreHistogram.build(w, MagnitudeScore.INSTANCE, CancellationToken.NONE);
                double[] indexMs = new double[Math.max(1, repeats / 2)];
                BinIndex index = null;
                for (int r = 0; r < indexMs.length; r++) {
                    long t0 = System.nanoTime();
                    index = BinIndex.build(w, MagnitudeScore.INSTANCE, h, CancellationToken.NONE);
                    indexMs[r] = ms(System.nanoTime() - t0);
                }
                ExactSelector.Candidate indexed = new ExactSelector.Candidate(w, MagnitudeScore.INSTANCE, h, index);
                ExactSelector.Candidate plain = new ExactSelector.Candidate(w, MagnitudeScore.INSTANCE, h, null);
                SplittableRandom moves = new SplittableRandom(7);
                double[] slider = new double[SLIDER_MOVES];
                double[] sliderPlain = new double[repeats];
                double sink = 0;
                for (int r = -20; r < SLIDER_MOVES; r++) {
                    long kk = Math.round((0.3 + 0.69 * moves.nextDouble()) * n);
                    long t0 = System.nanoTime();
                    sink += sliderMove(indexed, w, kk);
                    if (r >= 0) {
                        slider[r] = ms(System.nanoTime() - t0);
                    }
                }
                for (int r = -WARMUP; r < repeats; r++) {
                    long kk = Math.round((0.3 + 0.69 * moves.nextDouble()) * n);
                    long t0 = System.nanoTime();
                    sink += sliderMove(plain, w, kk);
                    if (r >= 0) {
                        sliderPlain[r] = ms(System.nanoTime() - t0);
                    }
                }
                // The same through the engine: global magnitude over the four tensors, interactive cache.
                PruningEngine interactive = new PruningEngine(model, new ScoreCache(true), null);
                long t0 = System.nanoTime();
                interactive.run(global, ProgressListener.NONE, CancellationToken.NONE);
                double firstInteractive = ms(System.nanoTime() - t0);
                double[] engineSlider = new double[SLIDER_MOVES];
                for (int r = -20; r < SLIDER_MOVES; r++) {
                    double target = 0.3 + 0.69 * moves.nextDouble();
                    long t1 = System.nanoTime();
                    PruningResult res = interactive.run(global.withTarget(target), ProgressListener.NONE,
                            CancellationToken.NONE);
                    if (r >= 0) {
                        engineSlider[r] = ms(System.nanoTime() - t1);
                    }
                    sink += res.achievedSparsity();
                }
                // (iv) the heatmap the window paints: a 512×512 grid of mean |w| and kept share, mask at the sparsity.
                org.sparsitybench.prune.Mask heatMask = ExactSelector.materialise(w, MagnitudeScore.INSTANCE,
                        ExactSelector.select(plain, Math.round(sparsity * n), CancellationToken.NONE), CancellationToken.NONE);
                double[] heat = new double[repeats];
                for (int r = -WARMUP; r < repeats; r++) {
                    long th = System.nanoTime();
                    var grid = org.sparsitybench.prune.stats.HeatmapGrid.of(w, new long[] {size, size}, heatMask, 512, 512,
                            CancellationToken.NONE);
                    if (r >= 0) {
                        heat[r] = ms(System.nanoTime() - th);
                    }
                    sink += grid.maxMeanAbs();
                }
                ours.put("heatmapGrid512", round(median(heat)));
                ours.put("sliderMove", round(median(slider)));
                ours.put("sliderMoveP90", round(percentile(slider, 0.9)));
                ours.put("sliderMoveWithoutBinIndex", round(median(sliderPlain)));
                ours.put("binIndexBuildOnce", round(median(indexMs)));
                ours.put("engineGlobalSliderMoveFourTensors", round(median(engineSlider)));
                ours.put("engineGlobalFirstRunWithBinIndexes", round(firstInteractive));
                out.put("sliderMoves", SLIDER_MOVES);
                out.put("histogramNonEmptyBins", h.binCount());
                out.put("histogramBytes", h.memoryBytes());
                out.put("binIndexBytes", index.memoryBytes());
                if (Double.isNaN(sink)) {
                    notes.add("statistics produced NaN");
                }

                // (iv) the peers on the same file.
                ObjectNode peers = out.putObject("peersMs");
                JsonNode peerOut = noPeer ? null : runPeer(files.get(0), notes, err, json);
                ObjectNode ratios = out.putObject("ratios");
                ObjectNode targets = out.putObject("targets");
                if (peerOut != null) {
                    out.set("peer", peerOut);
                    for (String key : List.of("numpy_partition_ms", "torch_kthvalue_ms", "torch_prune_l1_ms")) {
                        if (peerOut.has(key)) {
                            double v = peerOut.get(key).asDouble();
                            peers.put(key.replace("_ms", ""), round(v));
                            ratios.put(key.replace("_ms", "") + "OverOurs", round(v / single));
                        }
                    }
                    if (peerOut.has("numpy_threshold")) {
                        float numpyThreshold = (float) peerOut.get("numpy_threshold").asDouble();
                        out.put("numpyThreshold", numpyThreshold);
                        out.put("thresholdsAgree",
                                Float.floatToRawIntBits(numpyThreshold) == Float.floatToRawIntBits(ourThreshold));
                    }
                    if (peerOut.has("numpy_partition_ms")) {
                        targets.put("singleAtMostHalfOfNumpy", single <= peerOut.get("numpy_partition_ms").asDouble() / 2);
                    }
                } else {
                    out.putNull("thresholdsAgree");
                }
                targets.put("globalAtMost150ms", median(globalMs) <= 150);
                targets.put("sliderMoveAtMost5ms", median(slider) <= 5);
                targets.put("heatmapGrid512AtMost20ms", median(heat) <= 20);
                out.put("loadAverageAtEnd", loadAverage());
                ArrayNode notesNode = out.putArray("notes");
                notes.forEach(notesNode::add);
                PrintWriter o = spec.commandLine().getOut();
                o.println(json.writeValueAsString(out));
                o.flush();
                return SparsityBenchCli.EXIT_OK;
            } finally {
                deleteTree(dir);
            }
        }

        /** New cut from the cached histogram, lazy mask, and the statistics a view shows. */
        private static double sliderMove(ExactSelector.Candidate c, TensorData w, long k) {
            Threshold cut = ExactSelector.select(c, k, CancellationToken.NONE);
            ThresholdMask mask = new ThresholdMask(w, MagnitudeScore.INSTANCE, cut);
            double achieved = mask.sparsity();
            double energy = SelectionStats.energyRetained(c.histogram(), cut);
            SelectionStats.KeptHistogram kept = SelectionStats.keptMagnitudes(c.histogram(), cut, 100);
            return achieved + energy + kept.total();
        }

        private JsonNode runPeer(Path file, List<String> notes, PrintWriter err, ObjectMapper json) {
            String python = peer != null ? peer : Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
            Path script = peerScript.toAbsolutePath().normalize();
            if (!Files.isRegularFile(script)) {
                notes.add("peer skipped: no peer script at " + script + " (--peer-script)");
                return null;
            }
            err.println("bench: peer " + python + " " + script + " ...");
            err.flush();
            try {
                Process p = new ProcessBuilder(python, script.toString(), file.toString(),
                        Double.toString(sparsity), Integer.toString(repeats))
                        .redirectErrorStream(false).start();
                p.getOutputStream().close();
                byte[] stdout;
                ByteArrayOutputStream stderr = new ByteArrayOutputStream();
                try (InputStream so = p.getInputStream(); InputStream se = p.getErrorStream()) {
                    Thread drain = new Thread(() -> {
                        try {
                            se.transferTo(stderr);
                        } catch (IOException ignored) {
                            // whatever arrived is reported
                        }
                    });
                    drain.start();
                    stdout = so.readAllBytes();
                    drain.join();
                }
                if (!p.waitFor(30, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    notes.add("peer skipped: timed out");
                    return null;
                }
                if (p.exitValue() != 0) {
                    notes.add("peer skipped: " + python + " exited with " + p.exitValue()
                            + " (python3 with numpy needed): " + lastLine(stderr.toString(StandardCharsets.UTF_8)));
                    return null;
                }
                String text = new String(stdout, StandardCharsets.UTF_8).trim();
                int brace = text.lastIndexOf("\n{");
                return json.readTree(brace >= 0 ? text.substring(brace + 1) : text);
            } catch (IOException e) {
                notes.add("peer skipped: cannot run " + python + ": " + e.getMessage());
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                notes.add("peer skipped: interrupted");
                return null;
            }
        }

        /** The 1-minute load average (Linux), to tell a busy machine's figures apart; -1 when unknown. */
        private static double loadAverage() {
            try {
                return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        private static String lastLine(String text) {
            String[] lines = text.strip().split("\n");
            return lines[lines.length - 1];
        }

        private static Model model(Path file, List<TensorData> data, int size) {
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

        private static void deleteTree(Path dir) {
            try (var s = Files.walk(dir)) {
                s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp directory left behind is harmless
            }
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }

        private static double median(double[] v) {
            return percentile(v, 0.5);
        }

        private static double percentile(double[] v, double q) {
            double[] s = v.clone();
            Arrays.sort(s);
            return s[(int) Math.min(s.length - 1, Math.floor(q * s.length))];
        }

        private static double round(double v) {
            return Math.round(v * 1000) / 1000.0;
        }
    }
}
