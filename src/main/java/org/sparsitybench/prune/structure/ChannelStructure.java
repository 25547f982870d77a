package org.sparsitybench.prune.structure;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sparsitybench.model.Graph;
import org.sparsitybench.model.GraphNode;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;

/**
 * Which tensors follow each prunable layer's output channels through the graph, and which layers' channels are
 * coupled. Computed once per model from the main graph: from every Conv/Gemm/MatMul weight it walks forward
 * through channel-preserving ops (activations that map 0 to 0, BatchNorm, pooling, depthwise Conv, Flatten,
 * per-channel constants) to the consumers whose input channels shrink (Conv, Gemm, MatMul), joining layers
 * that meet at {@code Add}/{@code Sub}/{@code Mul}/{@code Div}. Anything it cannot rewrite safely (a Reshape,
 * a Concat, an activation with f(0) ≠ 0, an unknown op) marks the group as refused, naming the node.
 */
public final class ChannelStructure {
    private static final Set<String> ZERO_PRESERVING = Set.of("Relu", "LeakyRelu", "PRelu", "Tanh", "Elu", "Selu",
            "Celu", "Gelu", "HardSwish", "Mish", "Softsign", "Identity", "Dropout", "Clip", "Neg", "Abs", "Sign",
            "ThresholdedRelu", "Erf", "Sin", "Asinh", "Atan", "Tan", "Sinh");
    private static final Set<String> POOLS = Set.of("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
            "LpPool", "GlobalLpPool");
    private static final Set<String> JOINS = Set.of("Add", "Sub", "Mul", "Div");
    private static final Set<String> SUBTRACTIVE = Set.of("Add", "Sub");

    private final List<ChannelGroup> groups;
    private final Map<String, ChannelGroup> bySource;

    private ChannelStructure(List<ChannelGroup> groups) {
        this.groups = List.copyOf(groups);
        Map<String, ChannelGroup> index = new HashMap<>();
        for (ChannelGroup g : groups) {
            for (String s : g.sources()) {
                index.put(s, g);
            }
        }
        this.bySource = Map.copyOf(index);
    }

    public List<ChannelGroup> groups() {
        return groups;
    }

    /** The group whose channels the prunable weight {@code tensor} produces. */
    public Optional<ChannelGroup> groupOf(String tensor) {
        return Optional.ofNullable(bySource.get(tensor));
    }

    /** Analyses {@code model}'s main graph (model not modified). Weight-only formats give no groups. */
    public static ChannelStructure analyze(Model model) {
        return new Analysis(model).run();
    }

    private static final class Analysis {
        private final Model model;
        private final Graph graph;
        private final Map<String, List<GraphNode>> consumers;
        private final Set<String> outputs;

        Analysis(Model model) {
            this.model = model;
            this.graph = model.graph();
            this.consumers = graph.consumerIndex();
            this.outputs = new HashSet<>(graph.outputs());
        }

        private Optional<WeightTensor> constant(String name) {
            return model.tensor(name).filter(t -> !t.storage().startsWith("subgraph"));
        }

        ChannelStructure run() {
            List<Trace> traces = new ArrayList<>();
            for (GraphNode n : graph.nodes()) {
                source(n).ifPresent(traces::add);
            }
            // Union sources that meet at a join node.
            int[] parent = new int[traces.size()];
            for (int i = 0; i < parent.length; i++) {
                parent[i] = i;
            }
            Map<String, Integer> joinOwner = new HashMap<>();
            for (int i = 0; i < traces.size(); i++) {
                for (String join : traces.get(i).joins) {
                    Integer other = joinOwner.putIfAbsent(join, i);
                    if (other != null) {
                        union(parent, other, i);
                    }
                }
            }
            Map<Integer, List<Trace>> sets = new LinkedHashMap<>();
            for (int i = 0; i < traces.size(); i++) {
                sets.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(traces.get(i));
            }
            List<ChannelGroup> groups = new ArrayList<>();
            for (List<Trace> members : sets.values()) {
                groups.add(merge(groups.size(), members));
            }
            return new ChannelStructure(groups);
        }

