package org.sparsitybench.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;

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
    /**
     * Puts the figures reports share (batch, threads, medianMs, p10Ms, p90Ms, itemsPerSecond) into {@code o}.
     *
     * @param o modified
     * @return {@code o}
     */
    public ObjectNode putInto(ObjectNode o) {
        return o.put("batch", batch).put("threads", threads).put("medianMs", medianMs).put("p10Ms", p10Ms)
                .put("p90Ms", p90Ms).put("itemsPerSecond", itemsPerSecond);
    }
}
