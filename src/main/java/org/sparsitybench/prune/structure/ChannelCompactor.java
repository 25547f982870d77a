package org.sparsitybench.prune.structure;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.GraphNode;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.model.WeightTensor;

/**
 * Turns per-group channel keep-masks into (a) the masked model's values, where removed channels contribute
 * exactly zero, and (b) the compacted model's smaller tensors and changed attributes. Stateless.
 */
public final class ChannelCompactor {
    private ChannelCompactor() {
    }

    /**
     * New values and shapes after physically removing channels.
     *
     * @param tensors    sliced tensors by name: new shape and values
     * @param attributes node name → attribute → new value (depthwise {@code group})
     * @param removed    channels removed per group id
     */
    public record Compaction(Map<String, Sliced> tensors, Map<String, Map<String, Long>> attributes,
                             Map<Integer, Integer> removed) {
    }

    /** A tensor's new shape and values (float32, to be written back in its own dtype). */
    public record Sliced(long[] shape, float[] values) {
    }

    /**
     * Removes the channels whose {@code keep} entry is false.
     *
     * @param model     the model (not modified)
     * @param structure its channel structure
     * @param keep      group id → kept flag per channel (not modified); groups absent keep everything
     * @param base      values to slice by tensor name (e.g. already-pruned values); tensors absent are read from
     *                  the model (not modified). Only the tensors that lose entries are read into arrays.
     * @throws UnsupportedModelException naming the node when a group that loses channels cannot be rewritten
     */
    public static Compaction compact(Model model, ChannelStructure structure, Map<Integer, boolean[]> keep,
                                     Map<String, TensorData> base) {
        // Per tensor and axis, which indices survive; several groups may cut the same axis (Concat branches).
        Map<String, Map<Integer, boolean[]>> plan = new LinkedHashMap<>();
        Map<String, Map<String, Long>> attributes = new LinkedHashMap<>();
        Map<Integer, Integer> removed = new TreeMap<>();
        for (ChannelGroup g : structure.groups()) {
            boolean[] k = keep.get(g.id());
            if (k == null) {
                continue;
            }
            validate(g, k);
            int kept = count(k);
            if (kept == g.channels()) {
                continue;
            }
            if (g.refusal().isPresent()) {
                throw new UnsupportedModelException("cannot remove channels of " + g.sources() + ": " + g.refusal().get());
            }
            if (g.pinned()) {
                throw new UnsupportedModelException("cannot remove channels of " + g.sources()
                        + ": they reach a graph output; exclude the layer or prune it unstructured");
            }
            if (kept == 0) {
                throw new UnsupportedModelException("pruning would remove every channel of " + g.sources());
            }
            for (ChannelSlice own : g.slices()) {
                String src = own.tensor();
                if (own.zeroed() && g.sources().contains(src) && count(Arrays.copyOfRange(k, own.from(),
                        own.from() + own.count())) == 0) {
                    throw new UnsupportedModelException("pruning would remove every output channel of " + src
                            + " (a layer with no outputs); keep at least one");
                }
            }
            removed.put(g.id(), g.channels() - kept);
            for (ChannelSlice s : g.slices()) {
                long dim = model.tensor(s.tensor()).orElseThrow().dim(s.axis());
                boolean[] survive = plan.computeIfAbsent(s.tensor(), x -> new TreeMap<>()).computeIfAbsent(s.axis(), a -> {
                    boolean[] all = new boolean[(int) dim];
                    Arrays.fill(all, true);
                    return all;
                });
                for (int c = s.from(); c < s.from() + s.count(); c++) {
                    if (!k[c]) {
                        Arrays.fill(survive, s.first(c), s.first(c) + s.block(), false);
                    }
                }
            }
            g.attributes().forEach((node, attrs) -> attributes.computeIfAbsent(node, n -> new LinkedHashMap<>())
                    .putAll(attrs));
        }
        // A depthwise Conv may read the channels of several groups (the branches of a Concat): its new group is
        // what survives of its weight's output rows over all of them, not one group's kept count.
        for (Map.Entry<String, Map<String, Long>> e : attributes.entrySet()) {
            GraphNode conv = model.graph().nodes().stream().filter(n -> n.name().equals(e.getKey())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no node " + e.getKey()));
            WeightTensor w = model.tensor(conv.input(1)).orElseThrow();
            long rowsPerInput = w.dim(0) / conv.intAttribute("group", 1);
            boolean[] rows = plan.getOrDefault(w.name(), Map.of()).get(0);
            long keptInputs = (rows == null ? w.dim(0) : count(rows)) / rowsPerInput;
            e.getValue().replaceAll((name, perChannel) -> perChannel * keptInputs);
        }
        Map<String, Sliced> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Map<Integer, boolean[]>> e : plan.entrySet()) {
            WeightTensor t = model.tensor(e.getKey()).orElseThrow();
            float[] values = base.getOrDefault(t.name(), t.data()).readAllFloats();
            long[] shape = t.shape();
            for (Map.Entry<Integer, boolean[]> axis : e.getValue().entrySet()) {
                values = slice(values, shape, axis.getKey(), indices(axis.getValue()));
            }
            tensors.put(t.name(), new Sliced(shape, values));
        }
        return new Compaction(tensors, attributes, removed);
    }

