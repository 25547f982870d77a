package org.sparsitybench.prune.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sparsitybench.model.GraphNode;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;

/**
 * FLOPs of a model by the README's definition, {@code 2 · Σ uses(t) · nonZeros(t)}: how many multiply-adds each
 * weight takes part in per sample (batch 1, symbolic dimensions 1), from shapes propagated through the main graph.
 * A Conv weight is used once per output position (H_out·W_out), a ConvTranspose weight once per input position,
 * a Gemm or MatMul weight once per row of its output, an LSTM/GRU/RNN weight once per time step, an embedding
 * table never (a lookup multiplies nothing). Weights reaching their op through {@code Cast} or {@code Identity}
 * count for that op.
 *
 * <p>Shapes follow every op the readers meet in exported models: element-wise and broadcasting ops,
 * convolutions, pools, normalisations, Flatten, Reshape, Transpose, Squeeze/Unsqueeze, Concat, Split, Slice,
 * Gather, Pad, Resize/Upsample, Expand, Tile, reductions, MatMul with batch dimensions, recurrent layers; small
 * integer tensors (shapes computed at run time through Shape, Gather, Unsqueeze, Concat, Cast, Slice,
 * ConstantOfShape and arithmetic) are evaluated so that the Reshape, Pad and Resize that read them get their
 * sizes. A weight whose use count still cannot be told is absent from {@link #uses()}: its FLOPs are unknown
 * ("n/a"), never 0.
 */
