package org.sparsitybench.model;

import java.util.List;
import java.util.Optional;

/**
 * The tensors one operator (ONNX node) or module (SafeTensors path prefix) owns, in file order.
 *
 * @param name    node name or module path
 * @param op      operator type, "" when the format does not say
 * @param tensors its tensors
 */
public record Layer(String name, String op, List<WeightTensor> tensors) {
    public Layer {
        tensors = List.copyOf(tensors);
    }

    /** The first prunable tensor: the layer's weight in the engine's sense. */
    public Optional<WeightTensor> prunableWeight() {
        return tensors.stream().filter(WeightTensor::prunable).findFirst();
    }

    public long params() {
        return tensors.stream().mapToLong(WeightTensor::elementCount).sum();
    }
}
