package org.sparsitybench.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.Masking;

/**
 * Times {@link SparseKernel} against the dense product (ND4J {@code gemm}, OpenBLAS) on the same weights and
 * inputs, as medians after warm-up. Not a test: the figures depend on the machine and its load.
 */
public final class SparseKernelBench {
    /** Untimed runs before the timed ones, so the JIT has compiled the kernel. */
    public static final int DEFAULT_WARMUP = 5;
    public static final int DEFAULT_REPEATS = 11;

    private SparseKernelBench() {
    }

    /**
     * One case: {@code y = x · Wᵀ} for {@code W [rows, cols]}, {@code x [batch, cols]}.
     *
     * @param sparsity       achieved fraction of zeros in {@code W}
     * @param threads        threads asked of both kernels
     * @param blasThreads    threads OpenBLAS reported using for the dense product (-1 when unknown)
     * @param denseMedianUs  median microseconds of the dense product through ND4J (OpenBLAS)
     * @param sparseMedianUs median microseconds of the sparse product
     * @param speedup        {@code min(denseMedianUs, javaDenseMedianUs) / sparseMedianUs}: against the faster
     *                       dense product, so a small layer's gain is not ND4J's per-call cost
     * @param maxAbsDiff     largest absolute difference between the two products
     * @param javaDenseMedianUs median microseconds of a plain dense loop on one thread, timed as the sparse
     *                       kernel is (same harness, no native call)
     */
    public record Result(int rows, int cols, double sparsity, int batch, int threads, int blasThreads,
                         double denseMedianUs, double sparseMedianUs, double speedup, double maxAbsDiff,
                         double javaDenseMedianUs) {
    }

    /** The per-layer sparse-kernel speedup of one pruned Gemm/MatMul weight, at batch 1 and batch 8. */
    public record LayerSpeedup(String tensor, String op, int rows, int cols, double sparsity, Result batch1,
                               Result batch8) {
    }

