package org.sparsitybench.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparsitybench.model.GraphNode;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.model.WeightTensor;

/**
 * Reads a model's ONNX graph into a {@link GraphNetwork}. Supported: Gemm (transA = 0; transB, alpha, beta),
 * MatMul with a constant right operand, Add (of a constant: a bias; of two computed values: a residual sum),
 * Conv (pads, strides, dilations, groups), BatchNormalization (inference form), Relu, LeakyRelu, Sigmoid, Tanh,
 * MaxPool and AveragePool (floor rounding), GlobalAveragePool, Flatten (axis 1), Reshape to (N, −1), Concat on
 * axis 1, Identity and Dropout (identity: fine-tuning adds no dropout), Cast between float types (identity:
 * training computes in float32; a weight stored as fp16 behind a Cast trains as that fp16 initializer), and a
 * final Softmax or LogSoftmax (training uses the logits before it). Any other node, or a supported op used in a way the trainer cannot
 * differentiate, is an {@link UnsupportedModelException} naming the node and its op: never a silently wrong
 * gradient.
 */
public final class OnnxGraphReader {
    private OnnxGraphReader() {
    }

    /**
     * @param model              an ONNX model (not modified; its tensor values are read once)
     * @param sampleDims         one sample's input shape without the batch: {C, H, W} or {F}
     * @param frozenStatistics   batch norm keeps its running statistics during training (see {@link BatchNorm})
     * @throws UnsupportedModelException naming the first node the trainer cannot handle
     */
    public static GraphNetwork read(Model model, long[] sampleDims, boolean frozenStatistics) {
        if (model.format() != ModelFormat.ONNX || model.graph().nodes().isEmpty()) {
            throw new UnsupportedModelException(model.file() + ": training needs a graph (ONNX); "
                    + model.format().id() + " holds weights only");
        }
        if (sampleDims.length != 1 && sampleDims.length != 3) {
            throw new UnsupportedModelException(model.file() + ": training takes inputs of shape (N, F) or (N, C, H, "
                    + "W), not " + (sampleDims.length + 1) + "-D");
        }
        return new Builder(model, frozenStatistics).build(sampleDims);
    }

    /** ONNX FLOAT, FLOAT16, DOUBLE, BFLOAT16: the casts the trainer passes through. */
    private static final Set<Long> FLOAT_TYPES = Set.of(1L, 10L, 11L, 16L);

    private static final class Builder {
        private final Model model;
        private final boolean frozen;
        private final Map<String, Integer> slotOf = new HashMap<>();
        private final Map<String, Param> params = new LinkedHashMap<>();
        private final Map<String, Param> buffers = new LinkedHashMap<>();
        /** Values that are an initializer seen through Cast or Identity (fp16 weights cast to float), to its name. */
        private final Map<String, String> constants = new HashMap<>();
        private final List<GraphNetwork.Step> steps = new ArrayList<>();
        /** Outputs of Relu nodes folded into the MaxPool that alone reads them ({@link #reluIntoMaxPool}). */
        private final Set<String> reluBeforePool = new java.util.HashSet<>();
        /** Batch norms by output value, and folded ReLUs' inputs by output: for {@link #normIntoPool}. */
        private final Map<String, BatchNorm> normOf = new HashMap<>();
        private final Map<String, String> reluInput = new HashMap<>();
        private int slots;
        private String finalActivation = "";

        Builder(Model model, boolean frozen) {
            this.model = model;
            this.frozen = frozen;
        }

        GraphNetwork build(long[] sampleDims) {
            String input = model.graph().inputs().get(0);
            int inputSlot = newSlot(input);
            List<String> outputs = model.graph().outputs();
            Set<String> graphOutputs = Set.copyOf(outputs);
            for (GraphNode n : model.graph().nodes()) {
                node(n, graphOutputs);
            }
            String out = outputs.get(0);
            Integer outSlot = slotOf.get(out);
            if (outSlot == null) {
                throw new UnsupportedModelException(model.file() + ": the graph output '" + out
                        + "' is not computed from the input '" + input + "'");
            }
            return new GraphNetwork(steps, slots, inputSlot, outSlot, sampleDims, params, buffers, finalActivation);
        }

        private int newSlot(String value) {
            slotOf.put(value, slots);
            return slots++;
        }

        private UnsupportedModelException unsupported(GraphNode n, String why) {
            return new UnsupportedModelException(model.file() + ": node '" + n.name() + "' (op " + n.opType()
                    + ") cannot be trained: " + why);
        }

        private int computed(GraphNode n, int index) {
            String v = n.input(index);
            Integer s = slotOf.get(v);
            if (s == null) {
                throw unsupported(n, "input '" + v + "' is " + (model.tensor(v).isPresent() ? "a constant where the "
                        + "trainer needs a computed value" : "not computed from the graph input"));
            }
            return s;
        }

