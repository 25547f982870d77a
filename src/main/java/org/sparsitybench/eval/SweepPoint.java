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
 * @param latencySpread    10th and 90th percentile of the runs behind {@code latencyMs}, or null when not measured
 * @param compactSpread    10th and 90th percentile behind {@code compactLatencyMs}, or null
 * @param recoveryEpochs   0 for a one-shot point (pruned, measured); N when the pruned model was then fine-tuned
 *                         for N epochs on the train split with its masks fixed (best epoch by validation) before it
 *                         was measured
 */
public record SweepPoint(String method, String allocation, double requested, double achieved, double accuracy,
                         double top5, double loss, double latencyMs, double compactLatencyMs, double sparseKernelSpeedup, long params, long flops,
                         long fileBytes, Spread latencySpread, Spread compactSpread, int recoveryEpochs) {
    public SweepPoint {
        if (recoveryEpochs < 0) {
            throw new IllegalArgumentException("recovery epochs " + recoveryEpochs + " < 0");
        }
    }

    /**
     * The spread of a timed median: its runs' 10th and 90th percentile. Two latencies whose spreads overlap are
     * within noise of each other.
     *
     * @param p10Ms 10th percentile
     * @param p90Ms 90th percentile
     * @param runs  timed runs
     */
    public record Spread(double p10Ms, double p90Ms, int runs) {
        /** The spread of {@code l}'s runs; null for null. */
        public static Spread of(Latency l) {
            return l == null ? null : new Spread(l.p10Ms(), l.p90Ms(), l.runs());
        }
    }

    /** A one-shot point with the latencies' spread. */
    public SweepPoint(String method, String allocation, double requested, double achieved, double accuracy,
                      double top5, double loss, double latencyMs, double compactLatencyMs, double sparseKernelSpeedup,
                      long params, long flops, long fileBytes, Spread latencySpread, Spread compactSpread) {
        this(method, allocation, requested, achieved, accuracy, top5, loss, latencyMs, compactLatencyMs,
                sparseKernelSpeedup, params, flops, fileBytes, latencySpread, compactSpread, 0);
    }

    /** A one-shot point without the latencies' spread (tests, older callers). */
    public SweepPoint(String method, String allocation, double requested, double achieved, double accuracy,
                      double top5, double loss, double latencyMs, double compactLatencyMs, double sparseKernelSpeedup,
                      long params, long flops, long fileBytes) {
        this(method, allocation, requested, achieved, accuracy, top5, loss, latencyMs, compactLatencyMs,
                sparseKernelSpeedup, params, flops, fileBytes, null, null, 0);
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
