package org.sparsitybench.prune;

import java.util.Objects;

/**
 * Calibration statistics of one layer's input, as plain data for activation-aware methods (Wanda): a norm of
 * each input feature over the calibration samples. The evaluation module measures them (running the model in
 * ONNX Runtime: the centred norm ‖X_j − μ_j‖₂, see {@code eval.ActivationNorms}); the engine only reads them.
 *
 * @param norms       the norm per input feature (per input channel for a Conv, over samples and positions); not
 *                    modified by anyone after construction
 * @param featureAxis the weight axis that indexes those features (1 for a Conv or a transB Gemm, 0 for MatMul)
 */
public record FeatureNorms(double[] norms, int featureAxis) {
    public FeatureNorms {
        Objects.requireNonNull(norms, "norms");
        if (featureAxis < 0) {
            throw new IllegalArgumentException("feature axis " + featureAxis + " < 0");
        }
        for (double n : norms) {
            if (!(n >= 0)) {
                throw new IllegalArgumentException("feature norm " + n + " is not a non-negative number");
            }
        }
    }
}
