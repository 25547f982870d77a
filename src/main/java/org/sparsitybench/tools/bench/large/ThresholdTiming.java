package org.sparsitybench.tools.bench.large;

import static org.sparsitybench.tools.bench.BenchFigures.median;
import static org.sparsitybench.tools.bench.BenchFigures.round;
import static org.sparsitybench.tools.bench.large.LargeReport.ms;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.prune.mask.ThresholdMask;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Timing against the peers: one sequential read of the file and one decode of every tensor ({@link ReadPeers})
 * against a global magnitude threshold through the engine, alternated run by run so that both see the same
 * machine load.
 */
final class ThresholdTiming {
    /** The engine's last result and the figures. */
    record Outcome(PruningResult result, double readMedianMs, double thresholdMedianMs, ObjectNode report) {
    }

    /** Wall and CPU milliseconds of each timed run, and the cold first runs. */
    private record Runs(double[] readMs, double[] readCpuMs, double[] decodeMs, double[] thresholdMs,
                        double[] thresholdCpuMs, double coldReadMs, double coldThresholdMs, long checksum,
                        PruningResult last) {
    }

    private ThresholdTiming() {
    }

    /** The global magnitude configuration at {@code sparsity}. */
    static PruningConfig global(double sparsity) {
        return PruningConfig.of(GlobalSettings.of(sparsity, "magnitude", Allocation.GLOBAL));
    }

    /**
     * Times {@code repeats} alternated runs of the read, the decode and the threshold, after one untimed run of
     * the read and the threshold, then materialises the last run's masks once.
     *
     * @param bytes the file's size, for the read's throughput
     */
    static Outcome measure(ObjectMapper json, Path file, long bytes, Model model, double sparsity, int repeats)
            throws IOException {
        Runs runs = alternate(ReadPeers.mapWindows(file), model, global(sparsity), repeats);
        PruningResult result = runs.last();
        // BF16/FP16 cuts leave their masks as rules; the bits cost one more pass, timed here once.
        long maskStart = System.nanoTime();
        long maskCpu = MemorySampler.processCpuNanos();
        long lazyMasks = result.masks().values().stream().filter(m -> m instanceof ThresholdMask t
                && !t.isMaterialised()).count();
        result.masks().values().forEach(Mask::toBitMask);
        double masksMs = ms(System.nanoTime() - maskStart);
        double masksCpuMs = ms(MemorySampler.processCpuNanos() - maskCpu);
        ObjectNode th = json.createObjectNode();
        th.put("target", sparsity);
        th.put("allocation", "global");
        th.put("method", "magnitude");
        th.put("prunableParams", model.prunableParams());
        th.put("pruned", result.pruned());
        th.put("achievedSparsity", result.achievedSparsity());
        th.put("targetMet", result.targetMet());
        report(json, th, runs, bytes);
        th.put("masksLeftAsRules", lazyMasks);
        th.put("materialiseMasksMs", masksMs);
        th.put("materialiseMasksCpuMs", masksCpuMs);
        th.put("thresholdPlusMasksOverRead", round((median(runs.thresholdMs()) + masksMs) / median(runs.readMs()), 2));
        th.put("checksum", runs.checksum());
        th.put("peer", "sequentialRead: one thread sums the whole file as longs through 64 MB mapped windows "
                + "(mapped once, pages touched once before timing: coldReadMs); decodeAll: one thread decodes every tensor "
                + "to float32 and sums it. threshold: a new PruningEngine with an empty ScoreCache(false) runs "
                + "global magnitude pruning from scratch, after one untimed run that compiles the counting loop "
                + "(coldThresholdMs) (histograms and the exact cut; masks are materialised "
                + "in the run where the cut reads the weights anyway, else left as rules: masksLeftAsRules). "
                + "materialiseMasks: turning the last run's masks into bits, once");
        return new Outcome(result, median(runs.readMs()), median(runs.thresholdMs()), th);
    }

    private static Runs alternate(List<ByteBuffer> windows, Model model, PruningConfig config, int repeats) {
        double[] readMs = new double[repeats];
        double[] decodeMs = new double[repeats];
        double[] thresholdMs = new double[repeats];
        double[] readCpuMs = new double[repeats];
        double[] thresholdCpuMs = new double[repeats];
        long checksum = 0;
        // Both sides once untimed: the first touch maps the pages into this process for the peer, the first engine
        // run compiles its counting loop; the cold run is reported on its own.
        long coldReadStart = System.nanoTime();
        checksum += ReadPeers.readSequentially(windows);
        double coldReadMs = ms(System.nanoTime() - coldReadStart);
        long coldStart = System.nanoTime();
        new PruningEngine(model, new ScoreCache(false), null).run(config, ProgressListener.NONE, CancellationToken.NONE);
        double coldThresholdMs = ms(System.nanoTime() - coldStart);
        PruningResult result = null;
        for (int r = 0; r < repeats; r++) {
            long s = System.nanoTime();
            long c = MemorySampler.processCpuNanos();
            checksum += ReadPeers.readSequentially(windows);
            readMs[r] = ms(System.nanoTime() - s);
            readCpuMs[r] = ms(MemorySampler.processCpuNanos() - c);
            s = System.nanoTime();
            checksum += Double.doubleToRawLongBits(ReadPeers.decodeAll(model));
            decodeMs[r] = ms(System.nanoTime() - s);
            result = null; // the previous run's masks may go before the next run makes its own
            s = System.nanoTime();
            c = MemorySampler.processCpuNanos();
            result = new PruningEngine(model, new ScoreCache(false), null)
                    .run(config, ProgressListener.NONE, CancellationToken.NONE);
            thresholdMs[r] = ms(System.nanoTime() - s);
            thresholdCpuMs[r] = ms(MemorySampler.processCpuNanos() - c);
        }
        return new Runs(readMs, readCpuMs, decodeMs, thresholdMs, thresholdCpuMs, coldReadMs, coldThresholdMs,
                checksum, result);
    }

    private static void report(ObjectMapper json, ObjectNode th, Runs runs, long bytes) {
        double read = median(runs.readMs());
        double threshold = median(runs.thresholdMs());
        th.put("sequentialReadMedianMs", read);
        th.put("sequentialReadGBps", round(bytes / 1e6 / read, 2));
        th.put("decodeAllMedianMs", median(runs.decodeMs()));
        th.put("thresholdMedianMs", threshold);
        th.put("thresholdOverRead", round(threshold / read, 2));
        th.put("thresholdOverDecode", round(threshold / median(runs.decodeMs()), 2));
        th.put("sequentialReadCpuMedianMs", median(runs.readCpuMs()));
        th.put("thresholdCpuMedianMs", median(runs.thresholdCpuMs()));
        th.put("thresholdCpuOverReadCpu", round(median(runs.thresholdCpuMs()) / median(runs.readCpuMs()), 2));
        th.put("coldReadMs", runs.coldReadMs());
        th.put("coldThresholdMs", runs.coldThresholdMs());
        th.put("readTimesMs", LargeReport.array(json, runs.readMs()));
        th.put("thresholdTimesMs", LargeReport.array(json, runs.thresholdMs()));
    }
}
