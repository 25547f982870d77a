package org.sparsitybench.prune.mask;

import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.Mask;

/** A mask that keeps everything (an excluded or unpruned layer) or nothing, without holding any bits. */
public record ConstantMask(long size, boolean kept) implements Mask {
    public ConstantMask {
        if (size < 0) {
            throw new IllegalArgumentException("mask size " + size + " < 0");
        }
    }

    public static ConstantMask allKept(long size) {
        return new ConstantMask(size, true);
    }

    @Override
    public boolean isKept(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("element " + index + " of " + size);
        }
        return kept;
    }

    @Override
    public long prunedCount() {
        return kept ? 0 : size;
    }

    @Override
    public BitMask toBitMask() {
        return kept ? BitMask.allKept(size) : BitMask.allPruned(size);
    }
}
