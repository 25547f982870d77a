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
 * @param recoveryEpochs   0 for a one-shot point (pruned, measured); N when the pruned model was then fine-tuned
 *                         for N epochs on the train split with its masks fixed (best epoch by validation) before it
 *                         was measured
 */
public record SweepPoint(String method, String allocation, double requested, double achieved, double accuracy,
                         double top5, double loss, double latencyMs, double compactLatencyMs, double sparseKernelSpeedup, long params, long flops,
                         long fileBytes, int recoveryEpochs) {
    public SweepPoint {
        if (recoveryEpochs < 0) {
            throw new IllegalArgumentException("recovery epochs " + recoveryEpochs + " < 0");
        }
    }

    /** A one-shot point. */
    public SweepPoint(String method, String allocation, double requested, double achieved, double accuracy,
                      double top5, double loss, double latencyMs, double compactLatencyMs, double sparseKernelSpeedup,
                      long params, long flops, long fileBytes) {
        this(method, allocation, requested, achieved, accuracy, top5, loss, latencyMs, compactLatencyMs,
                sparseKernelSpeedup, params, flops, fileBytes, 0);
    }

    /** Whether the point was fine-tuned after pruning. */
    public boolean recovered() {
        return recoveryEpochs > 0;
    }

    /**
     * The series this point belongs to: the method, and for a recovered point
     * "{@code METHOD + recovery (N ep)}".
     */
    public String series() {
        return recovered() ? method + " + recovery (" + recoveryEpochs + " ep)" : method;
    }
}
