package org.sparsitybench.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The top-level graph's nodes in file order, with lookups by value name. Empty for weight-only formats.
 *
 * @param nodes   operators in the order the file lists them
 * @param inputs  graph input names that are fed at run time (initializers excluded)
 * @param outputs graph output names
 * @param shapes  declared shapes of graph inputs (and of other values the file annotates), -1 for a symbolic
 *                dimension
 */
public record Graph(List<GraphNode> nodes, List<String> inputs, List<String> outputs, Map<String, long[]> shapes) {
    public static final Graph EMPTY = new Graph(List.of(), List.of(), List.of(), Map.of());

    public Graph {
        nodes = List.copyOf(nodes);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        Map<String, long[]> copy = new HashMap<>();
        shapes.forEach((k, v) -> copy.put(k, v.clone()));
        shapes = Collections.unmodifiableMap(copy);
    }

    /** The declared shape of {@code value}, if the file gives one (a copy). */
    public Optional<long[]> shape(String value) {
        long[] s = shapes.get(value);
        return s == null ? Optional.empty() : Optional.of(s.clone());
    }

    /** Nodes that read {@code value}, in file order. */
    public List<GraphNode> consumers(String value) {
        List<GraphNode> out = new ArrayList<>();
        for (GraphNode n : nodes) {
            if (n.inputs().contains(value)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Map from value name to the nodes consuming it, built once for graph-wide passes. */
    public Map<String, List<GraphNode>> consumerIndex() {
        Map<String, List<GraphNode>> index = new HashMap<>();
        for (GraphNode n : nodes) {
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    index.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
        index.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return index;
    }
}
