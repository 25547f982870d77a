package org.sparsitybench.prune.stats;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sparsitybench.model.GraphNode;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;

/**
 * How many multiply-adds each weight takes part in per sample, from shapes propagated through the main graph
 * (batch 1, symbolic dimensions 1): a Conv weight is used once per output position (H_out·W_out), a Gemm or
 * MatMul weight once per row of its input. FLOPs are then {@code 2 · Σ uses(t) · nonZeros(t)}: dense FLOPs
 * with every weight, sparse-aware FLOPs with the kept ones. Shapes are followed through the common CNN and MLP
 * ops; a weight whose input shape cannot be inferred is left out (reported as unknown).
 */
public final class WeightUses {
    private final Map<String, Long> uses;

    private WeightUses(Map<String, Long> uses) {
        this.uses = Map.copyOf(uses);
    }

    /** Uses per prunable tensor name; tensors without an inferable count are absent. */
    public Map<String, Long> uses() {
        return uses;
    }

    public Optional<Long> uses(String tensor) {
        return Optional.ofNullable(uses.get(tensor));
    }

    /** {@code 2 · Σ uses · count} over the given per-tensor element counts (dense: all weights; sparse: kept). */
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

    /** Propagates shapes from the graph inputs' declared shapes (model not modified). */
    public static WeightUses of(Model model) {
        Map<String, long[]> shape = new HashMap<>();
        for (String in : model.graph().inputs()) {
            model.graph().shape(in).ifPresent(s -> {
                for (int i = 0; i < s.length; i++) {
                    if (s[i] < 0) {
                        s[i] = 1;
                    }
                }
                shape.put(in, s);
            });
        }
        for (WeightTensor t : model.tensors()) {
            shape.putIfAbsent(t.name(), t.shape());
        }
        Map<String, Long> uses = new HashMap<>();
        for (GraphNode n : model.graph().nodes()) {
            long[] x = shape.get(n.input(0));
            long[] out = infer(n, x, shape, model);
            if (out != null && !n.outputs().isEmpty()) {
                shape.put(n.outputs().get(0), out);
            }
            Optional<WeightTensor> w = model.tensor(n.input(1)).filter(WeightTensor::prunable);
            if (w.isPresent() && out != null) {
                long perWeight = switch (n.opType()) {
                    case "Conv" -> spatial(out);
                    case "Gemm", "MatMul" -> rows(out);
                    default -> -1;
                };
                if (perWeight > 0) {
                    uses.put(w.get().name(), perWeight);
                }
            }
        }
        return new WeightUses(uses);
    }

    private static long spatial(long[] out) {
        long p = 1;
        for (int i = 2; i < out.length; i++) {
            p *= out[i];
        }
        return p;
    }

    private static long rows(long[] out) {
        long p = 1;
        for (int i = 0; i < out.length - 1; i++) {
            p *= out[i];
        }
        return p;
    }

    private static long[] infer(GraphNode n, long[] x, Map<String, long[]> shape, Model model) {
        if (x == null) {
            return null;
        }
        switch (n.opType()) {
            case "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Gelu", "HardSwish", "HardSigmoid", "Clip",
                 "BatchNormalization", "InstanceNormalization", "LayerNormalization", "Dropout", "Identity",
                 "Softmax", "LogSoftmax", "Cast", "Neg", "Abs", "Sqrt", "Exp", "Erf", "PRelu" -> {
                return x.clone();
            }
            case "Add", "Sub", "Mul", "Div" -> {
                long[] y = shape.get(n.input(1));
                return y == null ? x.clone() : broadcast(x, y);
            }
            case "Conv" -> {
                long[] w = shape.get(n.input(1));
                if (w == null || x.length != w.length) {
                    return null;
                }
                long[] out = new long[x.length];
                out[0] = x[0];
                out[1] = w[0];
                for (int i = 2; i < x.length; i++) {
                    out[i] = window(n, i - 2, x.length - 2, x[i], w[i]);
                }
                return out;
            }
            case "MaxPool", "AveragePool", "LpPool" -> {
                long[] k = longs(n, "kernel_shape");
                if (k == null || k.length != x.length - 2) {
                    return null;
                }
                long[] out = x.clone();
                for (int i = 2; i < x.length; i++) {
                    out[i] = window(n, i - 2, x.length - 2, x[i], k[i - 2]);
                }
                return out;
            }
            case "GlobalAveragePool", "GlobalMaxPool" -> {
                long[] out = x.clone();
                for (int i = 2; i < out.length; i++) {
                    out[i] = 1;
                }
                return out;
            }
            case "Flatten" -> {
                int axis = (int) n.intAttribute("axis", 1);
                axis = axis < 0 ? axis + x.length : axis;
                long a = 1;
                long b = 1;
                for (int i = 0; i < x.length; i++) {
                    if (i < axis) {
                        a *= x[i];
                    } else {
                        b *= x[i];
                    }
                }
                return new long[] {a, b};
            }
            case "Gemm" -> {
                long[] w = shape.get(n.input(1));
                if (w == null || x.length != 2 || w.length != 2) {
                    return null;
                }
                long m = n.intAttribute("transA", 0) != 0 ? x[1] : x[0];
                long cols = n.intAttribute("transB", 0) != 0 ? w[0] : w[1];
                return new long[] {m, cols};
            }
            case "MatMul" -> {
                long[] w = shape.get(n.input(1));
                if (w == null || w.length != 2 || x.length < 1) {
                    return null;
                }
                long[] out = x.clone();
                out[out.length - 1] = w[1];
                return out;
            }
            case "Reshape" -> {
                Optional<WeightTensor> target = model.tensor(n.input(1));
                if (target.isEmpty()) {
                    return null;
                }
                float[] dims = target.get().data().readAllFloats();
                long total = 1;
                for (long d : x) {
                    total *= d;
                }
                long[] out = new long[dims.length];
                long known = 1;
                int unknown = -1;
                for (int i = 0; i < dims.length; i++) {
                    long d = (long) dims[i];
                    if (d == 0) {
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
            default -> {
                return null;
            }
        }
    }

    private static long window(GraphNode n, int axis, int spatialRank, long in, long kernel) {
        long[] strides = longs(n, "strides");
        long[] pads = longs(n, "pads");
        long[] dil = longs(n, "dilations");
        long s = strides == null ? 1 : strides[axis];
        long d = dil == null ? 1 : dil[axis];
        Object autoPad = n.attributes().get("auto_pad");
        if (autoPad instanceof String ap && (ap.startsWith("SAME"))) {
            return (in + s - 1) / s;
        }
        long p = pads == null ? 0 : pads[axis] + pads[axis + spatialRank];
        long eff = d * (kernel - 1) + 1;
        boolean ceil = n.intAttribute("ceil_mode", 0) != 0;
        long num = in + p - eff;
        return (ceil ? Math.floorDiv(num + s - 1, s) : Math.floorDiv(num, s)) + 1;
    }

    private static long[] longs(GraphNode n, String name) {
        Object v = n.attributes().get(name);
        return v instanceof long[] a ? a : null;
    }

    private static long[] broadcast(long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long x = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            long y = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            out[i] = Math.max(x, y);
        }
        return out;
    }

    /** For tests and reports: uses listed in tensor order. */
    public List<Map.Entry<String, Long>> entries() {
        return uses.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList();
    }
}
