package org.sparsitybench.prune.reconstruct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.task.CancellationToken;

class SparseGptTest {
    /** Correlated inputs (a random mixing of fewer latent factors), where reconstruction has something to gain. */
    static double[] inputs(int n, int cols, long seed) {
        Random rnd = new Random(seed);
        int latent = Math.max(2, cols / 2);
        double[] mix = new double[latent * cols];
        for (int i = 0; i < mix.length; i++) {
            mix[i] = rnd.nextGaussian();
        }
        double[] x = new double[n * cols];
        double[] z = new double[latent];
        for (int s = 0; s < n; s++) {
            for (int l = 0; l < latent; l++) {
                z[l] = rnd.nextGaussian();
            }
            for (int c = 0; c < cols; c++) {
                double v = 0.1 * rnd.nextGaussian();
                for (int l = 0; l < latent; l++) {
                    v += z[l] * mix[l * cols + c];
                }
                x[s * cols + c] = v;
            }
        }
        return x;
    }

    static double[] weights(int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        double[] w = new double[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextGaussian();
        }
        return w;
    }

    static double[] hessian(double[] x, int n, int cols) {
        Hessian h = new Hessian(cols);
        h.add(x, n);
        return h.matrix();
    }

    static double[] magnitude(double[] w, long k) {
        Integer[] order = new Integer[w.length];
        for (int i = 0; i < w.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(Math.abs(w[a]), Math.abs(w[b])));
        double[] out = w.clone();
        for (int i = 0; i < k; i++) {
            out[order[i]] = 0;
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"64, 300, 0.5, 128", "32, 200, 0.7, 64", "20, 150, 0.3, 16"})
    void prunesExactlyTheRequestedCountAndBeatsMagnitude(int rows, int cols, double s, int block) {
        double[] x = inputs(200, cols, 1);
        double[] w = weights(rows, cols, 2);
        double[] h = hessian(x, 200, cols);
        long k = Math.round(s * rows * cols);
        SparseGpt.Result r = SparseGpt.prune(w, rows, cols, h, new SparseGpt.Count(k), new SparseGpt.Settings(block, 0.01),
                CancellationToken.NONE);
        assertEquals(k, r.prunedCount());
        for (int i = 0; i < w.length; i++) {
            if (r.pruned()[i]) {
                assertEquals(0.0, r.weights()[i]);
            }
        }
        double sgpt = ReconstructionError.relative(w, r.weights(), rows, cols, h);
        double mag = ReconstructionError.relative(w, magnitude(w, k), rows, cols, h);
        assertTrue(sgpt < mag, "SparseGPT " + sgpt + " vs magnitude " + mag);
    }

    @Test
    void nmKeepsNOfEveryMInEachRowWithinSegments() {
        int rows = 6;
        int cols = 30; // 3 segments of 10: groups 4, 4, 2 each
        double[] x = inputs(100, cols, 3);
        double[] w = weights(rows, cols, 4);
        SparseGpt.Result r = SparseGpt.prune(w, rows, cols, hessian(x, 100, cols), new SparseGpt.NM(2, 4, 10),
                new SparseGpt.Settings(7, 0.01), CancellationToken.NONE);
        for (int row = 0; row < rows; row++) {
            for (int seg = 0; seg < 3; seg++) {
                int[][] groups = {{0, 4}, {4, 8}, {8, 10}};
                for (int[] g : groups) {
                    int kept = 0;
                    for (int c = seg * 10 + g[0]; c < seg * 10 + g[1]; c++) {
                        kept += r.pruned()[row * cols + c] ? 0 : 1;
                    }
                    assertEquals(2, kept, "row " + row + " segment " + seg + " group " + g[0]);
                }
            }
        }
        assertEquals(rows * 3 * 4, r.prunedCount());
    }

    @Test
    void nothingPrunedLeavesWeightsUnchanged() {
        double[] x = inputs(50, 12, 5);
        double[] w = weights(4, 12, 6);
        SparseGpt.Result r = SparseGpt.prune(w, 4, 12, hessian(x, 50, 12), new SparseGpt.Count(0), SparseGpt.Settings.DEFAULT,
                CancellationToken.NONE);
        assertArrayEquals(w, r.weights(), 1e-12);
    }

    @Test
    void deadInputsAreZeroedAndTheFailedFactorisationRaisesDamping() {
        int cols = 6;
        double[] x = inputs(40, cols, 7);
        for (int s = 0; s < 40; s++) {
            x[s * cols + 2] = 0; // input 2 never fires
            x[s * cols + 4] = x[s * cols + 3]; // inputs 3 and 4 identical: H singular without damping
        }
        double[] w = weights(3, cols, 8);
        SparseGpt.Result r = SparseGpt.prune(w, 3, cols, hessian(x, 40, cols), new SparseGpt.Count(6),
                new SparseGpt.Settings(128, 1e-17), CancellationToken.NONE);
        for (int row = 0; row < 3; row++) {
            assertEquals(0.0, r.weights()[row * cols + 2]);
        }
        assertTrue(r.percDamp() > 1e-300, "damping raised: " + r.percDamp());
    }