        private boolean isConstant(String value) {
            return !value.isEmpty() && !slotOf.containsKey(value)
                    && (constants.containsKey(value) || model.tensor(value).isPresent());
        }

        /** The initializer {@code value} as a trained parameter (one per name), or null for an omitted input. */
        private Param param(GraphNode n, String read, Map<String, Param> into) {
            if (read.isEmpty()) {
                return null;
            }
            String value = constants.getOrDefault(read, read);
            Param p = params.containsKey(value) ? params.get(value) : buffers.get(value);
            if (p != null) {
                return p;
            }
            WeightTensor t = model.tensor(value).orElseThrow(() -> unsupported(n, "input '" + value
                    + "' must be a constant tensor (an initializer)"));
            if (!t.dtype().isPrunableFloat()) {
                throw unsupported(n, "tensor '" + value + "' is " + t.dtype().displayName() + ", not a float type");
            }
            p = new Param(value, t.shape());
            float[] v = t.data().readAllFloats();
            System.arraycopy(v, 0, p.value, 0, v.length);
            into.put(value, p);
            return p;
        }

        private void step(GraphNode n, GraphNetwork.Kind kind, TrainableOp op, int... inputs) {
            if (n.outputs().isEmpty()) {
                throw unsupported(n, "no output");
            }
            for (int i = 1; i < n.outputs().size(); i++) {
                if (!n.outputs().get(i).isEmpty() && !model.graph().consumers(n.outputs().get(i)).isEmpty()) {
                    throw unsupported(n, "its extra output '" + n.outputs().get(i) + "' is used");
                }
            }
            steps.add(new GraphNetwork.Step(n.name(), n.opType(), kind, op, inputs, newSlot(n.outputs().get(0))));
        }

        /**
         * A node whose output is its input for training: of an initializer, the initializer itself (trained in
         * float32 and written back in its own dtype, the node kept); of a computed value, an alias.
         */
        private void passThrough(GraphNode n) {
            if (isConstant(n.input(0))) {
                constants.put(n.outputs().get(0), constants.getOrDefault(n.input(0), n.input(0)));
            } else {
                alias(n);
            }
        }

        private void alias(GraphNode n) {
            slotOf.put(n.outputs().get(0), computed(n, 0));
        }

