package org.sparsitybench.prune.reconstruct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sparsitybench.task.CancellationToken;

/**
 * {@link MaskedLeastSquares#towardsDense}: the weights that give the dense layer's output from drifted inputs, and
 * SparseGPT run on them (what {@code org.sparsitybench.eval.Reconstruction} does) against SparseGPT on the dense
 * weights, measured by the output error against the dense layer on the dense inputs.
 */
class TowardsDenseTest {
    private static final int N = 400;
    private static final int COLS = 24;
    private static final int ROWS = 10;

    /** ‖X_d Wᵀ − X Vᵀ‖² over the samples. */
    private static double outputError(double[] xd, double[] x, double[] w, double[] v) {
        double e = 0;
        for (int s = 0; s < N; s++) {
            for (int r = 0; r < ROWS; r++) {
                double a = 0;
                double b = 0;
                for (int c = 0; c < COLS; c++) {
                    a += xd[s * COLS + c] * w[r * COLS + c];
                    b += x[s * COLS + c] * v[r * COLS + c];
                }
                e += (a - b) * (a - b);
            }
        }
        return e;
    }

    private static Hessian pair(double[] x, double[] xd) {
        Hessian h = new Hessian(COLS);
        h.addPair(x, xd, N);
        return h;
    }

    @Test
    void unchangedInputsGiveTheWeightsBackAndDriftedOnesAreCompensated() {
        double[] xd = SparseGptTest.inputs(N, COLS, 3);
        double[] w = SparseGptTest.weights(ROWS, COLS, 4);
        Hessian same = pair(xd, xd);
        double[] v = MaskedLeastSquares.towardsDense(w, ROWS, COLS, same.matrix(), same.cross(), 0.01).weights();
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], v[i], 1e-9 * (1 + Math.abs(w[i])), "C = H gives W back at " + i);
        }
        // Drift: the pruned model's inputs are a distorted copy of the dense ones (scaled, mixed, shifted).
        Random rnd = new Random(5);
        double[] x = new double[xd.length];
        for (int s = 0; s < N; s++) {
            for (int c = 0; c < COLS; c++) {
                x[s * COLS + c] = 0.7 * xd[s * COLS + c] + 0.3 * xd[s * COLS + (c + 1) % COLS] + 0.05 * rnd.nextGaussian();
            }
        }
        Hessian drift = pair(x, xd);
        double[] h = drift.matrix();
        double[] vd = MaskedLeastSquares.towardsDense(w, ROWS, COLS, h, drift.cross(), 0.01).weights();
        assertTrue(outputError(xd, x, w, vd) < 0.05 * outputError(xd, x, w, w),
                "V " + outputError(xd, x, w, vd) + " vs W " + outputError(xd, x, w, w));
        // SparseGPT at 60 % on V beats SparseGPT on W, both measured against the dense output.
        SparseGpt.Count k = new SparseGpt.Count(Math.round(0.6 * w.length));
        double[] onV = SparseGpt.prune(vd, ROWS, COLS, h, k, SparseGpt.Settings.DEFAULT, CancellationToken.NONE).weights();
        double[] onW = SparseGpt.prune(w, ROWS, COLS, h, k, SparseGpt.Settings.DEFAULT, CancellationToken.NONE).weights();
        assertTrue(outputError(xd, x, w, onV) < outputError(xd, x, w, onW),
                "SparseGPT towards the dense output " + outputError(xd, x, w, onV) + " vs towards XWᵀ "
                        + outputError(xd, x, w, onW));
    }
}
