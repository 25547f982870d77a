package org.sparsitybench.formats.onnx;

import java.util.List;

/**
 * Where a tensor sits in a ModelProto, so the writer can find the same message again in a builder.
 *
 * @param graphPath steps from the main graph down to the tensor's (sub)graph: each step is
 *                  {node index, attribute index, graph index in a GRAPHS attribute or -1 for a GRAPH attribute}
 * @param kind      which field holds it
 * @param index     initializer / sparse initializer / node index within that graph
 * @param attribute attribute index on the Constant node (kind CONSTANT and CONSTANT_SPARSE only)
 */
record OnnxLocation(List<int[]> graphPath, Kind kind, int index, int attribute) {
    enum Kind { INITIALIZER, SPARSE_INITIALIZER, CONSTANT, CONSTANT_SPARSE }

    OnnxLocation {
        graphPath = List.copyOf(graphPath);
    }

    /** Storage label shown by {@code inspect}. */
    String storageLabel(boolean external) {
        String base = switch (kind) {
            case INITIALIZER -> "initializer";
            case SPARSE_INITIALIZER -> "sparse_initializer";
            case CONSTANT -> "constant";
            case CONSTANT_SPARSE -> "constant_sparse";
        };
        return (graphPath.isEmpty() ? "" : "subgraph ") + base + (external ? " external" : "");
    }
}
