package org.sparsitybench.prune;

import java.io.IOException;
import java.io.OutputStream;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.select.StreamedBits;

/**
 * Which weights of one tensor a pruning keeps. A mask never modifies weights (see {@link Masking}); it is
 * immutable, safe to share between threads, and compares across implementations through {@link #sha256()}.
 *
 * <p>Canonical layout (for {@link #writeTo} and {@link #sha256()}): one bit per element, 1 = kept, element
 * {@code i} at bit {@code i % 8} (least significant first) of byte {@code i / 8}, {@code ceil(size / 8)} bytes,
 * unused bits of the last byte zero; the same bytes as numpy's {@code np.packbits(kept, bitorder='little')}.
 */
public interface Mask {
    /** Number of elements covered. */
    long size();

    /** Whether element {@code index} is kept. May read the tensor for lazy masks; prefer {@link #toBitMask()} in bulk. */
    boolean isKept(long index);

    /** Number of elements pruned. */
    long prunedCount();

    /** Number of elements kept. */
    default long keptCount() {
        return size() - prunedCount();
    }

    /** {@code prunedCount / size}; 0 for an empty mask. */
    default double sparsity() {
        return size() == 0 ? 0.0 : (double) prunedCount() / size();
    }

    /**
     * The kept elements that are zero (either sign) when the mask knows without reading the weights, else -1 (the
     * default). A mask that keeps no zero ({@code 0}) leaves exactly its pruned elements zero in the masked tensor.
     */
    default long keptZeros() {
        return -1;
    }

    /**
     * Bits a writer can compute from the raw values of {@code weights} (not modified) as it streams them out in
     * order, when this mask is a rule on those very values and has no bits yet; null (the default) otherwise.
     * Hand the complete result to {@link #adopt}.
     */
    default StreamedBits streamedBits(TensorData weights) {
        return null;
    }

    /** Takes complete bits from {@link #streamedBits} as this mask's own (the default keeps nothing). */
    default void adopt(StreamedBits streamed) {
    }

    /** The same mask as bits in memory (this, if it already is one). */
    BitMask toBitMask();

    /** Writes the canonical layout to {@code out} (modified: bytes appended; not closed). */
    default void writeTo(OutputStream out) throws IOException {
        toBitMask().writeTo(out);
    }

    /** Lower-case hex SHA-256 of the canonical layout. */
    default String sha256() {
        return toBitMask().sha256();
    }
}