        private void node(GraphNode n, Set<String> graphOutputs) {
            switch (n.opType()) {
                case "Constant" -> {
                    if (model.tensor(n.outputs().get(0)).isEmpty()) {
                        throw unsupported(n, "a constant the reader did not load");
                    }
                }
                case "Gemm" -> {
                    if (n.intAttribute("transA", 0) != 0) {
                        throw unsupported(n, "transA = 1 would multiply the transposed batch");
                    }
                    int x = computed(n, 0);
                    Param w = param(n, n.input(1), params);
                    Param c = param(n, n.input(2), params);
                    requireBias(n, c, (int) w.shape[n.intAttribute("transB", 0) != 0 ? 0 : 1]);
                    step(n, GraphNetwork.Kind.OP, new Dense(n.name(), w, c, n.intAttribute("transB", 0) != 0,
                            (float) doubleAttribute(n, "alpha", 1), (float) doubleAttribute(n, "beta", 1)), x);
                }
                case "MatMul" -> {
                    int x = computed(n, 0);
                    if (!isConstant(n.input(1))) {
                        throw unsupported(n, "only a product with a constant right operand (a weight) is trained");
                    }
                    Param w = param(n, n.input(1), params);
                    if (w.shape.length != 2) {
                        throw unsupported(n, "weight '" + w.name + "' is not a matrix");
                    }
                    step(n, GraphNetwork.Kind.OP, new Dense(n.name(), w, null, false, 1f, 1f), x);
                }
                case "Add" -> {
                    boolean c0 = isConstant(n.input(0));
                    boolean c1 = isConstant(n.input(1));
                    if (c0 && c1) {
                        throw unsupported(n, "both operands are constants");
                    }
                    if (c0 || c1) {
                        Param b = param(n, n.input(c0 ? 0 : 1), params);
                        if (!isBiasShape(b.shape)) {
                            throw unsupported(n, "constant '" + b.name + "' of shape " + java.util.Arrays.toString(
                                    b.shape) + " is not a per-feature or per-channel bias");
                        }
                        step(n, GraphNetwork.Kind.OP, new ChannelBias(b), computed(n, c0 ? 1 : 0));
                    } else {
                        step(n, GraphNetwork.Kind.SUM, null, computed(n, 0), computed(n, 1));
                    }
                }
                case "Conv" -> {
                    String autoPad = stringAttribute(n, "auto_pad", "NOTSET");
                    if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
                        throw unsupported(n, "auto_pad " + autoPad + " (give explicit pads)");
                    }
                    int x = computed(n, 0);
                    Param w = param(n, n.input(1), params);
                    if (w.shape.length != 4) {
                        throw unsupported(n, "only 2-D convolutions (4-D weights) are trained");
                    }
                    Param b = param(n, n.input(2), params);
                    requireBias(n, b, (int) w.shape[0]);
                    step(n, GraphNetwork.Kind.OP, new Conv2d(n.name(), w, b, ints(n, "strides", 2, 1),
                            ints(n, "pads", 4, 0), ints(n, "dilations", 2, 1), (int) n.intAttribute("group", 1)), x);
                }
                case "BatchNormalization" -> {
                    if (n.intAttribute("training_mode", 0) != 0) {
                        throw unsupported(n, "training_mode = 1 (export the model in inference mode)");
                    }
                    int x = computed(n, 0);
                    Param scale = param(n, n.input(1), params);
                    Param shift = param(n, n.input(2), params);
                    Param mean = param(n, n.input(3), buffers);
                    Param var = param(n, n.input(4), buffers);
                    BatchNorm bn = new BatchNorm(n.name(), scale, shift, mean, var,
                            (float) doubleAttribute(n, "epsilon", 1e-5),
                            (float) (1 - doubleAttribute(n, "momentum", 0.9)), frozen);
                    step(n, GraphNetwork.Kind.OP, bn, x);
                    normOf.put(n.outputs().get(0), bn);
                }
                case "Relu" -> {
                    if (reluIntoMaxPool(n, graphOutputs)) {
                        reluBeforePool.add(n.outputs().get(0));
                        reluInput.put(n.outputs().get(0), n.input(0));
                        alias(n);
                    } else {
                        step(n, GraphNetwork.Kind.OP, new Elementwise(Elementwise.Kind.RELU, 0), computed(n, 0));
                    }
                }
                case "LeakyRelu" -> step(n, GraphNetwork.Kind.OP, new Elementwise(Elementwise.Kind.LEAKY_RELU,
                        (float) doubleAttribute(n, "alpha", 0.01)), computed(n, 0));
                case "Sigmoid" -> step(n, GraphNetwork.Kind.OP, new Elementwise(Elementwise.Kind.SIGMOID, 0),
                        computed(n, 0));
                case "Tanh" -> step(n, GraphNetwork.Kind.OP, new Elementwise(Elementwise.Kind.TANH, 0), computed(n, 0));
                case "MaxPool", "AveragePool" -> {
                    if (n.intAttribute("ceil_mode", 0) != 0) {
                        throw unsupported(n, "ceil_mode = 1");
                    }
                    if (!stringAttribute(n, "auto_pad", "NOTSET").equals("NOTSET")) {
                        throw unsupported(n, "auto_pad (give explicit pads)");
                    }
                    int[] dil = ints(n, "dilations", 2, 1);
                    if (dil[0] != 1 || dil[1] != 1) {
                        throw unsupported(n, "dilated pooling");
                    }
                    int[] kernel = ints(n, "kernel_shape", 2, 0);
                    if (kernel[0] < 1 || kernel[1] < 1) {
                        throw unsupported(n, "no 2-D kernel_shape");
                    }
                    boolean max = n.opType().equals("MaxPool");
                    Pool2d pool = new Pool2d(max, kernel, ints(n, "strides", 2, 1), ints(n, "pads", 4, 0),
                            n.intAttribute("count_include_pad", 0) != 0, max && reluBeforePool.contains(n.input(0)));
                    step(n, GraphNetwork.Kind.OP, pool, computed(n, 0));
                    normIntoPool(n, pool, graphOutputs);
                }
                case "GlobalAveragePool" -> step(n, GraphNetwork.Kind.OP, new SpatialMean(), computed(n, 0));
                case "Flatten" -> {
                    if (n.intAttribute("axis", 1) != 1) {
                        throw unsupported(n, "axis " + n.intAttribute("axis", 1) + " (only axis 1 keeps the batch)");
                    }
                    step(n, GraphNetwork.Kind.OP, new Flatten(n.name()), computed(n, 0));
                }
                case "Reshape" -> {
                    int x = computed(n, 0);
                    WeightTensor shape = model.tensor(n.input(1)).orElseThrow(() -> unsupported(n,
                            "the target shape is computed at run time; only a constant (N, -1) is trained"));
                    float[] s = shape.data().readAllFloats();
                    boolean toFlat = s.length == 2 && ((s[0] == 0 || s[0] == -1) && s[1] == -1
                            || s[0] == -1 && s[1] > 0 || s[0] == 0 && s[1] > 0);
                    if (!toFlat) {
                        throw unsupported(n, "target shape " + java.util.Arrays.toString(s) + " is not (N, -1)");
                    }
                    step(n, GraphNetwork.Kind.OP, new Flatten(n.name()), x);
                }
                case "Concat" -> {
                    if (n.intAttribute("axis", 0) != 1) {
                        throw unsupported(n, "axis " + n.intAttribute("axis", 0) + " (only channels, axis 1)");
                    }
                    int[] ins = new int[n.inputs().size()];
                    for (int i = 0; i < ins.length; i++) {
                        ins[i] = computed(n, i);
                    }
                    step(n, GraphNetwork.Kind.CONCAT, null, ins);
                }
                case "Cast" -> {
                    long to = n.intAttribute("to", 0);
                    if (!FLOAT_TYPES.contains(to)) {
                        throw unsupported(n, "a cast to ONNX type " + to + "; only casts between float types are "
                                + "trained (training computes in float32)");
                    }
                    passThrough(n);
                }
                case "Identity", "Dropout" -> passThrough(n);
                case "Softmax", "LogSoftmax" -> {
                    if (!graphOutputs.contains(n.outputs().get(0))) {
                        throw unsupported(n, "only a final " + n.opType() + " (on the graph output) is supported");
                    }
                    finalActivation = n.opType();
                    alias(n);
                }
                default -> throw unsupported(n, "the trainer has no backward pass for " + n.opType());
            }
        }

