package org.sparsitybench.prune.method;

import org.sparsitybench.prune.FeatureNorms;
import org.sparsitybench.prune.LayerInput;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningMethod;
import org.sparsitybench.task.CancellationToken;

/**
 * Wanda as an engine method ({@code "wanda"}): the layer's {@code k} weights are spread over its output rows
 * (equal shares, the first rows one more when {@code k} does not divide), and each row drops its lowest
 * {@code |W_ij|·‖X_j‖₂} (see {@link Wanda}). The norms come with the {@link LayerInput}; without them the
 * method fails instead of guessing.
 */
public final class WandaMethod implements PruningMethod {
    public static final String ID = "wanda";
    public static final WandaMethod INSTANCE = new WandaMethod();

    private WandaMethod() {
    }

    @Override
    public String id() {
        return ID;
    }

    /**
     * @throws IllegalStateException when the layer has no calibration norms
     */
    @Override
    public Mask select(LayerInput layer, long k, CancellationToken cancel) {
        FeatureNorms a = layer.activations();
        if (a == null) {
            throw new IllegalStateException(missing(layer.tensor().name()));
        }
        return Wanda.selectCount(layer.tensor(), a.norms(), a.featureAxis(), k, cancel);
    }

    /** The message for a layer asked to be pruned by Wanda without calibration norms. */
    public static String missing(String tensor) {
        return "method 'wanda' needs calibration activation norms, and layer " + tensor + " has none: give "
                + "calibration data (e.g. --data DATASET --calibration K), or prune that layer with another method";
    }

    @Override
    public String toString() {
        return ID;
    }
}
