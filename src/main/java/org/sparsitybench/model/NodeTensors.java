package org.sparsitybench.model;

import java.util.List;

/**
 * The tensors one operator (ONNX node) or module (SafeTensors path prefix) owns, in file order. Not a prunable
 * layer in the engine's sense (that is one prunable {@link WeightTensor}, configured by
 * {@code prune.LayerSettings}).
 *
 * @param name    node name or module path
 * @param op      operator type, "" when the format does not say
 * @param tensors its tensors
 */
public record NodeTensors(String name, String op, List<WeightTensor> tensors) {
    public NodeTensors {
        tensors = List.copyOf(tensors);
    }

    /** Elements of all its tensors. */
    public long params() {
        return tensors.stream().mapToLong(WeightTensor::elementCount).sum();
    }
}
