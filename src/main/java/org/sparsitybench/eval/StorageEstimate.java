package org.sparsitybench.eval;

import java.util.Map;
import org.sparsitybench.formats.onnx.OnnxWriter;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Mask;

/**
 * The bytes a model's tensors take dense and with ONNX sparse storage, from the masks alone (no pass over the
 * data): what the window's totals show and what {@code prune} suggests when its output grew. Stateless.
 *
 * @param denseBytes          Σ elements × element size over every tensor
 * @param sparseStorageBytes  the same with each pruned tensor stored as a {@code sparse_initializer} where that is
 *                            smaller: kept values plus one int64 index each ({@link OnnxWriter#sparseInitializerBytes})
 */
public record StorageEstimate(long denseBytes, long sparseStorageBytes) {
    /**
     * @param model the model (not modified)
     * @param masks masks by tensor name (not modified); tensors without one count dense
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

    /** What {@code --sparse-storage} would save on a file of {@code fileBytes}: the tensors' saving, subtracted. */
    public long fileBytesWithSparseStorage(long fileBytes) {
        return fileBytes - (denseBytes - sparseStorageBytes);
    }
}
