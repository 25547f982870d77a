package org.sparsitybench.eval;

import java.util.List;

/**
 * Quality of a model on a labelled set.
 *
 * @param accuracy  top-1 accuracy, 0–1
 * @param top5      top-5 accuracy, 0–1 (equals 1 with five or fewer classes)
 * @param loss      mean cross-entropy of the softmax of the outputs, natural log
 * @param samples   samples evaluated
 * @param perClass  accuracy per true class (NaN for a class with no samples)
 * @param confusion counts [true class][predicted class]
 */
public record Evaluation(double accuracy, double top5, double loss, int samples, List<Double> perClass,
                         long[][] confusion) {
}