    /**
     * The masked model's values: the entries of removed channels in every {@link ChannelSlice#zeroed()} slice read
     * as 0, so each removed channel contributes exactly nothing downstream. The values are views over
     * {@code base} (or the model's values), nothing is copied: a writer streams them like any other tensor.
     *
     * @param base values by tensor name to zero on top of (e.g. masked weights; not modified); tensors absent are
     *             read from the model
     * @return a view for each tensor that changes
     */
    public static Map<String, TensorData> zeroRemovedChannels(Model model, ChannelStructure structure,
                                                              Map<Integer, boolean[]> keep, Map<String, TensorData> base) {
        // Per tensor and axis, which indices read as zero.
        Map<String, Map<Integer, boolean[]>> zero = new LinkedHashMap<>();
        for (ChannelGroup g : structure.groups()) {
            boolean[] k = keep.get(g.id());
            if (k == null || count(k) == g.channels()) {
                continue;
            }
            validate(g, k);
            for (ChannelSlice s : g.slices()) {
                if (!s.zeroed()) {
                    continue;
                }
                WeightTensor t = model.tensor(s.tensor()).orElseThrow();
                boolean[] z = zero.computeIfAbsent(t.name(), n -> new TreeMap<>())
                        .computeIfAbsent(s.axis(), a -> new boolean[(int) t.dim(a)]);
                for (int c = s.from(); c < s.from() + s.count(); c++) {
                    if (!k[c]) {
                        Arrays.fill(z, s.first(c), s.first(c) + s.block(), true);
                    }
                }
            }
        }
        Map<String, TensorData> out = new HashMap<>();
        zero.forEach((name, axes) -> {
            WeightTensor t = model.tensor(name).orElseThrow();
            out.put(name, new ZeroedIndices(base.getOrDefault(name, t.data()), t.shape(), axes));
        });
        return out;
    }

    /** A tensor's values with some indices along some axes read as {@code +0.0}; a view, nothing copied. */
    private static final class ZeroedIndices implements TensorData {
        private final TensorData values;
        private final int[] axes;
        private final long[] inner;
        private final long[] dims;
        private final boolean[][] zero;

        ZeroedIndices(TensorData values, long[] shape, Map<Integer, boolean[]> zeroByAxis) {
            this.values = values;
            int n = zeroByAxis.size();
            axes = new int[n];
            inner = new long[n];
            dims = new long[n];
            zero = new boolean[n][];
            int i = 0;
            for (Map.Entry<Integer, boolean[]> e : zeroByAxis.entrySet()) {
                int axis = e.getKey();
                long in = 1;
                for (int d = axis + 1; d < shape.length; d++) {
                    in *= shape[d];
                }
                axes[i] = axis;
                inner[i] = in;
                dims[i] = shape.length == 0 ? 1 : shape[axis];
                zero[i] = e.getValue();
                i++;
            }
        }

        @Override
        public DType dtype() {
            return values.dtype();
        }

        @Override
        public long elementCount() {
            return values.elementCount();
        }

        @Override
        public void readFloats(long first, FloatBuffer dst) {
            int start = dst.position();
            int n = dst.remaining();
            values.readFloats(first, dst);
            for (int i = 0; i < n; i++) {
                long e = first + i;
                for (int a = 0; a < axes.length; a++) {
                    if (zero[a][(int) ((e / inner[a]) % dims[a])]) {
                        dst.put(start + i, 0f);
                        break;
                    }
                }
            }
        }
    }

    private static void validate(ChannelGroup g, boolean[] k) {
        if (k.length != g.channels()) {
            throw new IllegalArgumentException("group " + g.id() + " " + g.sources() + " has " + g.channels()
                    + " channels, keep mask has " + k.length);
        }
    }

    private static int count(boolean[] k) {
        int n = 0;
        for (boolean b : k) {
            if (b) {
                n++;
            }
        }
        return n;
    }

    /** The positions of the true entries, ascending. */
    private static int[] indices(boolean[] survive) {
        int[] out = new int[count(survive)];
        int p = 0;
        for (int i = 0; i < survive.length; i++) {
            if (survive[i]) {
                out[p++] = i;
            }
        }
        return out;
    }

    /** Keeps the entries at {@code idx} (ascending) along {@code axis}; {@code shape} is updated (modified). */
    static float[] slice(float[] values, long[] shape, int axis, int[] idx) {
        int dim = (int) shape[axis];
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= (int) shape[i];
        }
        int inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= (int) shape[i];
        }
        float[] out = new float[outer * idx.length * inner];
        int p = 0;
        for (int o = 0; o < outer; o++) {
            for (int i : idx) {
                System.arraycopy(values, (o * dim + i) * inner, out, p, inner);
                p += inner;
            }
        }
        shape[axis] = idx.length;
        return out;
    }
}
