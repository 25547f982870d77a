package org.sparsitybench.tools.bench.large;

/**
 * What {@code bench large} was asked for, validated.
 *
 * @param params    approximate number of weights to generate
 * @param dtypeCode SafeTensors dtype of the generated checkpoint: {@code BF16}, {@code F16} or {@code F32}
 * @param sparsity  global target sparsity
 * @param repeats   timed repeats of the read and the threshold
 * @param seed      seed of the generated weights
 */
record LargeSettings(double params, String dtypeCode, double sparsity, int repeats, long seed) {
}