    @Test
    void leastSquaresOnAFixedMaskLowersTheErrorAndKeepsTheMask() {
        int rows = 10;
        int cols = 24;
        double[] x = inputs(150, cols, 9);
        double[] w = weights(rows, cols, 10);
        double[] h = hessian(x, 150, cols);
        double[] masked = magnitude(w, 170);
        boolean[] pruned = new boolean[w.length];
        for (int i = 0; i < w.length; i++) {
            pruned[i] = masked[i] == 0;
        }
        MaskedLeastSquares.Result r = MaskedLeastSquares.solve(w, rows, cols, h, pruned, 0.01, CancellationToken.NONE);
        for (int i = 0; i < w.length; i++) {
            if (pruned[i]) {
                assertEquals(0.0, r.weights()[i]);
            }
        }
        double before = ReconstructionError.relative(w, masked, rows, cols, h);
        double after = ReconstructionError.relative(w, r.weights(), rows, cols, h);
        assertTrue(after < before, "least squares " + after + " vs mask only " + before);
    }

    @Test
    void leastSquaresWithNothingPrunedReturnsTheWeights() {
        double[] x = inputs(60, 8, 11);
        double[] w = weights(3, 8, 12);
        MaskedLeastSquares.Result r = MaskedLeastSquares.solve(w, 3, 8, hessian(x, 60, 8), new boolean[24], 0.01,
                CancellationToken.NONE);
        assertArrayEquals(w, r.weights(), 1e-9);
    }

    @Test
    void errorFromHessianEqualsTheErrorOnTheInputs() {
        int rows = 3;
        int cols = 5;
        double[] x = inputs(20, cols, 13);
        double[] w = weights(rows, cols, 14);
        double[] p = magnitude(w, 7);
        double num = 0;
        double den = 0;
        for (int s = 0; s < 20; s++) {
            for (int r = 0; r < rows; r++) {
                double y = 0;
                double yp = 0;
                for (int c = 0; c < cols; c++) {
                    y += x[s * cols + c] * w[r * cols + c];
                    yp += x[s * cols + c] * p[r * cols + c];
                }
                num += (y - yp) * (y - yp);
                den += y * y;
            }
        }
        assertEquals(num / den, ReconstructionError.relative(w, p, rows, cols, hessian(x, 20, cols)), 1e-12);
    }

    @Test
    void towardsTheDenseOutputWithUnchangedInputsIsThePlainSolveAndLowersTheDenseError() {
        int rows = 6;
        int cols = 20;
        double[] x = inputs(120, cols, 15);
        double[] w = weights(rows, cols, 16);
        double[] masked = magnitude(w, 60);
        boolean[] pruned = new boolean[w.length];
        for (int i = 0; i < w.length; i++) {
            pruned[i] = masked[i] == 0;
        }
        Hessian same = new Hessian(cols);
        same.addPair(x, x, 120);
        double[] plain = MaskedLeastSquares.solve(w, rows, cols, same.matrix(), pruned, 0.01, CancellationToken.NONE).weights();
        double[] towards = MaskedLeastSquares.solve(w, rows, cols, same.matrix(), same.cross(), pruned, 0.01,
                CancellationToken.NONE).weights();
        assertArrayEquals(plain, towards, 1e-9);
        assertEquals(ReconstructionError.relative(w, masked, rows, cols, same.matrix()),
                ReconstructionError.againstDense(w, masked, rows, cols, same.matrix(), same.cross(), same.denseMatrix()), 1e-9);

        // Inputs perturbed as an earlier pruned layer would: solving towards the dense output beats the mask.
        double[] xs = x.clone();
        Random rnd = new Random(17);
        for (int i = 0; i < xs.length; i++) {
            xs[i] += 0.3 * rnd.nextGaussian();
        }
        Hessian pair = new Hessian(cols);
        pair.addPair(xs, x, 120);
        double[] solved = MaskedLeastSquares.solve(w, rows, cols, pair.matrix(), pair.cross(), pruned, 0.01,
                CancellationToken.NONE).weights();
        double before = ReconstructionError.againstDense(w, masked, rows, cols, pair.matrix(), pair.cross(), pair.denseMatrix());
        double after = ReconstructionError.againstDense(w, solved, rows, cols, pair.matrix(), pair.cross(), pair.denseMatrix());
        assertTrue(after < before, after + " vs " + before);
    }

    /**
     * Issue 20 item 9 for SparseGPT over several blocks: zeros that arrived in W crowd the first block. With the
     * block shares proportional to columns, that block kept (and the error spread then moved) zeros while later
     * blocks pruned non-zeros to make up the count; now every arrived zero is pruned and the rest of the count is
     * spread over the other weights.
     */
    @Test
    void zerosThatArrivedArePrunedFirstInEveryBlock() {
        int rows = 16;
        int cols = 300; // blocks of 128: [0, 128), [128, 256), [256, 300)
        double[] w = weights(rows, cols, 11);
        boolean[] arrived = new boolean[w.length];
        long zeros = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < 100; c++) {
                w[r * cols + c] = 0;
                arrived[r * cols + c] = true;
                zeros++;
            }
        }
        double[] x = inputs(400, cols, 12);
        long k = Math.round(0.4 * w.length); // 1,920 to prune; 1,600 arrived as zeros
        SparseGpt.Result r = SparseGpt.prune(w, rows, cols, hessian(x, 400, cols), new SparseGpt.Count(k, arrived),
                SparseGpt.Settings.DEFAULT, CancellationToken.NONE);
        long pruned = 0;
        for (int i = 0; i < w.length; i++) {
            if (arrived[i]) {
                assertTrue(r.pruned()[i], "an arrived zero at " + i + " is pruned, not kept and moved");
                assertEquals(0.0, r.weights()[i]);
            }
            pruned += r.pruned()[i] ? 1 : 0;
        }
        assertEquals(k, pruned, "the count is met exactly");
        assertTrue(zeros < k);
    }

}
