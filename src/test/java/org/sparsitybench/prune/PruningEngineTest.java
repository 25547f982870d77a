package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.alloc.Erk;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.CancelledException;
import org.sparsitybench.task.ProgressListener;

class PruningEngineTest {
    private static final CancellationToken NONE = CancellationToken.NONE;

    private final float[] conv = Reference.normal(16 * 8 * 3 * 3, 1, 0.2);
    private final float[] fc1 = Reference.normal(64 * 128, 2, 0.05);
    private final float[] fc2 = Reference.normal(10 * 64, 3, 0.5);
    private final float[] emb = Reference.normal(300 * 40, 4, 1.0);
    private final Model model = Reference.model(
            Reference.tensor("conv.weight", new long[] {16, 8, 3, 3}, conv),
            new WeightTensor("conv.bias", "Conv", "conv", new long[] {16}, DType.FLOAT, TensorRole.BIAS, false,
                    WeightTensor.NO_AXIS, "test", TensorData.ofFloats(new float[16])),
            Reference.tensor("fc1.weight", new long[] {64, 128}, fc1),
            Reference.tensor("fc2.weight", new long[] {10, 64}, fc2),
            Reference.tensor("emb.weight", new long[] {300, 40}, emb));
    private final List<float[]> weights = List.of(conv, fc1, fc2, emb);
    private final List<String> names = List.of("conv.weight", "fc1.weight", "fc2.weight", "emb.weight");

    private static PruningConfig config(double target, Allocation allocation) {
        return PruningConfig.of(GlobalSettings.of(target, "magnitude", allocation));
    }

    private PruningResult run(PruningConfig config) {
        return new PruningEngine(model).run(config, ProgressListener.NONE, NONE);
    }

    private long total() {
        return weights.stream().mapToLong(w -> w.length).sum();
    }

    @ParameterizedTest(name = "{1} at {0}")
    @CsvSource(textBlock = """
            0,       UNIFORM
            0.3333,  UNIFORM
            0.9,     UNIFORM
            1,       UNIFORM
            0.5,     GLOBAL
            0.77777, GLOBAL
            1,       GLOBAL
            0.5,     LAYER_NORMALIZED
            0.95,    LAYER_NORMALIZED
            0.5,     ERK
            0.98,    ERK
            """)
    void everyAllocationPrunesTheTargetToTheElement(double target, Allocation allocation) {
        PruningResult r = run(config(target, allocation));
        long want = Math.round(target * total());
        assertEquals(want, r.pruned());
        assertEquals(want, r.targetPruned());
        assertTrue(r.targetMet(), r.messages().toString());
        assertEquals(names, List.copyOf(r.masks().keySet()), "masks of prunable tensors only, model order");
        long sum = 0;
        for (LayerResult l : r.layers()) {
            assertEquals(l.params() - l.kept(), r.mask(l.name()).prunedCount());
            sum += l.pruned();
        }
        assertEquals(want, sum);
    }

    @Test
    void uniformAllocationPrunesEachLayerAtTheTarget() {
        PruningResult r = run(config(0.6, Allocation.UNIFORM));
        for (LayerResult l : r.layers()) {
            assertEquals(0.6 * l.params(), l.pruned(), 1.0, l.name());
            assertEquals(l.requested(), l.achieved());
            BitMask want = Reference.mask(Reference.magnitude(weights.get(names.indexOf(l.name())), l.pruned()));
            assertEquals(want, r.mask(l.name()).toBitMask(), l.name());
        }
    }

    @Test
    void globalMagnitudeKeepsTheLargestWeightsOverAllLayers() {
        long k = Math.round(0.7 * total());
        List<boolean[]> expected = Reference.global(weights, k);
        PruningResult r = run(config(0.7, Allocation.GLOBAL));
        for (int t = 0; t < names.size(); t++) {
            assertEquals(Reference.mask(expected.get(t)), r.mask(names.get(t)).toBitMask(), names.get(t));
        }
    }

    @Test
    void binIndexesChangeNothingButSpeed() {
        PruningEngine interactive = new PruningEngine(model, new ScoreCache(true), null);
        for (Allocation a : List.of(Allocation.UNIFORM, Allocation.GLOBAL, Allocation.LAYER_NORMALIZED)) {
            for (double target : new double[] {0.2, 0.85}) {
                PruningResult plain = run(config(target, a));
                PruningResult fast = interactive.run(config(target, a), ProgressListener.NONE, NONE);
                for (String name : names) {
                    assertEquals(plain.mask(name).sha256(), fast.mask(name).sha256(), a + " " + target + " " + name);
                }
            }
        }
    }

