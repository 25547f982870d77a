package org.sparsitybench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.formats.onnx.OnnxReader;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.CancelledException;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/** The outcomes the evaluation promises on the bundled samples, measured for real in ONNX Runtime. */
class SweepAndSensitivityTest {
    private static Path sample(String name) {
        return Fixtures.projectDir().resolve("sample-models").resolve(name).resolve("model.onnx");
    }

    private static LabeledData fashion() throws Exception {
        return Datasets.open(Fixtures.projectDir().resolve("sample-models/data/fashion-mnist/t10k-images-idx3-ubyte.gz"));
    }

    @Test
    void magnitudeBeatsRandomAtHighSparsityAndLevelZeroReproducesTheCard() throws Exception {
        Path file = sample("fashion-lenet-300-100");
        Model m = new OnnxReader().read(file);
        ModelCard card = ModelCard.forModel(file, null);
        List<SweepPoint> points = Sweep.run(m, card, fashion(), List.of("magnitude", "random"), Allocation.UNIFORM,
                List.of(0.0, 0.8, 0.9), 0, Integer.MAX_VALUE, ProgressListener.NONE, CancellationToken.NONE, p -> { });
        assertEquals(6, points.size());
        assertEquals(card.accuracy(), points.get(0).accuracy(), 1e-12);
        for (int i = 1; i < 3; i++) {
            SweepPoint mag = points.get(i);
            SweepPoint rnd = points.get(3 + i);
            assertEquals(mag.requested(), rnd.requested());
            assertEquals(mag.requested(), mag.achieved(), 1e-6);
            assertTrue(mag.accuracy() > rnd.accuracy() + 0.05, mag + " vs " + rnd);
            assertTrue(mag.flops() < points.get(0).flops());
        }
    }

    @Test
    void aCancelledSweepKeepsThePointsItFinished() throws Exception {
        Path file = sample("digits-mlp");
        Model m = new OnnxReader().read(file);
        ModelCard card = ModelCard.forModel(file, null);
        LabeledData digits = Datasets.open(Fixtures.projectDir().resolve(
                "sample-models/data/digits/digits-test-images-idx3-ubyte.gz"));
        CancellationToken.Source cancel = CancellationToken.newSource();
        List<SweepPoint> kept = new ArrayList<>();
        assertThrows(CancelledException.class, () -> Sweep.run(m, card, digits, List.of("magnitude"), Allocation.UNIFORM,
                List.of(0.0, 0.3, 0.6, 0.9), 0, Integer.MAX_VALUE, ProgressListener.NONE, cancel, p -> {
                    kept.add(p);
                    if (kept.size() == 2) {
                        cancel.cancel();
                    }
                }));
        assertEquals(2, kept.size());
        assertEquals(0.3, kept.get(1).requested());
        try (var files = Files.list(file.getParent())) {
            assertEquals(2, files.count(), "no temporary models left beside the sample");
        }
    }

    @Test
    void sensitivityGuidedAllocationBeatsUniformOnLeNet5() throws Exception {
        Path file = sample("fashion-lenet5");
        Model m = new OnnxReader().read(file);
        ModelCard card = ModelCard.forModel(file, null);
        LabeledData data = fashion();
        // Measured on the first 2,000 test images, judged on all 10,000.
        List<Sensitivity.LayerCurve> curves = Sensitivity.analyze(m, card, data,
                List.of(0.0, 0.5, 0.7, 0.8, 0.9, 0.95), 2000, ProgressListener.NONE, CancellationToken.NONE);
        assertEquals(m.prunableTensors().size(), curves.size());
        for (Sensitivity.LayerCurve c : curves) {
            assertEquals(0.0, c.points().get(0).energyRemoved(), 1e-12);
            assertTrue(c.points().get(5).energyRemoved() > c.points().get(1).energyRemoved(), c.name());
        }
        double target = 0.8;
        PruningConfig uniform = PruningConfig.of(GlobalSettings.of(target, "magnitude", Allocation.UNIFORM));
        PruningConfig guided = PruningConfig.of(GlobalSettings.of(target, "magnitude", Allocation.SENSITIVITY));
        PruningEngine engine = new PruningEngine(m, new ScoreCache(false), Sensitivity.hook(curves));
        double[] acc = new double[2];
        int i = 0;
        for (PruningConfig cfg : List.of(uniform, guided)) {
            PruningResult r = engine.run(cfg, ProgressListener.NONE, CancellationToken.NONE);
            assertEquals(target, r.achievedSparsity(), 1e-4);
            Path pruned = TemporaryModels.write(m, r.masks());
            try (OrtModel s = OrtModel.open(pruned, card.input(), 0)) {
                acc[i++] = Evaluator.evaluate(s, card, data, 256, Integer.MAX_VALUE, ProgressListener.NONE,
                        CancellationToken.NONE).accuracy();
            } finally {
                Files.deleteIfExists(pruned);
            }
        }
        assertTrue(acc[1] > acc[0] + 0.02, "guided " + acc[1] + " vs uniform " + acc[0]);
        Map<String, Double> levels = Sensitivity.allocation(curves, target);
        assertTrue(levels.get("conv1.weight") < levels.get("fc1.weight"), levels.toString());
    }
}
