package org.sparsitybench.eval;

/**
 * Timed inference of one batch size on one thread count.
 *
 * @param batch           samples per run
 * @param threads         intra-op threads (0 = ONNX Runtime's default)
 * @param medianMs        median wall time of one run
 * @param p10Ms           10th percentile
 * @param p90Ms           90th percentile
 * @param itemsPerSecond  batch / median
 * @param sessionCreateMs time to create the session, measured separately
 * @param runs            timed runs (after warm-up)
 */
public record Latency(int batch, int threads, double medianMs, double p10Ms, double p90Ms, double itemsPerSecond,
                      double sessionCreateMs, int runs) {
}
