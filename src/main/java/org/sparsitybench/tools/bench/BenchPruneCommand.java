package org.sparsitybench.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
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
import org.sparsitybench.prune.stats.HeatmapGrid;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench prune}: exact magnitude thresholds and masks on seeded normal tensors, against numpy and PyTorch in
 * the same run. The peer script {@code peer_prune.py} is found through {@link PeerScripts}.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Time exact magnitude pruning of a seeded N(0,1) float32 tensor of SIZE x SIZE: one tensor "
                + "from scratch, global over four, a slider move from the cached histogram, and the peer script "
                + "(numpy / PyTorch) on the same file. Prints one JSON object."})
public final class BenchPruneCommand implements Callable<Integer> {
    static final String PEER_SCRIPT = "peer_prune.py";
    /** Untimed runs first: the JIT compiles the passes after a few of them. */
    private static final int WARMUP = 5;
    private static final int SLIDER_MOVES = 101;
    private static final int SLIDER_WARMUP = 20;

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

    @Option(names = "--peer-script", paramLabel = "FILE",
            description = "The peer script " + PEER_SCRIPT + " (default: in the folder $" + PeerScripts.ENV
                    + " names; the scripts live in the steering repository's shared/bench/).")
    Path peerScript;

    @Option(names = "--no-peer", description = "Skip the peer script.")
    boolean noPeer;

    @Option(names = "--mmap", description = "Read the tensors through memory-mapped files (as the model readers "
            + "do) instead of loading them into memory first (as numpy's fromfile does).")
    boolean mmap;

    @Spec
    CommandSpec spec;

    /** The one-tensor case: its median and the cut it found (for comparison with numpy's). */
    private record Single(double medianMs, Threshold cut) {
    }

    /** The interactive cases: medians of a slider move and of the heatmap grid, and their checksum. */
    private record Interactive(double sliderMedianMs, double heatmapMedianMs, double sink) {
    }

    @Override
    public Integer call() throws Exception {
        validate();
        Path script = noPeer ? null : PeerScripts.locate("bench prune", peerScript, PEER_SCRIPT);
        PrintWriter err = spec.commandLine().getErr();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode out = json.createObjectNode();
        List<String> notes = new ArrayList<>();
        long n = (long) size * size;
        long k = (long) Math.rint(sparsity * n); // half to even, as the peer's round()
        Path dir = Files.createTempDirectory("sparsitybench-bench");
        try {
            header(out, n, k);
            progress(err, "generating 4 tensors of " + size + " x " + size);
            List<Path> files = PruneBenchData.writeNormalTensors(dir, 4, n, seed);
            List<TensorData> data = PruneBenchData.open(files, n, mmap);
            out.put("tensorStorage", mmap ? "memory-mapped file" : "direct buffer read from the file");
            ObjectNode ours = out.putObject("oursMs");

            progress(err, "one tensor from scratch");
            Single single = oneTensorFromScratch(data.get(0), k, out, ours);
            progress(err, "global over four tensors");
            Model model = PruneBenchData.model(files.get(0), data, size);
            PruningConfig global = PruningConfig.of(GlobalSettings.of(globalSparsity, "magnitude", Allocation.GLOBAL));
            double globalMedian = globalOverFour(model, global, data, out, ours);
            progress(err, "slider moves");
            Interactive interactive = interactive(data.get(0), model, global, n, out, ours);
            if (Double.isNaN(interactive.sink())) {
                notes.add("statistics produced NaN");
            }

            JsonNode peerOut = script == null ? null : PeerProcess.run(PeerProcess.python(peer), script,
                    List.of(files.get(0).toString(), Double.toString(sparsity), Integer.toString(repeats)), notes, err,
                    json);
            comparePeer(out, peerOut, single);
            ObjectNode targets = (ObjectNode) out.get("targets");
            targets.put("globalAtMost150ms", globalMedian <= 150);
            targets.put("sliderMoveAtMost5ms", interactive.sliderMedianMs() <= 5);
            targets.put("heatmapGrid512AtMost20ms", interactive.heatmapMedianMs() <= 20);
            out.put("loadAverageAtEnd", BenchFigures.loadAverage());
            ArrayNode notesNode = out.putArray("notes");
            notes.forEach(notesNode::add);
            BenchFigures.print(spec, json, out);
            return SparsityBenchCli.EXIT_OK;
        } finally {
            PruneBenchData.deleteTree(dir);
        }
    }

