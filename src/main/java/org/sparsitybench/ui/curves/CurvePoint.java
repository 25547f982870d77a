package org.sparsitybench.ui.curves;

/**
 * One measured configuration as the curves plot it. Any value may be NaN when it was not measured (a sweep
 * without latency runs, a snapshot saved before its evaluation finished); such a point is left out of the charts
 * that need the value.
 *
 * @param sparsity     achieved sparsity, 0 to 1
 * @param accuracy     top-1 accuracy, 0 to 1
 * @param loss         mean cross-entropy
 * @param latencyMs    median latency of one batch-1 inference
 * @param latencyP10Ms 10th percentile of the timed runs behind the median, NaN when unknown
 * @param latencyP90Ms 90th percentile, NaN when unknown
 */
public record CurvePoint(double sparsity, double accuracy, double loss, double latencyMs, double latencyP10Ms,
                         double latencyP90Ms) {
    /** A point whose latency spread is unknown. */
    public CurvePoint(double sparsity, double accuracy, double loss, double latencyMs) {
        this(sparsity, accuracy, loss, latencyMs, Double.NaN, Double.NaN);
    }

    /** Whether the latency comes with its spread (both percentiles finite). */
    public boolean hasSpread() {
        return Double.isFinite(latencyP10Ms) && Double.isFinite(latencyP90Ms);
    }

    /** Low end of the latency's noise band: the 10th percentile, or the median when the spread is unknown. */
    public double latencyLowMs() {
        return hasSpread() ? Math.min(latencyP10Ms, latencyMs) : latencyMs;
    }

    /** High end of the latency's noise band: the 90th percentile, or the median when the spread is unknown. */
    public double latencyHighMs() {
        return hasSpread() ? Math.max(latencyP90Ms, latencyMs) : latencyMs;
    }
}
