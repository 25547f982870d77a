package org.sparsitybench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.InMemoryData;
import org.sparsitybench.model.Model;
import org.sparsitybench.testing.Fixtures;

/** The recovery loop on the bundled digits: cancelling keeps the best completed epoch, and frozen zeros stay. */
class RecoveryTest {
    private static final Path DIR = Fixtures.projectDir().resolve("sample-models");

    @Test
    void cancellingAfterAnEpochLeavesTheNetworkAtTheBestCompletedEpoch() throws Exception {
        Path file = DIR.resolve("digits-mlp/model.onnx");
        Model m = ModelFiles.read(file);
        ModelCard card = ModelCard.forModel(file, null);
        InMemoryData[] split = InMemoryData.load(Datasets.open(DIR.resolve(
                "data/digits/digits-train-images-idx3-ubyte.gz")), "train", Integer.MAX_VALUE).holdOut(0.2, 3);
        GraphNetwork net = OnnxGraphReader.read(m, new long[] {64}, false);
        MaskedPruning.prune(net, m, org.sparsitybench.prune.PruningConfig.of(
                org.sparsitybench.prune.GlobalSettings.of(0.8, "magnitude", null)), () -> false);
        Map<String, boolean[]> frozen = new LinkedHashMap<>();
        net.params().forEach((k, p) -> frozen.put(k, p.frozen == null ? null : p.frozen.clone()));
        Recovery.Data data = new Recovery.Data(RecoveredModel.preprocessed(card, split[0]), split[0].labels(),
                RecoveredModel.preprocessed(card, split[1]), split[1].labels(), null, 10);
        AtomicInteger epochs = new AtomicInteger();
        List<float[]> afterFirst = new ArrayList<>();
        Recovery.Result r = Recovery.run(net, m, data, new Recovery.Config(5, 32, 3e-3, 1, 1, 1, 1), null, e -> {
            epochs.incrementAndGet();
            net.params().values().forEach(p -> afterFirst.add(p.value.clone()));
        }, () -> epochs.get() >= 1);
        assertEquals(1, r.epochs().size());
        assertEquals(1, r.best());
        int i = 0;
        for (Param p : net.params().values()) {
            assertArrayEquals(afterFirst.get(i++), p.value, p.name + " holds the completed epoch's values");
            boolean[] f = frozen.get(p.name);
            for (int j = 0; f != null && j < f.length; j++) {
                if (f[j]) {
                    assertEquals(0, Float.floatToRawIntBits(p.value[j]), p.name + "[" + j + "] stays +0.0");
                }
            }
        }
        assertTrue(r.epochs().get(0).validationAccuracy() > 0.5);
    }
}
