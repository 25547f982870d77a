package org.sparsitybench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparsitybench.eval.ActivationNorms;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.eval.Sweep;
import org.sparsitybench.eval.SweepPoint;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.Masking;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.prune.stats.LayerStatistics;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.CancelledException;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/**
 * Every long task cancelled at seeded random points: at the k-th cancellation check, for k drawn from all the checks
 * an uncancelled run makes. Each cancelled run must throw {@link CancelledException}, leave the earlier consistent
 * state (earlier export byte-identical, no temporaries, finished points and layers as an uncancelled run makes them,
 * engine results unchanged) and release what it opened (ONNX Runtime sessions, files: the JVM's open file
 * descriptors do not grow with the number of cancelled runs).
 */
class CancellationAtRandomPointsTest {
    private static final long SEED = 20261123L;

    @TempDir
    Path dir;

    /** Cancelled from its {@code at}-th check on; counts checks (thread-safe). */
    private static final class CancelAt implements CancellationToken {
        private final long at;
        private final AtomicLong checks = new AtomicLong();

        CancelAt(long at) {
            this.at = at;
        }

        static CancelAt never() {
            return new CancelAt(Long.MAX_VALUE);
        }

        @Override
        public boolean isCancelled() {
            return checks.incrementAndGet() >= at;
        }

        long checks() {
            return checks.get();
        }
    }

    @FunctionalInterface
    private interface Attempt {
        void run(CancellationToken cancel) throws Exception;
    }

    @FunctionalInterface
    private interface Verification {
        void verify(long k) throws Exception;
    }

    /**
     * Runs {@code attempt} uncancelled to count its checks N, then cancelled at up to {@code tries} distinct seeded
     * points in [1, N] (always including the first and the last check), verifying after each.
     *
     * @return N
     */
    private static long cancelAtRandomPoints(String what, int tries, Attempt attempt, Verification after)
            throws Exception {
        return cancelAtRandomPoints(what, tries, countChecks(attempt), attempt, after);
    }

    /** The cancellation checks an uncancelled run of {@code attempt} makes. */
    private static long countChecks(Attempt attempt) throws Exception {
        CancelAt counter = CancelAt.never();
        attempt.run(counter);
        return counter.checks();
    }

    /** As above with N known (when the counting run must not touch the state under test). */
    private static long cancelAtRandomPoints(String what, int tries, long n, Attempt attempt, Verification after)
            throws Exception {
        assertTrue(n >= 2, what + " checks for cancellation (" + n + " checks)");
        TreeSet<Long> points = new TreeSet<>(List.of(1L, n));
        Random r = new Random(SEED ^ what.hashCode());
        while (points.size() < Math.min(tries, n)) {
            points.add(1 + (long) (r.nextDouble() * n));
        }
        for (long k : points) {
            CancelAt cancel = new CancelAt(k);
            assertThrows(CancelledException.class, () -> attempt.run(cancel),
                    what + " cancelled at check " + k + " of " + n + " throws CancelledException");
            after.verify(k);
        }
        return n;
    }

    private static Map<String, TensorUpdate> magnitudeUpdates(Model m, double sparsity) {
        PruningResult r = new PruningEngine(m).run(PruningConfig.of(GlobalSettings.of(sparsity, "magnitude",
                Allocation.UNIFORM)), ProgressListener.NONE, CancellationToken.NONE);
        Map<String, TensorUpdate> updates = new LinkedHashMap<>();
        for (Map.Entry<String, Mask> e : r.masks().entrySet()) {
            WeightTensor t = m.tensor(e.getKey()).orElseThrow();
            updates.put(t.name(), TensorUpdate.of(t, Masking.apply(t.data(), e.getValue())));
        }
        return updates;
    }

