package org.sparsitybench.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded model: where it came from, its tensors in file order, its graph (ONNX) and metadata. Immutable;
 * tensor values stay in the file until read. {@link #source()} carries what the format's writer needs to put
 * the model back together unchanged but for the tensors it is asked to replace.
 */
public final class Model {
    private final ModelFormat format;
    private final Path file;
    private final List<WeightTensor> tensors;
    private final Map<String, WeightTensor> byName;
    private final Graph graph;
    private final Map<String, String> metadata;
    private final Object source;

    public Model(ModelFormat format, Path file, List<WeightTensor> tensors, Graph graph,
                 Map<String, String> metadata, Object source) {
        this.format = Objects.requireNonNull(format, "format");
        this.file = Objects.requireNonNull(file, "file");
        this.tensors = List.copyOf(tensors);
        Map<String, WeightTensor> index = new LinkedHashMap<>();
        for (WeightTensor t : this.tensors) {
            if (index.put(t.name(), t) != null) {
                throw new IllegalArgumentException("duplicate tensor name " + t.name());
            }
        }
        this.byName = Collections.unmodifiableMap(index);
        this.graph = Objects.requireNonNull(graph, "graph");
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.source = source;
    }

    public ModelFormat format() {
        return format;
    }

    public Path file() {
        return file;
    }

    public List<WeightTensor> tensors() {
        return tensors;
    }

    public Optional<WeightTensor> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<WeightTensor> prunableTensors() {
        return tensors.stream().filter(WeightTensor::prunable).toList();
    }

    public Graph graph() {
        return graph;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Format-specific state for the writer; opaque to everything else. */
    public Object source() {
        return source;
    }

    /** Tensors grouped by owning node or module, in order of first appearance. */
    public List<NodeTensors> nodeTensors() {
        Map<String, List<WeightTensor>> groups = new LinkedHashMap<>();
        Map<String, String> ops = new LinkedHashMap<>();
        for (WeightTensor t : tensors) {
            String key = t.node().isEmpty() ? t.name() : t.node();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
            ops.putIfAbsent(key, t.op());
        }
        List<NodeTensors> nodes = new ArrayList<>(groups.size());
        groups.forEach((k, v) -> nodes.add(new NodeTensors(k, ops.get(k), v)));
        return nodes;
    }

    public long totalParams() {
        return tensors.stream().mapToLong(WeightTensor::elementCount).sum();
    }

    public long prunableParams() {
        return tensors.stream().filter(WeightTensor::prunable).mapToLong(WeightTensor::elementCount).sum();
    }
}
