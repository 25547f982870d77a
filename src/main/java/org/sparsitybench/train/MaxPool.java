package org.sparsitybench.train;

/** Max pooling over non-overlapping 2×2 windows (stride 2, no padding; odd edges are dropped, as ONNX does). */
public final class MaxPool extends Pool2d {
    public MaxPool(String name) {
        super(name, true, new Window2d(2, 2, 2, 2, 0, 0, 0, 0, 1, 1), false);
    }
}