    /**
     * Times the dense and the sparse product of {@code w} with seeded N(0, 1) inputs.
     *
     * @param w       row-major {@code [rows, cols]} (not modified)
     * @param threads threads for both kernels; OpenBLAS is set to it for the duration and restored after
     */
    public static Result measure(float[] w, int rows, int cols, int batch, int threads, int warmup, int repeats,
                                 long seed) {
        if (batch < 1 || threads < 1 || warmup < 0 || repeats < 1) {
            throw new IllegalArgumentException("batch " + batch + ", threads " + threads + ", warmup " + warmup
                    + ", repeats " + repeats + ": need batch, threads, repeats >= 1 and warmup >= 0");
        }
        SparseKernel sparse = SparseKernel.fromDense(w, rows, cols);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[Math.multiplyExact(batch, cols)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] ySparse = new float[Math.multiplyExact(batch, rows)];
        double[] sparseUs = new double[repeats];
        for (int r = -warmup; r < repeats; r++) {
            long t0 = System.nanoTime();
            sparse.multiply(x, batch, ySparse, threads);
            long t1 = System.nanoTime();
            if (r >= 0) {
                sparseUs[r] = (t1 - t0) / 1e3;
            }
        }

        Blas blas = Nd4j.factory().blas();
        int before = blas.getMaxThreads();
        blas.setMaxThreads(threads);
        int blasThreads = blas.getMaxThreads();
        double[] denseUs = new double[repeats];
        INDArray yDense;
        try {
            INDArray wm = Nd4j.create(w, new long[] {rows, cols}, 'c');
            INDArray xm = Nd4j.create(x, new long[] {batch, cols}, 'c');
            yDense = Nd4j.create(wm.dataType(), new long[] {batch, rows}, 'f');
            for (int r = -warmup; r < repeats; r++) {
                long t0 = System.nanoTime();
                Nd4j.gemm(xm, wm, yDense, false, true, 1.0, 0.0);
                long t1 = System.nanoTime();
                if (r >= 0) {
                    denseUs[r] = (t1 - t0) / 1e3;
                }
            }
        } finally {
            blas.setMaxThreads(before);
        }
        double maxAbsDiff = 0;
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < rows; o++) {
                double d = Math.abs(yDense.getDouble(b, o) - ySparse[b * rows + o]);
                if (!(d <= maxAbsDiff)) { // NaN propagates
                    maxAbsDiff = d;
                }
            }
        }
        float[] yPlain = new float[Math.multiplyExact(batch, rows)];
        double[] plainUs = new double[repeats];
        for (int r = -warmup; r < repeats; r++) {
            long t0 = System.nanoTime();
            denseProduct(w, rows, cols, x, batch, yPlain);
            long t1 = System.nanoTime();
            if (r >= 0) {
                plainUs[r] = (t1 - t0) / 1e3;
            }
        }
        double dense = median(denseUs);
        double plain = median(plainUs);
        double sp = median(sparseUs);
        return new Result(rows, cols, sparse.sparsity(), batch, threads, blasThreads, dense, sp,
                Math.min(dense, plain) / sp, maxAbsDiff, plain);
    }

    /** {@code y[b, o] = Σ_i x[b, i] · w[o, i]}: the dense product as a plain loop (w, x not modified; y modified). */
    private static void denseProduct(float[] w, int rows, int cols, float[] x, int batch, float[] y) {
        for (int b = 0; b < batch; b++) {
            int xb = b * cols;
            for (int o = 0; o < rows; o++) {
                int wo = o * cols;
                float acc = 0f;
                for (int i = 0; i < cols; i++) {
                    acc += x[xb + i] * w[wo + i];
                }
                y[b * rows + o] = acc;
            }
        }
    }

    /**
     * Smallest weight (rows × cols) whose products are timed: below it one product takes a few microseconds, less
     * than the dense call's fixed cost through ND4J, so a "speedup" there measures call overhead, not zeros
     * (a 10×32 Gemm showed 14–52× this way).
     * 16,384 weights take a few microseconds even dense in a plain loop.
     */
    public static final long MIN_TIMED_WEIGHTS = 1L << 14;

    /** {@link #perLayer(Model, Map, int, int, int)} on one thread with the default warm-up and repeats. */
    public static List<LayerSpeedup> perLayer(Model model, Map<String, Mask> masks) {
        return perLayer(model, masks, 1, DEFAULT_WARMUP, DEFAULT_REPEATS);
    }

    /**
     * The sparse-kernel speedup of each masked rank-2 Gemm/MatMul weight, in model order, at batch 1 and 8.
     * Weights stored {@code [in, out]} (Gemm without transB, MatMul) are transposed to {@code [out, in]} first.
     * Only weights that have zeros and at least {@link #MIN_TIMED_WEIGHTS} elements are timed: a speedup at 0 %
     * zeros or on a layer too small to time says nothing about sparsity.
     *
     * @param model the model (not modified)
     * @param masks masks by tensor name (not modified); tensors without one are skipped
     */
    public static List<LayerSpeedup> perLayer(Model model, Map<String, Mask> masks, int threads, int warmup,
                                              int repeats) {
        List<LayerSpeedup> out = new ArrayList<>();
        for (WeightTensor t : model.tensors()) {
            Mask mask = masks.get(t.name());
            long[] shape = t.shape();
            boolean dense2d = "Gemm".equals(t.op()) || "MatMul".equals(t.op());
            if (mask == null || !dense2d || shape.length != 2 || t.elementCount() > TensorData.MAX_ARRAY_ELEMENTS
                    || t.elementCount() < MIN_TIMED_WEIGHTS || mask.prunedCount() == 0) {
                continue;
            }
            float[] stored = Masking.apply(t.data(), mask);
            int d0 = Math.toIntExact(shape[0]);
            int d1 = Math.toIntExact(shape[1]);
            boolean outFirst = t.pruneAxis() == 0;
            int rows = outFirst ? d0 : d1;
            int cols = outFirst ? d1 : d0;
            float[] w = outFirst ? stored : transpose(stored, d0, d1);
            long seed = t.name().hashCode();
            Result b1 = measure(w, rows, cols, 1, threads, warmup, repeats, seed);
            Result b8 = measure(w, rows, cols, 8, threads, warmup, repeats, seed);
            out.add(new LayerSpeedup(t.name(), t.op(), rows, cols, b1.sparsity(), b1, b8));
        }
        return out;
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