public final class FlopCounter {
    /** Largest small integer tensor evaluated (shape arithmetic, not data). */
    private static final int MAX_VALUE_ELEMENTS = 64;
    private static final Set<String> SAME_SHAPE = Set.of("Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu",
            "Celu", "Gelu", "HardSwish", "HardSigmoid", "Clip", "BatchNormalization", "InstanceNormalization",
            "LayerNormalization", "GroupNormalization", "LpNormalization", "Dropout", "Identity", "Softmax",
            "LogSoftmax", "Hardmax", "Cast", "CastLike", "Neg", "Abs", "Sqrt", "Exp", "Log", "Erf", "Reciprocal",
            "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh",
            "Acosh", "Atanh", "Softplus", "Softsign", "Mish", "ThresholdedRelu", "Not", "IsNaN", "IsInf",
            "LRN", "MeanVarianceNormalization", "Shrink", "CumSum", "QuantizeLinear", "DequantizeLinear");
    private static final Set<String> BROADCAST = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Mean",
            "Sum", "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or", "Xor", "Mod", "PRelu",
            "Where", "BitShift");
    private static final Set<String> RECURRENT = Set.of("LSTM", "GRU", "RNN");

    private final Map<String, Long> uses;

    private FlopCounter(Map<String, Long> uses) {
        this.uses = Map.copyOf(uses);
    }

    /** Uses per sample by prunable tensor name; tensors whose count cannot be told are absent. */
    public Map<String, Long> uses() {
        return uses;
    }

    public Optional<Long> uses(String tensor) {
        return Optional.ofNullable(uses.get(tensor));
    }

    /** Whether {@code tensor}'s FLOPs are known (else they are "n/a", not 0). */
    public boolean known(String tensor) {
        return uses.containsKey(tensor);
    }

    /**
     * {@code 2 · Σ uses · count} over the given per-tensor element counts (dense: all weights; sparse: kept);
     * tensors whose uses are unknown are left out ({@link #unknown} names them).
     */
    public long flops(Map<String, Long> countsByTensor) {
        long f = 0;
        for (Map.Entry<String, Long> e : countsByTensor.entrySet()) {
            Long u = uses.get(e.getKey());
            if (u != null) {
                f += 2 * u * e.getValue();
            }
        }
        return f;
    }

    /** The tensors among {@code names} whose FLOPs are unknown, in the given order. */
    public List<String> unknown(Iterable<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (!uses.containsKey(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Uses listed by tensor name. */
    public List<Map.Entry<String, Long>> entries() {
        return uses.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList();
    }

    /** Propagates shapes from the graph inputs' declared shapes (model not modified). */
    public static FlopCounter of(Model model) {
        return new Propagation(model).run();
    }

    /** One pass over the main graph in file (topological) order. */
    private static final class Propagation {
        private final Model model;
        private final Map<String, long[]> shape = new HashMap<>();
        /** Values of small integer tensors, row-major, where known. */
        private final Map<String, long[]> value = new HashMap<>();
        /** Cast/Identity outputs of constants: the weight they carry. */
        private final Map<String, String> carries = new HashMap<>();
        private final Map<String, Long> uses = new HashMap<>();

        Propagation(Model model) {
            this.model = model;
        }

        FlopCounter run() {
            for (String in : model.graph().inputs()) {
                model.graph().shape(in).ifPresent(s -> {
                    for (int i = 0; i < s.length; i++) {
                        s[i] = s[i] < 0 ? 1 : s[i];
                    }
                    shape.put(in, s);
                });
            }
            for (WeightTensor t : model.tensors()) {
                if (t.storage().startsWith("subgraph")) {
                    continue;
                }
                shape.putIfAbsent(t.name(), t.shape());
                if (!t.dtype().isPrunableFloat() && t.elementCount() <= MAX_VALUE_ELEMENTS && t.dtype().isNumericReal()) {
                    float[] f = t.data().readAllFloats();
                    long[] v = new long[f.length];
                    for (int i = 0; i < f.length; i++) {
                        v[i] = (long) f[i]; // int64 extremes (Slice's "to the end") saturate, as they should
                    }
                    value.put(t.name(), v);
                }
            }
            for (GraphNode n : model.graph().nodes()) {
                if (n.outputs().isEmpty()) {
                    continue;
                }
                try {
                    node(n);
                } catch (RuntimeException e) {
                    // A shape this pass misreads (an attribute of an unexpected form) leaves the value unknown.
                    shape.remove(n.outputs().get(0));
                    value.remove(n.outputs().get(0));
                }
                try {
                    count(n);
                } catch (RuntimeException e) {
                    // as above: this weight's uses stay unknown
                }
            }
            return new FlopCounter(uses);
        }

        /** The prunable weight {@code name} is, or carries through Cast/Identity; null if none. */
        private WeightTensor weight(String name) {
            String w = carries.getOrDefault(name, name);
            return model.tensor(w).filter(WeightTensor::prunable).filter(t -> !t.storage().startsWith("subgraph"))
                    .orElse(null);
        }

        private void count(GraphNode n) {
            String op = n.opType();
            if ("Gather".equals(op)) {
                WeightTensor table = weight(n.input(0));
                if (table != null) {
                    uses.put(table.name(), 0L);
                }
                return;
            }
            if (RECURRENT.contains(op)) {
                long[] x = shape.get(n.input(0));
                for (int i = 1; i <= 2; i++) {
                    WeightTensor w = weight(n.input(i));
                    if (w != null && x != null && x.length == 3) {
                        uses.put(w.name(), x[0] * x[1]); // [seq, batch, input] (layout 0)
                    }
                }
                return;
            }
            WeightTensor w = weight(n.input(1));
            long[] out = shape.get(n.outputs().get(0));
            if (w == null || out == null) {
                return;
            }
            long per = switch (op) {
                case "Conv" -> product(out, 2, out.length);
                case "ConvTranspose" -> {
                    long[] x = shape.get(n.input(0));
                    yield x == null ? -1 : product(x, 2, x.length);
                }
                case "Gemm", "MatMul" -> product(out, 0, out.length - 1);
                default -> -1;
            };
            if (per >= 0) {
                uses.put(w.name(), per);
            }
        }

        private void node(GraphNode n) {
            String op = n.opType();
            String y = n.outputs().get(0);
            long[] x = shape.get(n.input(0));
            if ("Constant".equals(op)) {
                return; // read as a tensor already
            }
            if (("Cast".equals(op) || "Identity".equals(op)) && model.tensor(carries.getOrDefault(n.input(0),
                    n.input(0))).isPresent()) {
                carries.put(y, carries.getOrDefault(n.input(0), n.input(0)));
            }
            long[] out = null;
            long[] val = null;
            if (SAME_SHAPE.contains(op)) {
                out = x;
                if (("Cast".equals(op) || "Identity".equals(op)) && value.containsKey(n.input(0))) {
                    val = value.get(n.input(0));
                }
            } else if (BROADCAST.contains(op)) {
                out = x;
                for (int i = 1; i < n.inputs().size() && out != null; i++) {
                    long[] s = shape.get(n.input(i));
                    out = s == null ? null : broadcast(out, s);
                }
                val = arithmetic(op, n, out);
            } else {
                switch (op) {
                    case "Conv" -> out = conv(n, x, shape.get(n.input(1)));
                    case "ConvTranspose" -> out = convTranspose(n, x, shape.get(n.input(1)));
                    case "MaxPool", "AveragePool", "LpPool" -> out = pool(n, x);
                    case "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool" -> {
                        if (x != null) {
                            out = x.clone();
                            Arrays.fill(out, 2, out.length, 1);
                        }
                    }
                    case "Flatten" -> out = flatten(n, x);
                    case "Gemm" -> {
                        long[] w = shape.get(n.input(1));
                        if (x != null && w != null && x.length == 2 && w.length == 2) {
                            out = new long[] {n.intAttribute("transA", 0) != 0 ? x[1] : x[0],
                                    n.intAttribute("transB", 0) != 0 ? w[0] : w[1]};
                        }
                    }
                    case "MatMul" -> out = matmul(x, shape.get(n.input(1)));
                    case "Reshape" -> out = reshape(x, value.get(n.input(1)), n.intAttribute("allowzero", 0) != 0);
                    case "Transpose" -> out = transpose(n, x);
                    case "Squeeze" -> out = squeeze(x, axes(n, 1));
                    case "Unsqueeze" -> out = unsqueeze(x, axes(n, 1));
                    case "Concat" -> out = concat(n);
                    case "Split" -> split(n, x);
                    case "Slice" -> out = slice(n, x);
                    case "Gather" -> out = gather(n, x, shape.get(n.input(1)));
                    case "Pad" -> out = pad(n, x);
                    case "Resize", "Upsample" -> out = resize(n, x);
                    case "Expand" -> {
                        long[] to = value.get(n.input(1));
                        out = x == null || to == null ? null : broadcast(x, to);
                    }
                    case "Tile" -> {
                        long[] reps = value.get(n.input(1));
                        if (x != null && reps != null && reps.length == x.length) {
                            out = x.clone();
                            for (int i = 0; i < out.length; i++) {
                                out[i] *= reps[i];
                            }
                        }
                    }
                    case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                         "ReduceSumSquare", "ReduceLogSumExp", "ArgMax", "ArgMin" -> out = reduce(n, x);
                    case "Shape" -> {
                        if (x != null) {
                            out = new long[] {x.length};
                            val = x.clone();
                        }
                    }
                    case "Size" -> {
                        if (x != null) {
                            out = new long[0];
                            val = new long[] {product(x, 0, x.length)};
                        }
                    }
                    case "ConstantOfShape" -> {
                        long[] s = value.get(n.input(0));
                        out = s == null ? null : s.clone();
                        Object fill = n.attributes().getOrDefault("value", new long[] {0}); // ONNX's default: 0
                        if (s != null && product(s, 0, s.length) <= MAX_VALUE_ELEMENTS && fill instanceof long[] f
                                && f.length == 1) {
                            val = new long[(int) product(s, 0, s.length)];
                            Arrays.fill(val, f[0]);
                        }
                    }
                    case "Range" -> {
                        long[] a = value.get(n.input(0));
                        long[] b = value.get(n.input(1));
                        long[] d = value.get(n.input(2));
                        if (a != null && b != null && d != null && d[0] != 0) {
                            long len = Math.max(0, (b[0] - a[0] + d[0] - (d[0] > 0 ? 1 : -1)) / d[0]);
                            out = new long[] {len};
                        }
                    }
                    case "LSTM", "GRU", "RNN" -> recurrent(n, x);
                    default -> out = null;
                }
            }
            if (out != null) {
                shape.put(y, out);
            }
            if (val != null && out != null && val.length == product(out, 0, out.length)) {
                value.put(y, val);
            }
            if ("Split".equals(op) || RECURRENT.contains(op)) {
                return;
            }
            valueOps(n, out);
        }

        /** Values of the shape-arithmetic ops that pass small integer tensors along. */
        private void valueOps(GraphNode n, long[] out) {
            String y = n.outputs().get(0);
            long[] v = value.get(n.input(0));
            if (out == null || value.containsKey(y)) {
                return;
            }
            long[] r = switch (n.opType()) {
                case "Unsqueeze", "Squeeze", "Reshape", "Flatten" -> v;
                case "Concat" -> {
                    List<long[]> parts = new ArrayList<>();
                    for (String in : n.inputs()) {
                        long[] p = value.get(in);
                        if (p == null || out.length != 1) {
                            yield null;
                        }
                        parts.add(p);
                    }
                    yield parts.stream().flatMapToLong(Arrays::stream).toArray();
                }
                case "Gather" -> {
                    long[] idx = value.get(n.input(1));
                    long[] xs = shape.get(n.input(0));
                    if (v == null || idx == null || xs == null || xs.length != 1) {
                        yield null;
                    }
                    long[] g = new long[idx.length];
                    for (int i = 0; i < idx.length; i++) {
                        g[i] = v[(int) (idx[i] < 0 ? idx[i] + v.length : idx[i])];
                    }
                    yield g;
                }
                case "Slice" -> {
                    long[] xs = shape.get(n.input(0));
                    List<long[][]> ranges = v == null || xs == null ? null : sliceRange(n, xs);
                    if (ranges == null) {
                        yield null;
                    }
                    long[][] picked = new long[xs.length][];
                    for (int a = 0; a < xs.length; a++) {
                        picked[a] = java.util.stream.LongStream.range(0, xs[a]).toArray();
                    }
                    for (long[][] range : ranges) {
                        List<Long> idx = new ArrayList<>();
                        long step = range[0][2];
                        for (long i = range[0][0]; step > 0 ? i < range[0][1] : i > range[0][1]; i += step) {
                            idx.add(i);
                        }
                        picked[(int) range[1][0]] = idx.stream().mapToLong(Long::longValue).toArray();
                    }
                    yield gatherAll(v, xs, picked, null);
                }
                case "Transpose" -> {
                    long[] xs = shape.get(n.input(0));
                    if (v == null || xs == null) {
                        yield null;
                    }
                    long[] perm = longs(n, "perm");
                    int[] p = new int[xs.length];
                    for (int i = 0; i < p.length; i++) {
                        p[i] = perm == null ? xs.length - 1 - i : (int) perm[i];
                    }
                    long[][] all = new long[xs.length][];
                    for (int a = 0; a < xs.length; a++) {
                        all[a] = java.util.stream.LongStream.range(0, xs[a]).toArray();
                    }
                    yield gatherAll(v, xs, all, p);
                }
                default -> null;
            };
            if (r != null && r.length == product(out, 0, out.length)) {
                value.put(y, r);
            }
        }

        /**
         * The elements of a small row-major tensor {@code v} of shape {@code xs} at the index lists {@code picked}
         * (one per input axis), output axes in the order {@code perm} (output axis i is input axis perm[i]; null:
         * the input's order).
         */
        private static long[] gatherAll(long[] v, long[] xs, long[][] picked, int[] perm) {
            int rank = xs.length;
            int[] order = perm != null ? perm : java.util.stream.IntStream.range(0, rank).toArray();
            long[] stride = new long[rank];
            for (int a = rank - 1, st = 1; a >= 0; st *= (int) xs[a], a--) {
                stride[a] = st;
            }
            int total = 1;
            for (long[] p : picked) {
                total *= p.length;
            }
            long[] out = new long[total];
            int[] at = new int[rank]; // position along each output axis
            for (int k = 0; k < total; k++) {
                long src = 0;
                for (int o = 0; o < rank; o++) {
                    src += picked[order[o]][at[o]] * stride[order[o]];
                }
                out[k] = v[(int) src];
                for (int o = rank - 1; o >= 0; o--) {
                    if (++at[o] < picked[order[o]].length) {
                        break;
                    }
                    at[o] = 0;
                }
            }
            return out;
        }

        /** Element-wise integer arithmetic on known small values (shape computations). */
        private long[] arithmetic(String op, GraphNode n, long[] out) {
            if (out == null || n.inputs().size() != 2 || out.length > 1) {
                return null;
            }
            long[] a = value.get(n.input(0));
            long[] b = value.get(n.input(1));
            if (a == null || b == null) {
                return null;
            }
            int len = (int) product(out, 0, out.length);
            long[] r = new long[len];
            for (int i = 0; i < len; i++) {
                long p = a[a.length == 1 ? 0 : i];
                long q = b[b.length == 1 ? 0 : i];
                switch (op) {
                    case "Add" -> r[i] = p + q;
                    case "Sub" -> r[i] = p - q;
                    case "Mul" -> r[i] = p * q;
                    case "Div" -> {
                        if (q == 0) {
                            return null;
                        }
                        r[i] = p / q;
                    }
                    default -> {
                        return null;
                    }
                }
            }
            return r;
        }

        private void recurrent(GraphNode n, long[] x) {
            long[] w = shape.get(n.input(1));
            if (x == null || w == null || x.length != 3 || w.length != 3 || n.intAttribute("layout", 0) != 0) {
                return;
            }
            long dirs = w[0];
            long gates = "LSTM".equals(n.opType()) ? 4 : "GRU".equals(n.opType()) ? 3 : 1;
            long hidden = w[1] / gates;
            List<String> outs = n.outputs();
            if (!outs.isEmpty() && !outs.get(0).isEmpty()) {
                shape.put(outs.get(0), new long[] {x[0], dirs, x[1], hidden});
            }
            for (int i = 1; i < outs.size(); i++) {
                if (!outs.get(i).isEmpty()) {
                    shape.put(outs.get(i), new long[] {dirs, x[1], hidden});
                }
            }
        }

        private long[] conv(GraphNode n, long[] x, long[] w) {
            if (x == null || w == null || x.length != w.length || x.length < 3) {
                return null;
            }
            long[] out = new long[x.length];
            out[0] = x[0];
            out[1] = w[0];
            long[] k = longs(n, "kernel_shape");
            for (int i = 2; i < x.length; i++) {
                out[i] = window(n, i - 2, x.length - 2, x[i], k != null ? k[i - 2] : w[i]);
            }
            return out;
        }

        private long[] convTranspose(GraphNode n, long[] x, long[] w) {
            if (x == null || w == null || x.length != w.length || x.length < 3) {
                return null;
            }
            long[] out = new long[x.length];
            out[0] = x[0];
            out[1] = w[1] * n.intAttribute("group", 1);
            long[] explicit = longs(n, "output_shape");
            long[] strides = longs(n, "strides");
            long[] pads = longs(n, "pads");
            long[] dil = longs(n, "dilations");
            long[] extra = longs(n, "output_padding");
            int sr = x.length - 2;
            for (int i = 0; i < sr; i++) {
                if (explicit != null) {
                    out[i + 2] = explicit[explicit.length - sr + i];
                    continue;
                }
                long s = strides == null ? 1 : strides[i];
                long d = dil == null ? 1 : dil[i];
                long p = pads == null ? 0 : pads[i] + pads[i + sr];
                long e = extra == null ? 0 : extra[i];
                out[i + 2] = s * (x[i + 2] - 1) + e + ((w[i + 2] - 1) * d + 1) - p;
            }
            return out;
        }

        private long[] pool(GraphNode n, long[] x) {
            long[] k = longs(n, "kernel_shape");
            if (x == null || k == null || k.length != x.length - 2) {
                return null;
            }
            long[] out = x.clone();
            for (int i = 2; i < x.length; i++) {
                out[i] = window(n, i - 2, x.length - 2, x[i], k[i - 2]);
            }
            return out;
        }

        private static long[] flatten(GraphNode n, long[] x) {
            if (x == null) {
                return null;
            }
            int axis = (int) n.intAttribute("axis", 1);
            axis = axis < 0 ? axis + x.length : axis;
            return new long[] {product(x, 0, axis), product(x, axis, x.length)};
        }

        private static long[] matmul(long[] a, long[] b) {
            if (a == null || b == null || a.length == 0 || b.length == 0) {
                return null;
            }
            long[] a2 = a.length == 1 ? new long[] {1, a[0]} : a;
            long[] b2 = b.length == 1 ? new long[] {b[0], 1} : b;
            long[] batchA = Arrays.copyOf(a2, a2.length - 2);
            long[] batchB = Arrays.copyOf(b2, b2.length - 2);
            long[] batch = broadcast(batchA, batchB);
            List<Long> out = new ArrayList<>();
            for (long d : batch) {
                out.add(d);
            }
            if (a.length > 1) {
                out.add(a2[a2.length - 2]);
            }
            if (b.length > 1) {
                out.add(b2[b2.length - 1]);
            }
            return out.stream().mapToLong(Long::longValue).toArray();
        }

        private static long[] reshape(long[] x, long[] target, boolean allowZero) {
            if (x == null || target == null) {
                return null;
            }
            long total = product(x, 0, x.length);
            long[] out = new long[target.length];
            long known = 1;
            int unknown = -1;
            for (int i = 0; i < target.length; i++) {
                long d = target[i];
                if (d == 0 && !allowZero) {
                    d = i < x.length ? x[i] : 1;
                }
                if (d < 0) {
                    unknown = i;
                    continue;
                }
                out[i] = d;
                known *= d;
            }
            if (unknown >= 0) {
                out[unknown] = known == 0 ? 0 : total / known;
            }
            return out;
        }

        private static long[] transpose(GraphNode n, long[] x) {
            if (x == null) {
                return null;
            }
            long[] perm = longs(n, "perm");
            long[] out = new long[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = x[perm == null ? x.length - 1 - i : (int) perm[i]];
            }
            return out;
        }

        /** Axes from the attribute (older opsets) or the constant input {@code index} (opset 13+). */
        private long[] axes(GraphNode n, int index) {
            long[] a = longs(n, "axes");
            return a != null ? a : n.input(index).isEmpty() ? null : value.get(n.input(index));
        }

        private long[] squeeze(long[] x, long[] axes) {
            if (x == null) {
                return null;
            }
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                boolean drop = axes == null ? x[i] == 1 : contains(axes, i, x.length);
                if (!drop) {
                    out.add(x[i]);
                }
            }
            return out.stream().mapToLong(Long::longValue).toArray();
        }

        private static long[] unsqueeze(long[] x, long[] axes) {
            if (x == null || axes == null) {
                return null;
            }
            int rank = x.length + axes.length;
            long[] out = new long[rank];
            int j = 0;
            for (int i = 0; i < rank; i++) {
                out[i] = contains(axes, i, rank) ? 1 : x[j++];
            }
            return out;
        }

        private long[] concat(GraphNode n) {
            long[] first = shape.get(n.input(0));
            if (first == null) {
                return null;
            }
            int axis = (int) n.intAttribute("axis", 0);
            axis = axis < 0 ? axis + first.length : axis;
            long[] out = first.clone();
            out[axis] = 0;
            for (String in : n.inputs()) {
                long[] s = shape.get(in);
                if (s == null || s.length != first.length) {
                    return null;
                }
                out[axis] += s[axis];
            }
            return out;
        }

        private void split(GraphNode n, long[] x) {
            if (x == null) {
                return;
            }
            int axis = (int) n.intAttribute("axis", 0);
            axis = axis < 0 ? axis + x.length : axis;
            long[] sizes = longs(n, "split");
            if (sizes == null && !n.input(1).isEmpty()) {
                sizes = value.get(n.input(1));
            }
            int parts = n.outputs().size();
            for (int i = 0; i < parts; i++) {
                long[] out = x.clone();
                long even = (x[axis] + parts - 1) / parts; // equal parts, the last one smaller if need be
                out[axis] = sizes != null ? sizes[i] : i < parts - 1 ? even : x[axis] - even * (parts - 1);
                shape.put(n.outputs().get(i), out);
            }
        }

        /** Per sliced axis: {start, end, step} clamped to the input, in the order of the axes list. */
        private List<long[][]> sliceRange(GraphNode n, long[] x) {
            long[] starts = longs(n, "starts") != null ? longs(n, "starts") : value.get(n.input(1));
            long[] ends = longs(n, "ends") != null ? longs(n, "ends") : value.get(n.input(2));
            long[] axes = longs(n, "axes") != null ? longs(n, "axes") : n.input(3).isEmpty() ? null : value.get(n.input(3));
            long[] steps = n.input(4).isEmpty() ? null : value.get(n.input(4));
            if (starts == null || ends == null || (!n.input(3).isEmpty() && axes == null && longs(n, "starts") == null)
                    || (!n.input(4).isEmpty() && steps == null)) {
                return null;
            }
            List<long[][]> out = new ArrayList<>();
            for (int i = 0; i < starts.length; i++) {
                int axis = (int) (axes == null ? i : axes[i] < 0 ? axes[i] + x.length : axes[i]);
                long dim = x[axis];
                long step = steps == null ? 1 : steps[i];
                if (step == 0 || axis < 0 || axis >= x.length) {
                    return null; // invalid (ONNX forbids step 0); the value stays unknown
                }
                long s = starts[i] < 0 ? starts[i] + dim : starts[i];
                long e = ends[i] < 0 ? ends[i] + dim : ends[i];
                if (step > 0) {
                    s = Math.max(0, Math.min(dim, s));
                    e = Math.max(0, Math.min(dim, e));
                } else {
                    s = Math.max(-1, Math.min(dim - 1, s));
                    e = Math.max(-1, Math.min(dim - 1, e));
                }
                out.add(new long[][] {{s, e, step}, {axis}});
            }
            return out;
        }

        private long[] slice(GraphNode n, long[] x) {
            if (x == null) {
                return null;
            }
            List<long[][]> ranges = sliceRange(n, x);
            if (ranges == null) {
                return null;
            }
            long[] out = x.clone();
            for (long[][] r : ranges) {
                long s = r[0][0];
                long e = r[0][1];
                long step = r[0][2];
                long len = step > 0 ? Math.max(0, (e - s + step - 1) / step) : Math.max(0, (s - e - step - 1) / -step);
                out[(int) r[1][0]] = len;
            }
            return out;
        }

        private static long[] gather(GraphNode n, long[] x, long[] idx) {
            if (x == null || idx == null) {
                return null;
            }
            int axis = (int) n.intAttribute("axis", 0);
            axis = axis < 0 ? axis + x.length : axis;
            long[] out = new long[x.length - 1 + idx.length];
            int p = 0;
            for (int i = 0; i < axis; i++) {
                out[p++] = x[i];
            }
            for (long d : idx) {
                out[p++] = d;
            }
            for (int i = axis + 1; i < x.length; i++) {
                out[p++] = x[i];
            }
            return out;
        }

        private long[] pad(GraphNode n, long[] x) {
            long[] pads = longs(n, "pads") != null ? longs(n, "pads") : value.get(n.input(1));
            if (x == null || pads == null) {
                return null;
            }
            long[] axes = n.input(3).isEmpty() ? null : value.get(n.input(3));
            if (!n.input(3).isEmpty() && axes == null) {
                return null;
            }
            long[] out = x.clone();
            int k = axes == null ? x.length : axes.length;
            if (pads.length != 2 * k) {
                return null;
            }
            for (int i = 0; i < k; i++) {
                int axis = (int) (axes == null ? i : axes[i] < 0 ? axes[i] + x.length : axes[i]);
                out[axis] += pads[i] + pads[i + k];
            }
            return out;
        }

        private long[] resize(GraphNode n, long[] x) {
            if (x == null) {
                return null;
            }
            // Resize: X, roi, scales, sizes (opset 11+); Upsample and Resize-10: X, scales. Scales are float.
            boolean withRoi = "Resize".equals(n.opType()) && n.inputs().size() > 2;
            String sizesName = withRoi ? n.input(3) : "";
            String scalesName = withRoi ? n.input(2) : n.input(1);
            if (!sizesName.isEmpty() && value.containsKey(sizesName) && value.get(sizesName).length == x.length) {
                return value.get(sizesName).clone();
            }
            Optional<WeightTensor> scales = model.tensor(scalesName);
            if (scales.isEmpty() || scales.get().elementCount() != x.length) {
                return null;
            }
            float[] f = scales.get().data().readAllFloats();
            long[] out = new long[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = (long) Math.floor(x[i] * (double) f[i]);
            }
            return out;
        }

        private static long[] reduce(GraphNode n, long[] x) {
            if (x == null) {
                return null;
            }
            boolean keep = n.intAttribute("keepdims", 1) != 0;
            long[] axes = longs(n, "axes");
            if (n.opType().startsWith("Arg")) {
                axes = new long[] {n.intAttribute("axis", 0)};
            } else if (axes == null && !n.input(1).isEmpty()) {
                return null; // axes given as an input (opset 18): not followed
            }
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                boolean reduced = axes == null || contains(axes, i, x.length);
                if (!reduced) {
                    out.add(x[i]);
                } else if (keep) {
                    out.add(1L);
                }
            }
            return out.stream().mapToLong(Long::longValue).toArray();
        }

        private static long window(GraphNode n, int axis, int spatialRank, long in, long kernel) {
            long[] strides = longs(n, "strides");
            long[] pads = longs(n, "pads");
            long[] dil = longs(n, "dilations");
            long s = strides == null ? 1 : strides[axis];
            long d = dil == null ? 1 : dil[axis];
            Object autoPad = n.attributes().get("auto_pad");
            if (autoPad instanceof String ap && ap.startsWith("SAME")) {
                return (in + s - 1) / s;
            }
            long p = pads == null ? 0 : pads[axis] + pads[axis + spatialRank];
            long eff = d * (kernel - 1) + 1;
            boolean ceil = n.intAttribute("ceil_mode", 0) != 0;
            long num = in + p - eff;
            return (ceil ? Math.floorDiv(num + s - 1, s) : Math.floorDiv(num, s)) + 1;
        }
    }

    private static boolean contains(long[] axes, int i, int rank) {
        for (long a : axes) {
            if ((a < 0 ? a + rank : a) == i) {
                return true;
            }
        }
        return false;
    }

    private static long[] longs(GraphNode n, String name) {
        Object v = n.attributes().get(name);
        return v instanceof long[] a ? a : null;
    }

    private static long product(long[] s, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= s[i];
        }
        return p;
    }

    private static long[] broadcast(long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long x = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            long y = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            out[i] = x == 1 ? y : y == 1 ? x : Math.max(x, y);
        }
        return out;
    }
}