        /**
         * Whether Relu node {@code n} can be folded into the MaxPool after it: its output is read by that one
         * MaxPool and nothing else (not a graph output). Max pooling commutes with ReLU, so the pool then clamps
         * its quarter-size output instead of a ReLU pass over the full maps, forward and backward (see
         * {@link Pool2d}); the node keeps its place in the file, which training never rewrites.
         */
        private boolean reluIntoMaxPool(GraphNode n, Set<String> graphOutputs) {
            String out = n.outputs().get(0);
            if (n.outputs().size() != 1 || graphOutputs.contains(out)) {
                return false;
            }
            List<GraphNode> readers = model.graph().consumers(out);
            return readers.size() == 1 && readers.get(0).opType().equals("MaxPool")
                    && readers.get(0).inputs().size() == 1 && readers.get(0).outputs().size() == 1;
        }

        /**
         * Hands the training normalisation of the batch norm before MaxPool node {@code n} (directly or through a
         * folded ReLU) to the pooling ({@link Pool2d#normaliseFirst}) when the pooling is 2×2 and the batch norm's
         * output is read by nothing else and is no graph output.
         */
        private void normIntoPool(GraphNode n, Pool2d pool, Set<String> graphOutputs) {
            String in = n.input(0);
            String source = reluInput.getOrDefault(in, in);
            BatchNorm bn = normOf.get(source);
            if (pool.isPairMax() && bn != null && !graphOutputs.contains(source)
                    && model.graph().consumers(source).size() == 1) {
                pool.normaliseFirst(bn);
            }
        }

        private void requireBias(GraphNode n, Param b, int outputs) {
            if (b != null && b.value.length != outputs && b.value.length != 1) {
                throw unsupported(n, "bias '" + b.name + "' has " + b.value.length + " values for " + outputs
                        + " outputs");
            }
        }

        /** [F], [1, F], [C, 1, 1], [1, C, 1, 1] or a single value: at most one dimension above 1. */
        private static boolean isBiasShape(long[] shape) {
            int big = 0;
            for (long d : shape) {
                if (d > 1) {
                    big++;
                }
            }
            return big <= 1 && (shape.length <= 2 || shape.length == 3 && shape[1] == 1 && shape[2] == 1
                    || shape.length == 4 && shape[0] == 1 && shape[2] == 1 && shape[3] == 1);
        }

        private static double doubleAttribute(GraphNode n, String key, double fallback) {
            Object v = n.attributes().get(key);
            return v instanceof Double d ? d : v instanceof Long l ? l : fallback;
        }

        private static String stringAttribute(GraphNode n, String key, String fallback) {
            Object v = n.attributes().get(key);
            return v instanceof String s ? s : fallback;
        }

        private int[] ints(GraphNode n, String key, int count, int fallback) {
            Object v = n.attributes().get(key);
            int[] out = new int[count];
            java.util.Arrays.fill(out, fallback);
            if (v instanceof long[] a) {
                if (a.length != count) {
                    throw unsupported(n, key + " has " + a.length + " values, expected " + count + " (2-D only)");
                }
                for (int i = 0; i < count; i++) {
                    out[i] = Math.toIntExact(a[i]);
                }
            }
            return out;
        }
    }
}