    @ParameterizedTest
    @ValueSource(strings = {"onnx", "onnx-external", "safetensors"})
    void aCancelledExportLeavesTheEarlierExportAndNoTemporaries(String kind) throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        String ext = kind.startsWith("onnx") ? "onnx" : "safetensors";
        Path source = src.resolve("model." + ext);
        switch (kind) {
            case "onnx" -> FaultFiles.onnxMlp(source, 3, 1024);
            case "onnx-external" -> FaultFiles.onnxExternalMlp(source, 3, 1024);
            default -> FaultFiles.safeTensors(source, 3, 1024, 1024);
        }
        Map<String, String> sourceBefore = FaultFiles.fingerprint(src);
        Model m = ModelFiles.read(source);
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Path out = outDir.resolve("pruned." + ext);
        var writer = ModelFiles.writerFor(m.format());
        writer.write(m, magnitudeUpdates(m, 0.3), Map.of(), out);
        Map<String, String> before = FaultFiles.fingerprint(outDir);
        Map<String, TensorUpdate> next = magnitudeUpdates(m, 0.7);
        List<Double> fractions = new ArrayList<>();
        Path scratch = Files.createDirectory(dir.resolve("scratch")).resolve("pruned." + ext);
        writer.write(m, next, Map.of(), scratch, (f, msg) -> fractions.add(f), CancellationToken.NONE);
        assertEquals(1.0, fractions.get(fractions.size() - 1), 1e-9, "progress reaches 1");
        for (int i = 1; i < fractions.size(); i++) {
            assertTrue(fractions.get(i) >= fractions.get(i - 1), "progress never goes back: " + fractions);
        }
        long n = countChecks(cancel -> writer.write(m, next, Map.of(), scratch, ProgressListener.NONE, cancel));
        assertTrue(n > 12, "cancellation is checked at least once per megabyte written (" + n + " checks)");

