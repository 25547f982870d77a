package org.sparsitybench.prune.structure;

import java.util.ArrayList;
import java.util.Arrays;
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
 * that meet at {@code Add}/{@code Sub}/{@code Mul}/{@code Div}. A {@code Concat} along the channel axis places
 * each branch's channels after the earlier inputs' (so consumers lose the matching input channels, offset by the
 * earlier branches' widths); when the joined tensor meets another layer at an {@code Add}, each branch is coupled
 * with its run of that layer's channels. Anything it cannot rewrite safely (a Reshape, a Concat along another axis
 * or of a graph input, an activation with f(0) ≠ 0, an unknown op, a join operand that no prunable layer
 * produces) marks the group as refused, naming the node.
 */
public final class ChannelStructure {
    private static final Set<String> ZERO_PRESERVING = Set.of("Relu", "LeakyRelu", "PRelu", "Tanh", "Elu", "Selu",
            "Celu", "Gelu", "HardSwish", "Mish", "Softsign", "Identity", "Dropout", "Clip", "Neg", "Abs", "Sign",
            "ThresholdedRelu", "Erf", "Sin", "Asinh", "Atan", "Tan", "Sinh");
    private static final Set<String> POOLS = Set.of("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
            "LpPool", "GlobalLpPool");
    private static final Set<String> JOINS = Set.of("Add", "Sub", "Mul", "Div");
    private static final Set<String> SUBTRACTIVE = Set.of("Add", "Sub");
    /**
     * Ops through which a value's channels still mean the same thing at their output (element-wise maths,
     * normalisations, layout changes, class selection): channels reaching a graph output through them are the
     * model's outputs (a classifier's classes behind its Softmax) and stay whole.
     */
    private static final Set<String> KEEPS_MEANING = Set.of("Softmax", "LogSoftmax", "Sigmoid", "HardSigmoid", "Exp",
            "Log", "Sqrt", "Reciprocal", "Pow", "Add", "Sub", "Mul", "Div", "Max", "Min", "Reshape", "Transpose",
            "Flatten", "Squeeze", "Unsqueeze", "Cast", "BatchNormalization", "InstanceNormalization",
            "LayerNormalization", "ArgMax", "ArgMin", "TopK", "Hardmax", "Concat", "Split", "Slice", "Gather", "Expand",
            "Tile", "Floor", "Ceil", "Round", "Softplus", "Not", "Equal", "Greater", "Less", "Where");

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
        /** Channel-axis size of every value a walk reached. */
        private final Map<String, Integer> widths = new HashMap<>();
        /** Memo of {@link #reachesOutput}. */
        private final Map<String, Boolean> reaches = new HashMap<>();

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
                source(n).ifPresent(t -> {
                    t.index = traces.size();
                    traces.add(t);
                });
            }
            resolveConcats(traces);
            // Union sources that meet at a join node, remembering where each one's channel 0 sits.
            int[] parent = new int[traces.size()];
            int[] delta = new int[traces.size()];
            for (int i = 0; i < parent.length; i++) {
                parent[i] = i;
            }
            Map<String, List<Arrival>> byJoin = new LinkedHashMap<>();
            for (Trace t : traces) {
                for (Arrival a : t.joins) {
                    byJoin.computeIfAbsent(a.node.name(), k -> new ArrayList<>()).add(a);
                }
            }
            for (List<Arrival> arrivals : byJoin.values()) {
                join(traces, arrivals, parent, delta);
            }
            Map<Integer, List<Trace>> sets = new LinkedHashMap<>();
            for (int i = 0; i < traces.size(); i++) {
                sets.computeIfAbsent(find(parent, delta, i), k -> new ArrayList<>()).add(traces.get(i));
            }
            List<ChannelGroup> groups = new ArrayList<>();
            for (List<Trace> members : sets.values()) {
                int[] pos = new int[members.size()];
                for (int i = 0; i < pos.length; i++) {
                    find(parent, delta, members.get(i).index);
                    pos[i] = delta[members.get(i).index];
                }
                groups.add(merge(groups.size(), members, pos));
            }
            return new ChannelStructure(groups);
        }

        /**
         * Continues the walks stopped at a channel Concat once the widths of all its inputs are known (the
         * branches' offsets in the joined tensor); a Concat with an input no walk reaches is refused.
         */
        private void resolveConcats(List<Trace> traces) {
            boolean progress = true;
            while (progress) {
                progress = false;
                for (Trace t : traces) {
                    List<Pending> todo = new ArrayList<>(t.pending);
                    t.pending.clear();
                    for (Pending p : todo) {
                        if (t.refusal != null) {
                            continue;
                        }
                        int start = 0;
                        int total = 0;
                        boolean known = true;
                        for (int i = 0; i < p.node.inputs().size() && known; i++) {
                            Integer w = widths.get(p.node.input(i));
                            known = w != null;
                            if (known) {
                                start += i < p.index ? w : 0;
                                total += w;
                            }
                        }
                        if (!known) {
                            t.pending.add(p);
                            continue;
                        }
                        progress = true;
                        follow(t, p.node.outputs().get(0), p.offset + start, p.block, total, p.rank, p.seen);
                    }
                }
            }
            for (Trace t : traces) {
                for (Pending p : t.pending) {
                    String unknown = p.node.inputs().stream().filter(v -> !widths.containsKey(v)).findFirst().orElse("?");
                    t.refuse(p.node, "its input " + unknown + (graph.inputs().contains(unknown) ? " is a graph input"
                            : " does not come from prunable layers' channels") + ", so the offsets of the channels "
                            + "after it are unknown");
                }
                t.pending.clear();
            }
        }

        /** Whether {@code value} is a graph output or becomes one through {@link #KEEPS_MEANING} ops alone. */
        private boolean reachesOutput(String value, Set<String> seen) {
            Boolean known = reaches.get(value);
            if (known != null) {
                return known;
            }
            boolean r = outputs.contains(value);
            if (!r && seen.add(value)) {
                for (GraphNode c : consumers.getOrDefault(value, List.of())) {
                    if (ZERO_PRESERVING.contains(c.opType()) || POOLS.contains(c.opType())
                            || KEEPS_MEANING.contains(c.opType())) {
                        for (String o : c.outputs()) {
                            r |= !o.isEmpty() && reachesOutput(o, seen);
                        }
                    }
                }
            }
            reaches.put(value, r);
            return r;
        }

        /** Couples the sources arriving at one join node, or refuses them all, naming the node. */
        private void join(List<Trace> traces, List<Arrival> arrivals, int[] parent, int[] delta) {
            Arrival r = arrivals.get(0);
            GraphNode node = r.node;
            String problem = null;
            for (Arrival a : arrivals) {
                if (a.width != r.width) {
                    problem = "its operands have " + r.width + " and " + a.width + " channels";
                } else if (a.block != r.block || (a.offset - r.offset) % r.block != 0) {
                    problem = "its operands' channels do not line up";
                }
            }
            for (String operand : node.inputs()) {
                if (problem != null || constant(operand).isPresent()) {
                    continue;
                }
                boolean[] covered = new boolean[r.width];
                for (Arrival a : arrivals) {
                    if (a.value.equals(operand)) {
                        int n = traces.get(a.trace()).channels;
                        for (int i = a.offset; i < Math.min(r.width, a.offset + n * a.block); i++) {
                            covered[i] = true;
                        }
                    }
                }
                for (boolean c : covered) {
                    if (!c) {
                        problem = "operand " + operand + " does not come wholly from prunable layers' channels, "
                                + "so its channels cannot be removed with theirs";
                        break;
                    }
                }
            }
            for (Arrival a : arrivals) {
                if (problem == null && !union(parent, delta, r.trace(), a.trace(), (a.offset - r.offset) / r.block)) {
                    problem = "channels meet it at inconsistent positions";
                }
            }
            if (problem != null) {
                for (Arrival a : arrivals) {
                    traces.get(a.trace()).refuse(node, problem);
                }
            }
        }

        /** Root of {@code i}; afterwards {@code delta[i]} is i's channel 0 relative to the root's. */
        private static int find(int[] parent, int[] delta, int i) {
            if (parent[i] == i) {
                return i;
            }
            int p = parent[i];
            int root = find(parent, delta, p);
            delta[i] += delta[p];
            parent[i] = root;
            return root;
        }

        /** Records {@code pos(b) − pos(a) = d}; false if it contradicts what is known. */
        private static boolean union(int[] parent, int[] delta, int a, int b, int d) {
            int ra = find(parent, delta, a);
            int rb = find(parent, delta, b);
            if (ra == rb) {
                return delta[b] - delta[a] == d;
            }
            int rootDelta = d - delta[b] + delta[a]; // pos(rb) − pos(ra)
            if (ra < rb) {
                parent[rb] = ra;
                delta[rb] = rootDelta;
            } else {
                parent[ra] = rb;
                delta[ra] = -rootDelta;
            }
            return true;
        }

        private ChannelGroup merge(int id, List<Trace> members, int[] pos) {
            int min = Integer.MAX_VALUE;
            int max = Integer.MIN_VALUE;
            for (int i = 0; i < pos.length; i++) {
                min = Math.min(min, pos[i]);
                max = Math.max(max, pos[i] + members.get(i).channels);
            }
            int channels = max - min;
            List<String> sources = new ArrayList<>();
            Map<String, Integer> offsets = new LinkedHashMap<>();
            Set<ChannelSlice> slices = new LinkedHashSet<>();
            Map<String, Map<String, Long>> attrs = new LinkedHashMap<>();
            String refusal = null;
            boolean pinned = false;
            boolean[] covered = new boolean[channels];
            for (int i = 0; i < pos.length; i++) {
                Trace t = members.get(i);
                int shift = pos[i] - min;
                sources.add(t.source);
                offsets.put(t.source, shift);
                Arrays.fill(covered, shift, shift + t.channels, true);
                for (ChannelSlice s : t.slices) {
                    slices.add(s.shifted(shift));
                }
                t.attrs.forEach((k, v) -> attrs.merge(k, v, (a, b) -> a));
                if (refusal == null && t.refusal != null) {
                    refusal = t.refusal;
                }
                pinned |= t.pinned;
            }
            for (int g = 0; g < channels && refusal == null; g++) {
                if (!covered[g]) {
                    refusal = "channel " + g + " of the layers " + sources + " joins no source";
                }
            }
            if (refusal == null) {
                refusal = conflict(slices);
            }
            return new ChannelGroup(id, channels, sources, offsets, new ArrayList<>(slices), attrs,
                    Optional.ofNullable(refusal), pinned);
        }

        /** Why the slices cannot all hold (an index owned by two channels, or past the tensor's end), or null. */
        private String conflict(Set<ChannelSlice> slices) {
            Map<String, int[]> owners = new HashMap<>();
            for (ChannelSlice s : slices) {
                long dim = model.tensor(s.tensor()).orElseThrow().dim(s.axis());
                int[] owner = owners.computeIfAbsent(s.tensor() + "#" + s.axis(), k -> {
                    int[] o = new int[(int) dim];
                    Arrays.fill(o, -1);
                    return o;
                });
                for (int g = s.from(); g < s.from() + s.count(); g++) {
                    for (int j = 0; j < s.block(); j++) {
                        int idx = s.first(g) + j;
                        if (idx >= dim) {
                            return "tensor " + s.tensor() + " has " + dim + " entries along axis " + s.axis()
                                    + ", fewer than its channels need";
                        }
                        if (owner[idx] >= 0 && owner[idx] != g) {
                            return "tensor " + s.tensor() + " is sliced two different ways along axis " + s.axis();
                        }
                        owner[idx] = g;
                    }
                }
            }
            return null;
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
            int rank; // of the output; 0 when unknown with the channels on the last axis (MatMul)
            switch (op) {
                case "Conv" -> {
                    long group = n.intAttribute("group", 1);
                    if (group != 1 || weight.rank() < 3) {
                        return Optional.empty(); // grouped/depthwise convs follow their input's channels
                    }
                    t = new Trace(weight.name(), (int) weight.dim(0));
                    rank = weight.rank();
                    t.add(weight.name(), 0, 0, 1, true);
                    constant(n.input(2)).ifPresent(b -> t.add(b.name(), 0, 0, 1, true));
                }
                case "Gemm" -> {
                    if (n.intAttribute("transA", 0) != 0 || weight.rank() != 2) {
                        return Optional.empty();
                    }
                    int axis = n.intAttribute("transB", 0) != 0 ? 0 : 1;
                    t = new Trace(weight.name(), (int) weight.dim(axis));
                    rank = 2;
                    t.add(weight.name(), axis, 0, 1, true);
                    Optional<WeightTensor> c = constant(n.input(2));
                    if (c.isPresent()) {
                        WeightTensor bias = c.get();
                        int biasAxis = bias.rank() == 0 ? -1 : bias.rank() - 1;
                        if (biasAxis >= 0 && bias.dim(biasAxis) == t.channels) {
                            t.add(bias.name(), biasAxis, 0, 1, true);
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
                    rank = 0;
                    t.add(weight.name(), 1, 0, 1, true);
                }
                default -> {
                    return Optional.empty();
                }
            }
            follow(t, n.outputs().get(0), 0, 1, t.channels, rank, new HashSet<>());
            return Optional.of(t);
        }

        /**
         * Visits every consumer of {@code value}, which carries the group's channels at
         * {@code offset + c·block} along its channel axis; {@code width} is the value's channel-axis size.
         */
        private void follow(Trace t, String value, int offset, int block, int width, int rank, Set<String> seen) {
            widths.putIfAbsent(value, width);
            if (!seen.add(value + "@" + offset + "/" + block)) {
                return;
            }
            if (reachesOutput(value, new HashSet<>())) {
                t.pinned = true;
            }
            for (GraphNode c : consumers.getOrDefault(value, List.of())) {
                if (t.refusal != null) {
                    return;
                }
                consume(t, c, value, offset, block, width, rank, seen);
            }
        }

        private void consume(Trace t, GraphNode c, String value, int offset, int block, int width, int rank,
                             Set<String> seen) {
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
                follow(t, out, offset, block, width, rank, seen);
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
                        t.add(p.get().name(), 0, offset, block, i <= 2);
                    }
                    follow(t, out, offset, block, width, rank, seen);
                }
                case "Conv" -> consumeConv(t, c, index, offset, block, width, rank, seen);
                case "ConvTranspose" -> {
                    Optional<WeightTensor> w = constant(c.input(1));
                    if (index != 0 || w.isEmpty() || c.intAttribute("group", 1) != 1) {
                        t.refuse(c, "ConvTranspose consumers are compacted only with group 1 and a constant weight");
                        return;
                    }
                    t.add(w.get().name(), 0, offset, block, false);
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
                    t.add(w.get().name(), axis, offset, block, false);
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
                    t.add(w.get().name(), 0, offset, block, false);
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
                    follow(t, out, offset * s, block * s, width * s, 2, seen);
                }
                default -> {
                    if (JOINS.contains(op)) {
                        consumeJoin(t, c, value, index, offset, block, width, rank, seen);
                    } else if ("Concat".equals(op)) {
                        consumeConcat(t, c, value, offset, block, width, rank, seen);
                    } else {
                        t.refuse(c, op + " is not known to keep channels apart (shapes or layouts may be hard-coded)");
                    }
                }
            }
        }

        /**
         * A Concat along the channel axis puts this branch's channels after the earlier inputs' channels; the
         * walk waits until those widths are known ({@link #resolveConcats}).
         */
        private void consumeConcat(Trace t, GraphNode c, String value, int offset, int block, int width, int rank,
                                   Set<String> seen) {
            long axis = c.intAttribute("axis", Long.MIN_VALUE);
            boolean channelAxis = rank > 0 ? (axis < 0 ? axis + rank : axis) == 1 : axis == -1;
            if (!channelAxis) {
                t.refuse(c, "it concatenates along axis " + (axis == Long.MIN_VALUE ? "(none)" : axis)
                        + ", not the channel axis " + (rank > 0 ? "1" : "-1") + "; channels cannot be removed through it");
                return;
            }
            for (int i = 0; i < c.inputs().size(); i++) {
                if (c.input(i).equals(value)) {
                    t.pending.add(new Pending(c, i, offset, block, rank, seen));
                }
            }
        }

        private void consumeConv(Trace t, GraphNode c, int index, int offset, int block, int width, int rank,
                                 Set<String> seen) {
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
                t.add(weight.name(), 1, offset, block, false);
                return;
            }
            if (group == width && weight.dim(1) == 1 && block == 1) {
                // Depthwise: output channel c·m … c·m+m−1 reads input channel c only; they leave with it.
                int mult = (int) (weight.dim(0) / group);
                t.add(weight.name(), 0, offset * mult, mult, true);
                constant(c.input(2)).ifPresent(b -> t.add(b.name(), 0, offset * mult, mult, true));
                t.attrs.put(c.name(), Map.of("group", 1L));
                follow(t, c.outputs().get(0), offset * mult, mult, (int) weight.dim(0), rank, seen);
                return;
            }
            t.refuse(c, "grouped convolution (group " + group + ") splits channels across groups");
        }

        private void consumeJoin(Trace t, GraphNode c, String value, int index, int offset, int block, int width,
                                 int rank, Set<String> seen) {
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
                t.joins.add(new Arrival(c, value, t, offset, block, width));
            }
            follow(t, c.outputs().get(0), offset, block, width, rank, seen);
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
            t.add(k.name(), axis, offset, block, zeroed);
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
        final List<Arrival> joins = new ArrayList<>();
        final List<Pending> pending = new ArrayList<>();
        int index;
        final Map<String, Map<String, Long>> attrs = new LinkedHashMap<>();
        String refusal;
        boolean pinned;

        Trace(String source, int channels) {
            this.source = source;
            this.channels = channels;
        }

        void add(String tensor, int axis, int offset, int block, boolean zeroed) {
            slices.add(ChannelSlice.of(tensor, axis, offset, block, zeroed, channels));
        }

        void refuse(GraphNode node, String why) {
            if (refusal == null) {
                refusal = "node " + node.name() + " (" + node.opType() + "): " + why;
            }
        }
    }

    /** A source's channels reaching a join node as {@code value}, at {@code offset + c·block} of {@code width}. */
    private record Arrival(GraphNode node, String value, Trace source, int offset, int block, int width) {
        int trace() {
            return source.index;
        }
    }

    /** A walk stopped at input {@code index} of a channel Concat until the earlier inputs' widths are known. */
    private record Pending(GraphNode node, int index, int offset, int block, int rank, Set<String> seen) {
    }
}
