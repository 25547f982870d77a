package org.sparsitybench.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/** Sparsity × precision on digits-mlp, and the Pareto front over compressed size and accuracy. */
class PrecisionSweepTest {
    @Test
    void theFrontKeepsOnlyPointsNoSmallerPointMatches() {
        List<PrecisionSweep.Point> points = List.of(
                new PrecisionSweep.Point(0, Precision.FLOAT32, 0.95, 100, 90, 1),
                new PrecisionSweep.Point(0, Precision.INT8, 0.94, 30, 25, 1),
                new PrecisionSweep.Point(0.5, Precision.FLOAT32, 0.93, 100, 50, 1),
                new PrecisionSweep.Point(0.5, Precision.INT4, 0.90, 20, 15, 1));
        assertEquals(List.of(points.get(3), points.get(1), points.get(0)), PrecisionSweep.paretoFront(points));
    }

    @Test
    void everyLevelIsMeasuredFloatInt8AndInt4AndDenseFloatIsTheModelItself() throws Exception {
        Path model = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");
        Path data = Fixtures.projectDir().resolve("sample-models/data/digits");
        ModelCard card = ModelCard.forModel(model, null);
        List<PrecisionSweep.Point> points = PrecisionSweep.run(ModelFiles.read(model), card,
                Datasets.open(data.resolve("digits-train-images-idx3-ubyte.gz")),
                Datasets.open(data.resolve("digits-test-images-idx3-ubyte.gz")), List.of(0.0, 0.5), Allocation.GLOBAL,
                32, Integer.MAX_VALUE, ProgressListener.NONE, CancellationToken.NONE);
        assertEquals(6, points.size());
        assertEquals(card.accuracy(), points.get(0).accuracy(), 1e-4, "0 % sparse float32 is the model as shipped");
        for (int level = 0; level < 2; level++) {
            PrecisionSweep.Point f = points.get(3 * level);
            PrecisionSweep.Point q8 = points.get(3 * level + 1);
            PrecisionSweep.Point q4 = points.get(3 * level + 2);
            assertEquals(List.of(Precision.FLOAT32, Precision.INT8, Precision.INT4),
                    List.of(f.precision(), q8.precision(), q4.precision()));
            assertTrue(q8.fileBytes() < f.fileBytes() && q4.fileBytes() < q8.fileBytes(), points.toString());
            assertEquals(450, q4.samples());
        }
        assertTrue(points.get(3).compressedBytes() < points.get(0).compressedBytes(), "zeros compress");
        List<PrecisionSweep.Point> front = PrecisionSweep.paretoFront(points);
        for (int i = 1; i < front.size(); i++) {
            assertTrue(front.get(i).compressedBytes() >= front.get(i - 1).compressedBytes()
                    && front.get(i).accuracy() > front.get(i - 1).accuracy(), front.toString());
        }
    }
}
