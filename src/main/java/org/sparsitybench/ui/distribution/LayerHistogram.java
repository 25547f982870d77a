package org.sparsitybench.ui.distribution;

import org.sparsitybench.prune.stats.WeightHistogram;

/**
 * One layer's histogram and achieved sparsity: a tile of the small multiples.
 *
 * @param name      the tensor's name
 * @param histogram its weights, all and kept
 * @param achieved  the share of its weights zeroed, 0–1
 */
public record LayerHistogram(String name, WeightHistogram histogram, double achieved) {
}
