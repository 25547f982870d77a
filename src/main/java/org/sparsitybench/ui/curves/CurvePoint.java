package org.sparsitybench.ui.curves;

/**
 * One measured configuration as the curves plot it. Any value may be NaN when it was not measured (a sweep
 * without latency runs, a snapshot saved before its evaluation finished); such a point is left out of the charts
 * that need the value.
 *
 * @param sparsity  achieved sparsity, 0 to 1
 * @param accuracy  top-1 accuracy, 0 to 1
 * @param loss      mean cross-entropy
 * @param latencyMs median latency of one batch-1 inference
 */
public record CurvePoint(double sparsity, double accuracy, double loss, double latencyMs) {
}