    private void validate() {
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
    }

    private void header(ObjectNode out, long n, long k) {
        out.put("size", size);
        out.put("elements", n);
        out.put("sparsity", sparsity);
        out.put("k", k);
        out.put("repeats", repeats);
        out.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        out.put("java", System.getProperty("java.version"));
        out.put("loadAverageAtStart", BenchFigures.loadAverage());
    }

    private static void progress(PrintWriter err, String step) {
        err.println("bench: " + step + " ...");
        err.flush();
    }

    /** (i) One tensor from scratch: histogram, exact threshold, materialised mask. */
    private Single oneTensorFromScratch(TensorData w, long k, ObjectNode out, ObjectNode ours) {
        double[] total = new double[repeats];
        double[] hist = new double[repeats];
        double[] sel = new double[repeats];
        Threshold cut = null;
        for (int r = -WARMUP; r < repeats; r++) {
            // As the engine does it without a cached histogram: one pass for the histogram, one for the cut's bin
            // and the mask together.
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
        double single = upperMedian(total);
        ours.put("singleFromScratch", round(single));
        ObjectNode singleParts = ours.putObject("singleFromScratchParts");
        singleParts.put("histogramPass", round(upperMedian(hist)));
        singleParts.put("thresholdAndMaskPass", round(upperMedian(sel)));
        out.put("threshold", cut.value());
        out.put("thresholdBits", String.format(Locale.ROOT, "0x%08x", cut.bits()));
        return new Single(single, cut);
    }

    /** (ii) Global magnitude over four tensors from scratch (a new cache each time), and the older two-pass route. */
    private double globalOverFour(Model model, PruningConfig global, List<TensorData> data, ObjectNode out,
                                  ObjectNode ours) {
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
            // The same cut by the two-pass route the engine took before its one-pass selection (histograms, then
            // the cut's bin with the masks), for comparison.
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
        ours.put("globalFourTensors", round(upperMedian(globalMs)));
        ObjectNode globalParts = ours.putObject("globalFourTensorsTwoPassRoute");
        globalParts.put("note", "the same cut without the engine's one-pass selection (OnePassSelect): "
                + "four histogram passes, then one pass for the cut's bin and the masks");
        globalParts.put("histogramPasses", round(upperMedian(globalHist)));
        globalParts.put("thresholdAndMasksPass", round(upperMedian(globalSelect)));
        globalParts.put("sumOfMedians", round(upperMedian(globalHist) + upperMedian(globalSelect)));
        out.put("globalElements", 4 * (long) size * size);
        out.put("globalSparsity", globalSparsity);
        return upperMedian(globalMs);
    }

    /**
     * (iii) Slider moves on one tensor (cached histogram with and without a bin index, new cut, lazy mask,
     * statistics) and through the engine over four, then (iv) the 512 x 512 heatmap grid the window paints.
     */
    private Interactive interactive(TensorData w, Model model, PruningConfig global, long n, ObjectNode out,
                                    ObjectNode ours) {
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
        double sink = sliderMoves(indexed, w, n, moves, SLIDER_WARMUP, slider)
                + sliderMoves(plain, w, n, moves, WARMUP, sliderPlain);
        PruningEngine engine = new PruningEngine(model, new ScoreCache(true), null);
        long t0 = System.nanoTime();
        engine.run(global, ProgressListener.NONE, CancellationToken.NONE);
        double firstInteractive = ms(System.nanoTime() - t0);
        double[] engineSlider = new double[SLIDER_MOVES];
        sink += engineSliderMoves(engine, global, moves, engineSlider);
        Mask heatMask = ExactSelector.materialise(w, MagnitudeScore.INSTANCE,
                ExactSelector.select(plain, Math.round(sparsity * n), CancellationToken.NONE), CancellationToken.NONE);
        double[] heat = new double[repeats];
        for (int r = -WARMUP; r < repeats; r++) {
            long th = System.nanoTime();
            HeatmapGrid grid = HeatmapGrid.of(w, new long[] {size, size}, heatMask, 512, 512, CancellationToken.NONE);
            if (r >= 0) {
                heat[r] = ms(System.nanoTime() - th);
            }
            sink += grid.maxMeanAbs();
        }
        ours.put("heatmapGrid512", round(upperMedian(heat)));
        ours.put("sliderMove", round(upperMedian(slider)));
        ours.put("sliderMoveP90", round(percentile(slider, 0.9)));
        ours.put("sliderMoveWithoutBinIndex", round(upperMedian(sliderPlain)));
        ours.put("binIndexBuildOnce", round(upperMedian(indexMs)));
        ours.put("engineGlobalSliderMoveFourTensors", round(upperMedian(engineSlider)));
        ours.put("engineGlobalFirstRunWithBinIndexes", round(firstInteractive));
        out.put("sliderMoves", SLIDER_MOVES);
        out.put("histogramNonEmptyBins", h.binCount());
        out.put("histogramBytes", h.memoryBytes());
        out.put("binIndexBytes", index.memoryBytes());
        return new Interactive(upperMedian(slider), upperMedian(heat), sink);
    }

    /** {@code warmup} untimed then {@code times.length} timed slider moves to random targets in [0.3, 0.99). */
    private static double sliderMoves(ExactSelector.Candidate c, TensorData w, long n, SplittableRandom moves,
                                      int warmup, double[] times) {
        double sink = 0;
        for (int r = -warmup; r < times.length; r++) {
            long k = Math.round((0.3 + 0.69 * moves.nextDouble()) * n);
            long t0 = System.nanoTime();
            sink += sliderMove(c, w, k);
            if (r >= 0) {
                times[r] = ms(System.nanoTime() - t0);
            }
        }
        return sink;
    }

    /** The same through the engine: global magnitude over the four tensors, interactive cache. */
    private static double engineSliderMoves(PruningEngine engine, PruningConfig global, SplittableRandom moves,
                                            double[] times) {
        double sink = 0;
        for (int r = -SLIDER_WARMUP; r < times.length; r++) {
            double target = 0.3 + 0.69 * moves.nextDouble();
            long t1 = System.nanoTime();
            PruningResult res = engine.run(global.withTarget(target), ProgressListener.NONE, CancellationToken.NONE);
            if (r >= 0) {
                times[r] = ms(System.nanoTime() - t1);
            }
            sink += res.achievedSparsity();
        }
        return sink;
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

    /** The peer's figures beside ours: medians, ratios, whether numpy found the same threshold, the targets. */
    private static void comparePeer(ObjectNode out, JsonNode peerOut, Single single) {
        ObjectNode peers = out.putObject("peersMs");
        ObjectNode ratios = out.putObject("ratios");
        ObjectNode targets = out.putObject("targets");
        if (peerOut == null) {
            out.putNull("thresholdsAgree");
            return;
        }
        out.set("peer", peerOut);
        for (String key : List.of("numpy_partition_ms", "torch_kthvalue_ms", "torch_prune_l1_ms")) {
            if (peerOut.has(key)) {
                double v = peerOut.get(key).asDouble();
                peers.put(key.replace("_ms", ""), round(v));
                ratios.put(key.replace("_ms", "") + "OverOurs", round(v / single.medianMs()));
            }
        }
        if (peerOut.has("numpy_threshold")) {
            float numpyThreshold = (float) peerOut.get("numpy_threshold").asDouble();
            out.put("numpyThreshold", numpyThreshold);
            out.put("thresholdsAgree", Float.floatToRawIntBits(numpyThreshold)
                    == Float.floatToRawIntBits(single.cut().value()));
        }
        if (peerOut.has("numpy_partition_ms")) {
            targets.put("singleAtMostHalfOfNumpy", single.medianMs() <= peerOut.get("numpy_partition_ms").asDouble() / 2);
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** The upper median (for an even count, the larger of the middle two), as this bench has always reported. */
    private static double upperMedian(double[] v) {
        return percentile(v, 0.5);
    }

    private static double percentile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.floor(q * s.length))];
    }

    private static double round(double v) {
        return BenchFigures.round(v, 3);
    }
}
