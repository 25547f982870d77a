package org.sparsitybench.eval;

/**
 * One measured configuration of a sweep.
 *
 * @param method           pruning method
 * @param allocation       allocation across layers
 * @param requested        requested sparsity
 * @param achieved         achieved sparsity over the selected layers
 * @param accuracy         top-1 accuracy on the data
 * @param top5             top-5 accuracy
 * @param loss             mean cross-entropy
 * @param latencyMs        median latency of the pruned (dense-stored) model, batch 1, 1 thread
 * @param compactLatencyMs median latency after compaction (structured methods), else NaN
 * @param sparseKernelSpeedup the project's CSR kernel against the dense product over the Gemm/MatMul layers with
 *                         zeros (Σ dense time / Σ sparse time, batch 1, one thread), NaN when not measured
 * @param params           non-zero parameters of the prunable layers
 * @param flops            FLOPs per sample counting kept weights
 * @param fileBytes        size of the written model file
 */
public record SweepPoint(String method, String allocation, double requested, double achieved, double accuracy,
                         double top5, double loss, double latencyMs, double compactLatencyMs, double sparseKernelSpeedup, long params, long flops,
                         long fileBytes) {
}