        int fds = FaultFiles.openFileDescriptors();
        cancelAtRandomPoints("export " + kind + " over an earlier one", 25, n,
                cancel -> writer.write(m, next, Map.of(), out, ProgressListener.NONE, cancel),
                k -> {
                    assertEquals(before, FaultFiles.fingerprint(outDir), "cancelled at check " + k
                            + ": the earlier export (and its data file) is byte-identical, nothing else is left");
                    assertTrue(FaultFiles.openFileDescriptors() <= fds + 2, "no file left open");
                });
        assertEquals(sourceBefore, FaultFiles.fingerprint(src), "the source model is untouched");
    }

    /**
     * The way the window cancels: from another thread, at a random moment. An export over an earlier one then
     * leaves either the earlier export or the complete new one, never anything else.
     */
    @ParameterizedTest
    @ValueSource(strings = {"onnx-external", "safetensors"})
    void aCancelFromAnotherThreadAtARandomMomentLeavesTheOldExportOrTheNewOne(String kind) throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        String ext = kind.startsWith("onnx") ? "onnx" : "safetensors";
        Path source = src.resolve("model." + ext);
        if (kind.equals("onnx-external")) {
            FaultFiles.onnxExternalMlp(source, 3, 1024);
        } else {
            FaultFiles.safeTensors(source, 3, 1024, 1024);
        }
        Model m = ModelFiles.read(source);
        var writer = ModelFiles.writerFor(m.format());
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Path out = outDir.resolve("pruned." + ext);
        Map<String, TensorUpdate> older = magnitudeUpdates(m, 0.3);
        Map<String, TensorUpdate> newer = magnitudeUpdates(m, 0.7);
        Path scratch = Files.createDirectory(dir.resolve("scratch")).resolve("pruned." + ext);
        long t0 = System.nanoTime();
        writer.write(m, newer, Map.of(), scratch);
        long nanos = System.nanoTime() - t0;
        Map<String, String> newExport = FaultFiles.fingerprint(scratch.getParent());

        var timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            Random r = new Random(SEED);
            int cancelled = 0;
            for (int i = 0; i < 12; i++) {
                for (Path p : FaultFiles.list(outDir)) {
                    Files.delete(p);
                }
                writer.write(m, older, Map.of(), out);
                Map<String, String> oldExport = FaultFiles.fingerprint(outDir);
                CancellationToken.Source cancel = CancellationToken.newSource();
                // The first cancels at once; the rest anywhere in (and a little past) a measured run.
                long delay = i == 0 ? 0 : (long) (r.nextDouble() * 1.2 * nanos);
                timer.schedule(cancel::cancel, delay, java.util.concurrent.TimeUnit.NANOSECONDS);
                try {
                    writer.write(m, newer, Map.of(), out, ProgressListener.NONE, cancel);
                    Map<String, String> now = FaultFiles.fingerprint(outDir);
                    if (ext.equals("onnx")) {
                        // The model names its data file, which alternates between two names: compare what it reads.
                        assertEquals(2, now.size(), "the model and the one data file it uses: " + now.keySet());
                        Model back = ModelFiles.read(out);
                        for (Map.Entry<String, TensorUpdate> e : newer.entrySet()) {
                            assertTrue(java.util.Arrays.equals(e.getValue().values().readAllFloats(),
                                    back.tensor(e.getKey()).orElseThrow().data().readAllFloats()), e.getKey());
                        }
                    } else {
                        assertEquals(newExport, now, "a completed export is the new one");
                    }
                } catch (CancelledException e) {
                    cancelled++;
                    assertEquals(oldExport, FaultFiles.fingerprint(outDir), "cancelled after " + delay / 1000
                            + " µs: the old export, nothing else");
                }
            }
            assertTrue(cancelled > 0, "some runs were cancelled");
        } finally {
            timer.shutdownNow();
        }
    }

    /**
     * An export killed between moving its new data file into place and moving its model leaves a data file newer
     * than the model that does not use it. The next export must reuse that one, not the one the model reads.
     */
    @Test
    void anExportAfterAKilledOneKeepsTheDataFileTheEarlierExportUses() throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        Path source = src.resolve("model.onnx");
        FaultFiles.onnxExternalMlp(source, 2, 512);
        Model m = ModelFiles.read(source);
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Path out = outDir.resolve("pruned.onnx");
        var writer = ModelFiles.writerFor(m.format());
        writer.write(m, magnitudeUpdates(m, 0.3), Map.of(), out);
        assertTrue(Files.exists(outDir.resolve("pruned.onnx.data")));
        // What SIGKILL after the data move leaves: an unreferenced data file under the other name, written later.
        Path orphan = Files.write(outDir.resolve("pruned.onnx.1.data"), new byte[4096]);
        Files.setLastModifiedTime(orphan, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(out).toMillis() + 5_000));
        Map<String, String> before = FaultFiles.fingerprint(outDir);
        float[] w1 = ModelFiles.read(out).tensor("w1").orElseThrow().data().readAllFloats();

        Map<String, TensorUpdate> next = magnitudeUpdates(m, 0.7);
        Path scratch = Files.createDirectory(dir.resolve("scratch")).resolve("pruned.onnx");
        long n = countChecks(cancel -> writer.write(m, next, Map.of(), scratch, ProgressListener.NONE, cancel));
        cancelAtRandomPoints("export after a killed one", 12, n,
                cancel -> writer.write(m, next, Map.of(), out, ProgressListener.NONE, cancel),
                k -> {
                    Map<String, String> now = FaultFiles.fingerprint(outDir);
                    now.remove("pruned.onnx.1.data"); // the orphan may be replaced or removed: nothing uses it
                    Map<String, String> expected = new java.util.TreeMap<>(before);
                    expected.remove("pruned.onnx.1.data");
                    assertEquals(expected, now, "cancelled at check " + k);
                    assertTrue(java.util.Arrays.equals(w1, ModelFiles.read(out).tensor("w1").orElseThrow().data()
                            .readAllFloats()), "the earlier export still reads its own weights");
                });
        writer.write(m, next, Map.of(), out);
        Model written = ModelFiles.read(out);
        assertTrue(java.util.Arrays.equals(next.get("w1").values().readAllFloats(),
                written.tensor("w1").orElseThrow().data().readAllFloats()));
        assertEquals(List.of("pruned.onnx", "pruned.onnx.1.data"),
                FaultFiles.list(outDir).stream().map(p -> p.getFileName().toString()).toList(),
                "the new export took the unused name; the earlier data file went with the earlier export");
    }

    /** A sample model copied to its own folder, so that anything left beside it shows. */
    private Path sampleCopy(String name) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(name));
        Path from = Fixtures.projectDir().resolve("sample-models").resolve(name);
        Files.copy(from.resolve("model.onnx"), folder.resolve("model.onnx"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(from.resolve(ModelCard.FILE_NAME), folder.resolve(ModelCard.FILE_NAME),
                StandardCopyOption.REPLACE_EXISTING);
        return folder.resolve("model.onnx");
    }

    private static LabeledData fashion() throws Exception {
        return Datasets.open(Fixtures.projectDir().resolve("sample-models/data/fashion-mnist/t10k-images-idx3-ubyte.gz"));
    }

    private static void assertOnlyModelAndCard(Path model, long k) throws Exception {
        assertEquals(List.of(ModelCard.FILE_NAME, "model.onnx"), FaultFiles.list(model.getParent()).stream()
                .map(p -> p.getFileName().toString()).toList(), "cancelled at check " + k + ": no temporary left");
    }

    @Test
    void aCancelledSweepKeepsExactlyThePointsItFinishedAndClosesItsSessions() throws Exception {
        Path file = sampleCopy("fashion-lenet5");
        Model m = ModelFiles.read(file);
        ModelCard card = ModelCard.forModel(file, null);
        LabeledData data = fashion();
        List<String> methods = List.of("magnitude", "l1-structured");
        List<Double> levels = List.of(0.5, 0.8);
        // One timed run per point, so that latency sessions and the compacted model are cancelled too.
        List<SweepPoint> full = Sweep.run(m, card, data, methods, Allocation.UNIFORM, levels, 1, 256,
                ProgressListener.NONE, CancellationToken.NONE, p -> { });
        assertEquals(4, full.size());
        assertTrue(full.stream().anyMatch(p -> !Double.isNaN(p.compactLatencyMs())), "a compacted model was timed");
        int fds = FaultFiles.openFileDescriptors();
        List<SweepPoint> delivered = new ArrayList<>();
        cancelAtRandomPoints("sweep", 10, cancel -> {
            delivered.clear();
            Sweep.run(m, card, data, methods, Allocation.UNIFORM, levels, 1, 256, ProgressListener.NONE, cancel,
                    delivered::add);
        }, k -> {
            assertTrue(delivered.size() < full.size());
            assertEquals(measured(full.subList(0, delivered.size())), measured(delivered),
                    "cancelled at check " + k + ": the finished points are those of an uncancelled sweep");
            assertOnlyModelAndCard(file, k);
        });
        assertTrue(FaultFiles.openFileDescriptors() <= fds + 2, "no session or file left open");
        assertEquals(measured(full), measured(Sweep.run(m, card, data, methods, Allocation.UNIFORM, levels, 1, 256,
                ProgressListener.NONE, CancellationToken.NONE, p -> { })), "a sweep after the cancelled ones is unchanged");
    }

    /** A point without its timings (which vary from run to run). */
    private static List<List<Object>> measured(List<SweepPoint> points) {
        return points.stream().map(p -> List.<Object>of(p.method(), p.allocation(), p.requested(), p.achieved(),
                p.accuracy(), p.top5(), p.loss(), p.params(), p.flops(), p.fileBytes())).toList();
    }

    @Test
    void aCancelledSensitivityAnalysisLeavesNothingBehindAndTheNextRunIsUnchanged() throws Exception {
        Path file = sampleCopy("fashion-lenet5");
        Model m = ModelFiles.read(file);
        ModelCard card = ModelCard.forModel(file, null);
        LabeledData data = fashion();
        List<Double> levels = List.of(0.5, 0.9);
        List<Sensitivity.LayerCurve> full = Sensitivity.analyze(m, card, data, levels, 128, ProgressListener.NONE,
                CancellationToken.NONE);
        int fds = FaultFiles.openFileDescriptors();
        cancelAtRandomPoints("sensitivity", 10,
                cancel -> Sensitivity.analyze(m, card, data, levels, 128, ProgressListener.NONE, cancel),
                k -> assertOnlyModelAndCard(file, k));
        assertTrue(FaultFiles.openFileDescriptors() <= fds + 2, "no session or file left open");
        assertEquals(full, Sensitivity.analyze(m, card, data, levels, 128, ProgressListener.NONE,
                CancellationToken.NONE));
    }

    @Test
    void aCancelledCalibrationRemovesItsProbeModelAndClosesItsSession() throws Exception {
        Path file = sampleCopy("fashion-lenet5");
        Model m = ModelFiles.read(file);
        ModelCard card = ModelCard.forModel(file, null);
        LabeledData data = fashion();
        Map<String, org.sparsitybench.prune.FeatureNorms> full = ActivationNorms.capture(m, card, data, 256,
                ProgressListener.NONE, CancellationToken.NONE);
        int fds = FaultFiles.openFileDescriptors();
        cancelAtRandomPoints("calibration", 10,
                cancel -> ActivationNorms.capture(m, card, data, 256, ProgressListener.NONE, cancel),
                k -> assertOnlyModelAndCard(file, k));
        assertTrue(FaultFiles.openFileDescriptors() <= fds + 2, "no session or file left open");
        Map<String, org.sparsitybench.prune.FeatureNorms> again = ActivationNorms.capture(m, card, data, 256,
                ProgressListener.NONE, CancellationToken.NONE);
        assertEquals(full.keySet(), again.keySet());
        for (String layer : full.keySet()) {
            assertTrue(java.util.Arrays.equals(full.get(layer).norms(), again.get(layer).norms()), layer);
        }
    }

    @Test
    void aCancelledEngineRunLeavesTheCachedResultsAsTheyWere() throws Exception {
        Model m = ModelFiles.read(sampleCopy("fashion-lenet-300-100"));
        PruningEngine engine = new PruningEngine(m, new ScoreCache(false), null);
        PruningConfig first = PruningConfig.of(GlobalSettings.of(0.5, "magnitude", Allocation.UNIFORM));
        PruningConfig second = PruningConfig.of(GlobalSettings.of(0.8, "magnitude", Allocation.GLOBAL));
        Map<String, Mask> previous = engine.run(first, ProgressListener.NONE, CancellationToken.NONE).masks();
        Map<String, Mask> expected = new PruningEngine(m).run(second, ProgressListener.NONE, CancellationToken.NONE)
                .masks();
        cancelAtRandomPoints("engine run", 20, cancel -> engine.run(second, ProgressListener.NONE, cancel),
                k -> assertEquals(bits(previous), bits(engine.run(first, ProgressListener.NONE,
                        CancellationToken.NONE).masks()), "cancelled at check " + k + ": the previous masks stand"));
        assertEquals(bits(expected), bits(engine.run(second, ProgressListener.NONE, CancellationToken.NONE).masks()),
                "the cache a cancelled run used gives the same masks as a fresh engine");
    }

    private static Map<String, Object> bits(Map<String, Mask> masks) {
        Map<String, Object> out = new java.util.TreeMap<>();
        masks.forEach((k, v) -> out.put(k, v.toBitMask()));
        return out;
    }

    @Test
    void cancelledLayerStatisticsDeliverOnlyFinishedLayers() throws Exception {
        Path source = dir.resolve("big.safetensors");
        FaultFiles.safeTensors(source, 4, 512, 600);
        Model m = ModelFiles.read(source);
        List<LayerStatistics> full = LayerStatistics.compute(m, ProgressListener.NONE, CancellationToken.NONE, s -> { });
        assertEquals(4, full.size());
        LayerStatistics one = full.get(0);
        assertEquals(512L * 600, one.count());
        assertEquals(0, one.mean(), 0.01, "seeded Gaussian weights");
        assertEquals(1, one.std(), 0.01);
        assertTrue(one.min() < -3 && one.max() > 3 && one.meanAbs() > 0.75 && one.meanAbs() < 0.85, one.toString());
        List<LayerStatistics> delivered = new ArrayList<>();
        cancelAtRandomPoints("layer statistics", 20, cancel -> {
            delivered.clear();
            LayerStatistics.compute(m, ProgressListener.NONE, cancel, delivered::add);
        }, k -> {
            assertTrue(delivered.size() < full.size());
            assertEquals(full.subList(0, delivered.size()), delivered, "cancelled at check " + k);
        });
        assertFalse(delivered.isEmpty() && full.isEmpty());
    }
}