    @Test
    void layerNormalisationPrunesLayersOfDifferentScalesAlike() {
        PruningResult normalised = run(config(0.5, Allocation.LAYER_NORMALIZED));
        PruningResult global = run(config(0.5, Allocation.GLOBAL));
        for (LayerResult l : normalised.layers()) {
            assertEquals(0.5, l.achieved(), 0.03, l.name());
        }
        double fc1 = global.layers().get(1).achieved();
        double emb = global.layers().get(3).achieved();
        assertTrue(fc1 > 0.95 && emb < 0.4, "global magnitude favours the large-scale layer: " + fc1 + ", " + emb);
    }

    @Test
    void erkAllocatesByTheErkDensities() {
        PruningResult r = run(config(0.8, Allocation.ERK));
        long[][] shapes = {{16, 8, 3, 3}, {64, 128}, {10, 64}, {300, 40}};
        double[] density = Erk.densities(shapes, 0.2);
        for (int t = 0; t < shapes.length; t++) {
            LayerResult l = r.layers().get(t);
            assertEquals(density[t] * l.params(), l.kept(), 1.0, l.name());
        }
    }

    @Test
    void overridesLocksAndExclusionsHoldWhileTheTotalStaysExact() {
        PruningConfig c = config(0.5, Allocation.GLOBAL)
                .withLayer("conv.weight", LayerSettings.override(0.25))
                .withLayer("fc2.weight", LayerSettings.locked(0.9))
                .withLayer("emb.weight", LayerSettings.excludedLayer());
        for (double target : new double[] {0.3, 0.5, 0.8}) {
            PruningResult r = run(c.withTarget(target));
            Map<String, LayerResult> by = byName(r);
            assertEquals(Math.rint(0.25 * conv.length), by.get("conv.weight").pruned());
            assertEquals(LayerResult.Status.OVERRIDDEN, by.get("conv.weight").status());
            assertEquals(Math.rint(0.9 * fc2.length), by.get("fc2.weight").pruned());
            assertEquals(LayerResult.Status.LOCKED, by.get("fc2.weight").status());
            assertEquals(0, by.get("emb.weight").pruned());
            assertEquals(1.0, by.get("emb.weight").energyRetained());
            long selected = conv.length + fc1.length + fc2.length;
            assertEquals(selected, r.selectedParams());
            assertEquals(Math.round(target * selected), r.pruned(), "exact total at " + target);
            assertTrue(r.targetMet());
        }
    }

    @Test
    void aTargetTheFreeLayersCannotReachIsReportedNotThrown() {
        PruningConfig allLocked = config(0.5, Allocation.UNIFORM);
        for (String n : names) {
            allLocked = allLocked.withLayer(n, LayerSettings.locked(0.1));
        }
        PruningResult r = run(allLocked);
        assertFalse(r.targetMet());
        assertFalse(r.messages().isEmpty());
        assertTrue(r.messages().get(0).contains("cannot be met"), r.messages().get(0));
        assertNotEquals(r.targetPruned(), r.pruned());

        PruningResult tooMuch = run(config(0.1, Allocation.GLOBAL).withLayer("emb.weight", LayerSettings.locked(1.0)));
        assertFalse(tooMuch.targetMet());
        for (LayerResult l : tooMuch.layers()) {
            if (!l.name().equals("emb.weight")) {
                assertEquals(0, l.pruned(), "free layers prune nothing when the locks exceed the target");
            }
        }
    }

    @Test
    void theSameConfigurationFromJsonGivesIdenticalMasks() {
        PruningConfig c = new PruningConfig(new GlobalSettings(0.65, "magnitude", Allocation.LAYER_NORMALIZED, "2:4",
                99, new CalibrationSpec("data/cal.npz", 128)), Map.of(
                "fc2.weight", new LayerSettings("random", 0.4, false, false),
                "conv.weight", LayerSettings.locked(0.3)));
        PruningConfig back = PruningConfig.fromJson(c.toJson());
        assertEquals(c, back);
        PruningResult a = run(c);
        PruningResult b = run(back);
        for (String n : names) {
            assertEquals(a.mask(n).sha256(), b.mask(n).sha256(), n);
        }
        assertEquals("random", byName(a).get("fc2.weight").method());
    }

