package org.sparsitybench.model;

import java.util.List;
import java.util.Map;

/**
 * One operator of a computation graph, as structured pruning needs it: what it computes and what it connects.
 *
 * @param name       node name (unique; generated from op and index when the file leaves it empty)
 * @param opType     operator, e.g. "Conv", "Gemm", "Add"
 * @param inputs     input value names in order ("" for an omitted optional input)
 * @param outputs    output value names
 * @param attributes scalar and list attributes: Long, Double, String, long[], double[]; subgraphs left out
 */
public record GraphNode(String name, String opType, List<String> inputs, List<String> outputs,
                        Map<String, Object> attributes) {
    public GraphNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = Map.copyOf(attributes);
    }

    /** An integer attribute, or {@code fallback} when absent. */
    public long intAttribute(String key, long fallback) {
        Object v = attributes.get(key);
        return v instanceof Long l ? l : fallback;
    }

    /** The input at {@code index}, or "" when the node has fewer inputs. */
    public String input(int index) {
        return index < inputs.size() ? inputs.get(index) : "";
    }
}
