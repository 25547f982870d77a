package org.sparsitybench.prune.method;

import org.sparsitybench.prune.FeatureNorms;
import org.sparsitybench.prune.LayerInput;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.PruningMethod;
import org.sparsitybench.task.CancellationToken;

/**
 * Wanda as engine methods: every weight scores {@code |W_ij|·‖X_j − μ_j‖₂} (see {@link Wanda}; the calibration
 * gives centred norms, and the pipeline moves the pruned weights' mean contribution into the bias where that scores
 * higher on validation); the methods differ in the group the scores are compared within.
 * <ul>
 *   <li>{@code wanda} (and its older name {@code wanda-layer}): the whole layer, the {@code k} lowest scores of it
 *       ({@code --prune_granularity layer} of the authors' image-classifier code, and the group magnitude compares
 *       within, so the two differ only in the score). A per-row quota forces every filter of a small CNN to keep
 *       the same share, which costs more than the norms gain (fixtures/torch fashion-cnn at 70 %: 42.7 % per row
 *       against 77.3 % per layer, magnitude 65.4 %).</li>
 *   <li>{@code wanda-row}: each output row (the paper's default for language models): the layer's {@code k}
 *       weights are spread over its rows (equal shares, the first rows one more when {@code k} does not divide).</li>
 *   <li>{@code wanda-nm}: each group of M consecutive inputs of a row keeps its N highest scores (the
 *       configuration's N:M pattern), so {@code k} is fixed by the pattern as for {@code nm}.</li>
 * </ul>
 * The norms come with the {@link LayerInput}; without them the method fails instead of guessing. Stateless.
 */
public final class WandaMethod implements PruningMethod {
    public static final String ID = "wanda";
    public static final String LAYER_ID = "wanda-layer";
    public static final String ROW_ID = "wanda-row";
    public static final String NM_ID = "wanda-nm";
    /** Scores compared within the whole layer. */
    public static final WandaMethod INSTANCE = new WandaMethod(ID);
    /** {@link #INSTANCE} under its older name. */
    public static final WandaMethod LAYER = new WandaMethod(LAYER_ID);
    /** Scores compared within each output row. */
    public static final WandaMethod ROW = new WandaMethod(ROW_ID);
    /** Scores compared within each group of M inputs (the configuration's N:M pattern). */
    public static final WandaMethod NM = new WandaMethod(NM_ID);

    private final String id;

    private WandaMethod(String id) {
        this.id = id;
    }

    /** Whether {@code id} names one of the Wanda methods (they all need calibration norms). */
    public static boolean isWanda(String id) {
        return ID.equals(id) || LAYER_ID.equals(id) || ROW_ID.equals(id) || NM_ID.equals(id);
    }

    @Override
    public String id() {
        return id;
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
        return switch (id) {
            case ID, LAYER_ID -> Wanda.selectLayer(layer.tensor(), a.norms(), a.featureAxis(), k, cancel);
            case NM_ID -> {
                if (k == 0) {
                    yield org.sparsitybench.prune.BitMask.allKept(layer.size()); // a dense request stays dense
                }
                int[] nm = NmPattern.parse(layer.nmPattern());
                yield NmPattern.select(layer.tensor(), nm[0], nm[1],
                        Wanda.scores(layer.tensor(), a.norms(), a.featureAxis()), cancel);
            }
            case ROW_ID -> Wanda.selectCount(layer.tensor(), a.norms(), a.featureAxis(), k, cancel);
            default -> throw new IllegalStateException("unknown Wanda method " + id);
        };
    }

    /** The message for a layer asked to be pruned by Wanda without calibration norms. */
    public static String missing(String tensor) {
        return "method 'wanda' needs calibration activation norms, and layer " + tensor + " has none: give "
                + "calibration data (e.g. --data DATASET --calibration K), or prune that layer with another method";
    }

    @Override
    public String toString() {
        return id;
    }
}