    @Test
    void aCancelledRunLeavesThePreviousResultAlone() {
        PruningEngine engine = new PruningEngine(model);
        PruningResult before = engine.run(config(0.5, Allocation.GLOBAL), ProgressListener.NONE, NONE);
        Map<String, String> hashes = new LinkedHashMap<>();
        before.masks().forEach((n, m) -> hashes.put(n, m.sha256()));
        List<Mask> masks = new ArrayList<>(before.masks().values());

        CancellationToken.Source token = CancellationToken.newSource();
        ProgressListener cancelHalfway = (fraction, message) -> {
            if (fraction > 0.3) {
                token.cancel();
            }
        };
        assertThrows(CancelledException.class,
                () -> engine.run(config(0.9, Allocation.GLOBAL).withLayer("emb.weight", LayerSettings.withMethod("random")),
                        cancelHalfway, token));
        before.masks().forEach((n, m) -> assertEquals(hashes.get(n), m.sha256(), n));
        assertEquals(masks, new ArrayList<>(before.masks().values()));
        assertSame(masks.get(0), before.mask(names.get(0)));
    }

    @Test
    void progressRisesToOne() {
        List<Double> seen = new ArrayList<>();
        new PruningEngine(model).run(config(0.5, Allocation.GLOBAL), (f, m) -> seen.add(f), NONE);
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) >= seen.get(i - 1), "non-decreasing: " + seen);
        }
        assertEquals(1.0, seen.get(seen.size() - 1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            magnitude
            random
            """)
    void energyRetainedMatchesBruteForce(String method) {
        PruningResult r = run(PruningConfig.of(GlobalSettings.of(0.6, method, Allocation.UNIFORM).withSeed(4)));
        for (LayerResult l : r.layers()) {
            boolean[] kept = new boolean[(int) l.params()];
            Mask m = r.mask(l.name());
            for (int i = 0; i < kept.length; i++) {
                kept[i] = m.isKept(i);
            }
            assertEquals(Reference.energyRetained(weights.get(names.indexOf(l.name())), kept), l.energyRetained(),
                    1e-12, l.name());
        }
    }

    @Test
    void randomGlobalPruningIsDeterministicAndExact() {
        PruningConfig c = PruningConfig.of(GlobalSettings.of(0.4, "random", Allocation.GLOBAL).withSeed(12));
        PruningResult a = run(c);
        PruningResult b = run(c);
        PruningResult other = run(PruningConfig.of(GlobalSettings.of(0.4, "random", Allocation.GLOBAL).withSeed(13)));
        assertEquals(Math.round(0.4 * total()), a.pruned());
        for (String n : names) {
            assertEquals(a.mask(n).sha256(), b.mask(n).sha256());
            assertNotEquals(a.mask(n).sha256(), other.mask(n).sha256());
        }
    }

    @Test
    void sensitivityLevelsShapeTheAllocationAndTheTotalStaysExact() {
        SensitivityAllocation levels = (free, target) -> Map.of("conv.weight", 0.1, "fc1.weight", 0.9,
                "fc2.weight", 0.2, "emb.weight", 0.6);
        PruningEngine engine = new PruningEngine(model, new ScoreCache(false), levels);
        PruningResult r = engine.run(config(0.6, Allocation.SENSITIVITY), ProgressListener.NONE, NONE);
        assertEquals(Math.round(0.6 * total()), r.pruned());
        Map<String, LayerResult> by = byName(r);
        assertTrue(by.get("conv.weight").achieved() < by.get("fc2.weight").achieved());
        assertTrue(by.get("fc2.weight").achieved() < by.get("emb.weight").achieved());
        assertTrue(by.get("emb.weight").achieved() < by.get("fc1.weight").achieved());

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(config(0.6, Allocation.SENSITIVITY)));
        assertTrue(e.getMessage().contains("sensitivity"), e.getMessage());
    }

    @Test
    void unknownLayerNamesAreReported() {
        PruningResult r = run(config(0.5, Allocation.UNIFORM).withLayer("no.such", LayerSettings.override(0.5)));
        assertTrue(r.targetMet());
        assertTrue(r.messages().stream().anyMatch(m -> m.contains("no.such")), r.messages().toString());
    }

    @Test
    void unknownMethodsAreRejectedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(PruningConfig.of(GlobalSettings.of(0.5, "bogus", Allocation.UNIFORM))));
        assertTrue(e.getMessage().contains("bogus"), e.getMessage());
    }

    private static Map<String, LayerResult> byName(PruningResult r) {
        Map<String, LayerResult> m = new LinkedHashMap<>();
        r.layers().forEach(l -> m.put(l.name(), l));
        return m;
    }
}
