package org.sparsitybench.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.formats.onnx.OnnxReader;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

class SparseKernelTest {

    @ParameterizedTest
    @CsvSource(textBlock = """
            # rows, cols, batch, sparsity
              37,   53,   1,     0.0
              37,   53,   3,     0.5
              37,   53,   17,    0.99
              37,   53,   3,     1.0
              1,    200,  1,     0.5
              1,    200,  17,    0.0
              200,  1,    3,     0.5
              200,  1,    1,     0.0
              1,    1,    1,     0.0
              1,    1,    17,    1.0
              300,  784,  1,     0.9
              300,  784,  17,    0.5
              512,  512,  3,     0.99
            """)
    void productMatchesDoublePrecisionReference(int rows, int cols, int batch, double sparsity) {
        SplittableRandom rnd = new SplittableRandom(rows * 31L + cols * 7L + batch);
        float[] w = randomMatrix(rows, cols, sparsity, rnd);
        float[] x = randomMatrix(batch, cols, 0.0, rnd);
        SparseKernel k = SparseKernel.fromDense(w, rows, cols);

        float[] y = new float[batch * rows];
        k.multiply(x, batch, y);

        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < rows; o++) {
                double sum = 0;
                double scale = 0;
                for (int i = 0; i < cols; i++) {
                    double p = (double) w[o * cols + i] * x[b * cols + i];
                    sum += p;
                    scale += Math.abs(p);
                }
                double tol = 1e-4 * scale + 1e-30;
                assertTrue(Math.abs(y[b * rows + o] - sum) <= tol,
                        "y[" + b + "][" + o + "] = " + y[b * rows + o] + ", reference " + sum);
            }
        }
    }

    @Test
    void allZeroWeightsStoreNothingAndGiveZeros() {
        SparseKernel k = SparseKernel.fromDense(new float[12], 3, 4);
        float[] y = {7, 7, 7, 7, 7, 7};

        k.multiply(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, y);

        assertEquals(0, k.nnz());
        assertEquals(1.0, k.sparsity());
        assertArrayEquals(new float[6], y);
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            # rows, cols, batch, sparsity
              1000, 700,  1,     0.9
              1000, 700,  8,     0.5
              3,    5000, 17,    0.5
              257,  129,  3,     0.99
            """)
    void multiThreadedEqualsSingleThreadedBitForBit(int rows, int cols, int batch, double sparsity) {
        SplittableRandom rnd = new SplittableRandom(42);
        float[] w = randomMatrix(rows, cols, sparsity, rnd);
        float[] x = randomMatrix(batch, cols, 0.0, rnd);
        SparseKernel k = SparseKernel.fromDense(w, rows, cols);
        float[] single = new float[batch * rows];
        k.multiplySingleThreaded(x, batch, single);

        for (int threads : new int[] {2, 3, 4, 7}) {
            float[] multi = new float[batch * rows];
            k.multiply(x, batch, multi, threads);
            for (int i = 0; i < single.length; i++) {
                assertEquals(Float.floatToRawIntBits(single[i]), Float.floatToRawIntBits(multi[i]),
                        threads + " threads, element " + i);
            }
        }
    }

    @Test
    void mismatchedShapesAreRejectedWithTheSizes() {
        SparseKernel k = SparseKernel.fromDense(new float[6], 2, 3);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> k.multiply(new float[5], 2, new float[4]));

        assertTrue(e.getMessage().contains("5"), e.getMessage());
    }

    @Test
    void perLayerReportsFinitePositiveSpeedupForEachGemmLayer() throws Exception {
        Path file = Fixtures.projectDir().resolve("sample-models/fashion-lenet-300-100/model.onnx");
        Model model = new OnnxReader().read(file);
        Map<String, Mask> masks = new PruningEngine(model)
                .run(PruningConfig.of(GlobalSettings.of(0.9, "magnitude", Allocation.UNIFORM)),
                        ProgressListener.NONE, CancellationToken.NONE)
                .masks();

        List<SparseKernelBench.LayerSpeedup> layers = SparseKernelBench.perLayer(model, masks, 1, 1, 3);

        List<String> gemmWeights = model.tensors().stream()
                .filter(t -> "Gemm".equals(t.op()) && masks.containsKey(t.name()) && t.shape().length == 2
                        && t.elementCount() >= SparseKernelBench.MIN_TIMED_WEIGHTS)
                .map(WeightTensor::name).toList();
        assertEquals(gemmWeights, layers.stream().map(SparseKernelBench.LayerSpeedup::tensor).toList());
        assertTrue(layers.size() >= 1);
        for (SparseKernelBench.LayerSpeedup l : layers) {
            for (SparseKernelBench.Result r : List.of(l.batch1(), l.batch8())) {
                assertTrue(Double.isFinite(r.speedup()) && r.speedup() > 0, l.tensor() + ": " + r);
                assertTrue(r.maxAbsDiff() < 1e-3, l.tensor() + ": " + r);
            }
            assertEquals(1, l.batch1().batch());
            assertEquals(8, l.batch8().batch());
            assertEquals(0.9, l.sparsity(), 0.01, l.tensor());
        }
    }

    @Test
    void noSpeedupIsReportedWithoutZerosOrOnLayersTooSmallToTime() throws Exception {
        Path file = Fixtures.projectDir().resolve("sample-models/fashion-lenet-300-100/model.onnx");
        Model model = new OnnxReader().read(file);
        Map<String, Mask> dense = new PruningEngine(model)
                .run(PruningConfig.of(GlobalSettings.of(0.0, "magnitude", Allocation.UNIFORM)),
                        ProgressListener.NONE, CancellationToken.NONE)
                .masks();
        assertEquals(List.of(), SparseKernelBench.perLayer(model, dense, 1, 1, 3), "0 % zeros: nothing to gain");
        Map<String, Mask> pruned = new PruningEngine(model)
                .run(PruningConfig.of(GlobalSettings.of(0.5, "magnitude", Allocation.UNIFORM)),
                        ProgressListener.NONE, CancellationToken.NONE)
                .masks();
        for (SparseKernelBench.LayerSpeedup l : SparseKernelBench.perLayer(model, pruned, 1, 1, 3)) {
            assertTrue((long) l.rows() * l.cols() >= SparseKernelBench.MIN_TIMED_WEIGHTS, l.tensor());
            assertTrue(l.batch1().javaDenseMedianUs() > 0, "the dense loop is timed too: " + l.batch1());
        }
    }

    private static float[] randomMatrix(int rows, int cols, double sparsity, SplittableRandom rnd) {
        float[] m = new float[rows * cols];
        for (int i = 0; i < m.length; i++) {
            m[i] = rnd.nextDouble() < sparsity ? 0f : (float) rnd.nextGaussian();
        }
        return m;
    }
}
