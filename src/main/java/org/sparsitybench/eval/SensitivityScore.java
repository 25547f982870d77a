package org.sparsitybench.eval;

/**
 * One number per layer from its sensitivity curve, for ranking layers at a glance (the workbench table's bar):
 * the accuracy lost when the layer alone is pruned to the measured level nearest 50 %.
 */
public final class SensitivityScore {
    /** The level the score is read at. */
    public static final double LEVEL = 0.5;

    private SensitivityScore() {
    }

    /**
     * {@code a(first) − a(nearest to 50 %)}, where {@code a} is a point's accuracy and the first point is
     * the reference (level 0 = dense); 0 for a curve of fewer than two points (nothing measured but the reference).
     *
     * @param curve one layer's measured points (not modified)
     * @return accuracy lost, −1 to 1 (0 = insensitive; negative when pruning the layer gained accuracy, shown as
     *         such rather than hidden as 0)
     */
    public static double dropNearHalf(Sensitivity.LayerCurve curve) {
        if (curve.points().size() < 2) {
            return 0;
        }
        double base = curve.points().get(0).accuracy();
        Sensitivity.Point near = curve.points().get(1);
        for (Sensitivity.Point p : curve.points()) {
            if (Math.abs(p.level() - LEVEL) < Math.abs(near.level() - LEVEL)) {
                near = p;
            }
        }
        return base - near.accuracy();
    }
}
