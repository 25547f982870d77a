package org.sparsitybench.eval;

import java.util.Map;
import org.sparsitybench.formats.onnx.OnnxWriter;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Mask;

/**
 * What a pruned model costs on disk before it is written: the dense size, and the size with sparse storage
 * for the tensors it makes smaller.
 *
 * @param denseBytes  {@code Σ max(1, bytes per element) · elements} over every tensor
 * @param sparseBytes the same sum, with {@code min(dense, kept · (value bytes + 8))} (values plus int64 indices,
 *                    {@link OnnxWriter#sparseInitializerBytes}) for each tensor whose mask prunes something
 */
public record StorageEstimate(long denseBytes, long sparseBytes) {
    /**
     * @param model the model (not modified)
     * @param masks masks by tensor name (not modified); a tensor without one stays dense
     */
    public static StorageEstimate of(Model model, Map<String, ? extends Mask> masks) {
        long dense = 0;
        long sparse = 0;
        for (WeightTensor t : model.tensors()) {
            long size = (long) Math.max(1, t.dtype().byteSize()) * t.elementCount();
            dense += size;
            Mask mask = masks.get(t.name());
            sparse += mask == null || mask.prunedCount() == 0 ? size
                    : Math.min(size, OnnxWriter.sparseInitializerBytes(mask.keptCount(), t.dtype()));
        }
        return new StorageEstimate(dense, sparse);
    }
}