        private static int find(int[] parent, int i) {
            while (parent[i] != i) {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            return i;
        }

        private static void union(int[] parent, int a, int b) {
            int ra = find(parent, a);
            int rb = find(parent, b);
            if (ra != rb) {
                parent[Math.max(ra, rb)] = Math.min(ra, rb);
            }
        }

        private ChannelGroup merge(int id, List<Trace> members) {
            int channels = members.get(0).channels;
            List<String> sources = new ArrayList<>();
            Map<String, ChannelSlice> slices = new LinkedHashMap<>();
            Map<String, Map<String, Long>> attrs = new LinkedHashMap<>();
            String refusal = null;
            boolean pinned = false;
            for (Trace t : members) {
                sources.add(t.source);
                if (t.channels != channels && refusal == null) {
                    refusal = "layers " + members.get(0).source + " (" + channels + " channels) and " + t.source
                            + " (" + t.channels + " channels) are joined but differ in width";
                }
                for (ChannelSlice s : t.slices) {
                    ChannelSlice prev = slices.putIfAbsent(s.tensor() + "#" + s.axis(), s);
                    if (prev != null && !prev.equals(s) && refusal == null) {
                        refusal = "tensor " + s.tensor() + " is sliced two different ways along axis " + s.axis();
                    }
                }
                t.attrs.forEach((k, v) -> attrs.merge(k, v, (a, b) -> a));
                if (refusal == null && t.refusal != null) {
                    refusal = t.refusal;
                }
                pinned |= t.pinned;
            }
            return new ChannelGroup(id, channels, sources, new ArrayList<>(slices.values()), attrs,
                    Optional.ofNullable(refusal), pinned);
        }

        /** A node whose constant weight produces independent output channels, traced forward. */
        private Optional<Trace> source(GraphNode n) {
            String op = n.opType();
            if (n.outputs().isEmpty()) {
                return Optional.empty();
            }
            Optional<WeightTensor> w = constant(n.input(1)).filter(WeightTensor::prunable);
            if (w.isEmpty()) {
                return Optional.empty();
            }
            WeightTensor weight = w.get();
            Trace t;
            switch (op) {
                case "Conv" -> {
                    long group = n.intAttribute("group", 1);
                    if (group != 1 || weight.rank() < 3) {
                        return Optional.empty(); // grouped/depthwise convs follow their input's channels
                    }
                    t = new Trace(weight.name(), (int) weight.dim(0));
                    t.add(new ChannelSlice(weight.name(), 0, 0, 1, true));
                    constant(n.input(2)).ifPresent(b -> t.add(new ChannelSlice(b.name(), 0, 0, 1, true)));
                }
                case "Gemm" -> {
                    if (n.intAttribute("transA", 0) != 0 || weight.rank() != 2) {
                        return Optional.empty();
                    }
                    int axis = n.intAttribute("transB", 0) != 0 ? 0 : 1;
                    t = new Trace(weight.name(), (int) weight.dim(axis));
                    t.add(new ChannelSlice(weight.name(), axis, 0, 1, true));
                    Optional<WeightTensor> c = constant(n.input(2));
                    if (c.isPresent()) {
                        WeightTensor bias = c.get();
                        int biasAxis = bias.rank() == 0 ? -1 : bias.rank() - 1;
                        if (biasAxis >= 0 && bias.dim(biasAxis) == t.channels) {
                            t.add(new ChannelSlice(bias.name(), biasAxis, 0, 1, true));
                        } else if (bias.elementCount() != 1) {
                            t.refuse(n, "its bias " + bias.name() + " " + bias.shapeString() + " is not per-channel");
                        }
                    }
                }
                case "MatMul" -> {
                    if (weight.rank() != 2) {
                        return Optional.empty();
                    }
                    t = new Trace(weight.name(), (int) weight.dim(1));
                    t.add(new ChannelSlice(weight.name(), 1, 0, 1, true));
                }
                default -> {
                    return Optional.empty();
                }
            }
            follow(t, n.outputs().get(0), 0, 1, t.channels, new HashSet<>());
            return Optional.of(t);
        }

        /**
         * Visits every consumer of {@code value}, which carries the group's channels at
         * {@code offset + c·block} along its channel axis; {@code width} is the value's channel-axis size.
         */
        private void follow(Trace t, String value, int offset, int block, int width, Set<String> seen) {
            if (!seen.add(value + "@" + offset + "/" + block)) {
                return;
            }
            if (outputs.contains(value)) {
                t.pinned = true;
            }
            for (GraphNode c : consumers.getOrDefault(value, List.of())) {
                if (t.refusal != null) {
                    return;
                }
                consume(t, c, value, offset, block, width, seen);
            }
        }

        private void consume(Trace t, GraphNode c, String value, int offset, int block, int width, Set<String> seen) {
            String op = c.opType();
            int index = c.inputs().indexOf(value);
            String out = c.outputs().isEmpty() ? "" : c.outputs().get(0);
            if (ZERO_PRESERVING.contains(op) || POOLS.contains(op)) {
                if (index != 0) {
                    t.refuse(c, "channels enter it as input " + index);
                    return;
                }
                if ("PRelu".equals(op)) {
                    sliceConstant(t, c, c.input(1), offset, block, width, false);
                }
                follow(t, out, offset, block, width, seen);
                return;
            }
            switch (op) {
                case "BatchNormalization", "InstanceNormalization" -> {
                    if (index != 0) {
                        t.refuse(c, "channels enter it as a parameter");
                        return;
                    }
                    int params = "BatchNormalization".equals(op) ? 4 : 2;
                    for (int i = 1; i <= params && i < c.inputs().size(); i++) {
                        Optional<WeightTensor> p = constant(c.input(i));
                        if (p.isEmpty()) {
                            t.refuse(c, "its parameter " + c.input(i) + " is not a constant");
                            return;
                        }
                        // Scale and shift zeroed make the normalised output exactly 0; mean and variance may stay.
                        t.add(new ChannelSlice(p.get().name(), 0, offset, block, i <= 2));
                    }
                    follow(t, out, offset, block, width, seen);
                }
                case "Conv" -> consumeConv(t, c, index, offset, block, width, seen);
                case "ConvTranspose" -> {
                    Optional<WeightTensor> w = constant(c.input(1));
                    if (index != 0 || w.isEmpty() || c.intAttribute("group", 1) != 1) {
                        t.refuse(c, "ConvTranspose consumers are compacted only with group 1 and a constant weight");
                        return;
                    }
                    t.add(new ChannelSlice(w.get().name(), 0, offset, block, false));
                }
                case "Gemm" -> {
                    Optional<WeightTensor> w = constant(c.input(1));
                    if (index != 0 || w.isEmpty() || c.intAttribute("transA", 0) != 0) {
                        t.refuse(c, "channels must enter a Gemm as A (not transposed) with a constant B");
                        return;
                    }
                    int axis = c.intAttribute("transB", 0) != 0 ? 1 : 0;
                    if (w.get().dim(axis) != width) {
                        t.refuse(c, "expects " + w.get().dim(axis) + " input features but receives " + width);
                        return;
                    }
                    t.add(new ChannelSlice(w.get().name(), axis, offset, block, false));
                }
                case "MatMul" -> {
                    Optional<WeightTensor> w = constant(c.input(1));
                    if (index != 0 || w.isEmpty() || w.get().rank() != 2) {
                        t.refuse(c, "channels must enter a MatMul as A with a constant 2-D B");
                        return;
                    }
                    if (w.get().dim(0) != width) {
                        t.refuse(c, "expects " + w.get().dim(0) + " input features but receives " + width);
                        return;
                    }
                    t.add(new ChannelSlice(w.get().name(), 0, offset, block, false));
                }
                case "Flatten" -> {
                    if (c.intAttribute("axis", 1) != 1) {
                        t.refuse(c, "Flatten with axis " + c.intAttribute("axis", 1) + " mixes channels with other axes");
                        return;
                    }
                    Long spatial = spatialSize(c, out, width);
                    if (spatial == null) {
                        t.refuse(c, "cannot tell how many features each channel becomes after the Flatten");
                        return;
                    }
                    int s = spatial.intValue();
                    follow(t, out, offset * s, block * s, width * s, seen);
                }
                default -> {
                    if (JOINS.contains(op)) {
                        consumeJoin(t, c, index, offset, block, width, seen);
                    } else if ("Concat".equals(op)) {
                        t.refuse(c, "channels joined by Concat are not compacted yet; prune with unstructured methods "
                                + "or exclude the layers feeding it");
                    } else {
                        t.refuse(c, op + " is not known to keep channels apart (shapes or layouts may be hard-coded)");
                    }
                }
            }
        }

        private void consumeConv(Trace t, GraphNode c, int index, int offset, int block, int width, Set<String> seen) {
            Optional<WeightTensor> w = constant(c.input(1));
            if (index != 0 || w.isEmpty() || w.get().rank() < 3) {
                t.refuse(c, "channels must enter a Conv as X with a constant weight");
                return;
            }
            WeightTensor weight = w.get();
            long group = c.intAttribute("group", 1);
            if (group == 1) {
                if (weight.dim(1) != width) {
                    t.refuse(c, "weight " + weight.name() + " expects " + weight.dim(1) + " input channels, receives " + width);
                    return;
                }
                t.add(new ChannelSlice(weight.name(), 1, offset, block, false));
                return;
            }
            if (group == width && weight.dim(1) == 1 && block == 1) {
                // Depthwise: output channel c·m … c·m+m−1 reads input channel c only; they leave with it.
                int mult = (int) (weight.dim(0) / group);
                t.add(new ChannelSlice(weight.name(), 0, offset * mult, mult, true));
                constant(c.input(2)).ifPresent(b -> t.add(new ChannelSlice(b.name(), 0, offset * mult, mult, true)));
                t.attrs.put(c.name(), Map.of("group", 1L));
                follow(t, c.outputs().get(0), offset * mult, mult, (int) weight.dim(0), seen);
                return;
            }
            t.refuse(c, "grouped convolution (group " + group + ") splits channels across groups");
        }

        private void consumeJoin(Trace t, GraphNode c, int index, int offset, int block, int width, Set<String> seen) {
            if (index > 1 || c.inputs().size() != 2) {
                t.refuse(c, "unexpected operands");
                return;
            }
            String other = c.input(1 - index);
            if (constant(other).isPresent()) {
                sliceConstant(t, c, other, offset, block, width, SUBTRACTIVE.contains(c.opType()) && index == 0);
                if ("Div".equals(c.opType()) && index == 1) {
                    t.refuse(c, "channels are a divisor");
                    return;
                }
            } else {
                t.joins.add(c.name());
            }
            follow(t, c.outputs().get(0), offset, block, width, seen);
        }

        /** A per-channel constant operand is sliced along its channel axis; a scalar needs nothing. */
        private void sliceConstant(Trace t, GraphNode c, String name, int offset, int block, int width, boolean zeroed) {
            WeightTensor k = constant(name).orElse(null);
            if (k == null) {
                t.refuse(c, "operand " + name + " is not a constant");
                return;
            }
            if (k.elementCount() == 1) {
                return;
            }
            int axis = -1;
            for (int i = 0; i < k.rank(); i++) {
                if (k.dim(i) != 1) {
                    if (axis >= 0 || k.dim(i) != width) {
                        t.refuse(c, "constant " + name + " " + k.shapeString() + " is not per-channel");
                        return;
                    }
                    axis = i;
                }
            }
            t.add(new ChannelSlice(k.name(), axis, offset, block, zeroed));
        }

        /** H·W per channel after a Flatten: from the Gemm/MatMul that reads it (features ÷ channels). */
        private Long spatialSize(GraphNode flatten, String out, int width) {
            for (GraphNode c : consumers.getOrDefault(out, List.of())) {
                Optional<WeightTensor> w = constant(c.input(1));
                if (w.isEmpty() || w.get().rank() != 2) {
                    continue;
                }
                long features = switch (c.opType()) {
                    case "Gemm" -> w.get().dim(c.intAttribute("transB", 0) != 0 ? 1 : 0);
                    case "MatMul" -> w.get().dim(0);
                    default -> -1;
                };
                if (features > 0 && features % width == 0) {
                    return features / width;
                }
            }
            return null;
        }
    }

    /** What one source's forward walk found. */
    private static final class Trace {
        final String source;
        final int channels;
        final List<ChannelSlice> slices = new ArrayList<>();
        final Set<String> joins = new LinkedHashSet<>();
        final Map<String, Map<String, Long>> attrs = new LinkedHashMap<>();
        String refusal;
        boolean pinned;

        Trace(String source, int channels) {
            this.source = source;
            this.channels = channels;
        }

        void add(ChannelSlice s) {
            slices.add(s);
        }

        void refuse(GraphNode node, String why) {
            if (refusal == null) {
                refusal = "node " + node.name() + " (" + node.opType() + "): " + why;
            }
        }
    }
}
