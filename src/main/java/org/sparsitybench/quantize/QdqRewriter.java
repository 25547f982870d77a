package org.sparsitybench.quantize;

import static org.sparsitybench.formats.onnx.OnnxModelBuilder.floatTensor;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sparsitybench.formats.onnx.OnnxProtos;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.UnsupportedModelException;
import org.sparsitybench.model.WeightTensor;

/**
 * The QDQ rewrite of an ONNX graph, as ONNX Runtime expects it to fuse into integer kernels.
 *
 * <p>Static INT8 layers (Conv, Gemm, MatMul): the input activation passes through QuantizeLinear→DequantizeLinear
 * (uint8, per tensor), the weight is an int8 initializer (symmetric per output channel, zero point 0) behind a
 * DequantizeLinear, a bias becomes int32 with scale {@code x_scale · w_scale[c]}, and the output passes through
 * QuantizeLinear→DequantizeLinear. Before that, a BatchNormalization that alone consumes a Conv/Gemm output is
 * folded into its weights ({@code W'[c] = W[c]·k_c}, {@code b'[c] = (b[c] − μ_c)·k_c + β_c},
 * {@code k_c = γ_c / √(σ²_c + ε)}: a zero weight stays 0), and a Relu that alone consumes the output is absorbed
 * into the output's quantization (its range starts at 0, so the uint8 zero point is 0 and QuantizeLinear's
 * saturation is the Relu). An input reached from a quantized value only through MaxPool, Flatten, Reshape and
 * similar value-preserving ops reuses that value's scale and zero point, so ONNX Runtime drops the pair around
 * them and stays in integers. A graph output stays float.
 *
 * <p>Weight-only layers (INT8 per channel, INT4 in blocks along the input dimension, opset 21): only the
 * weight becomes an integer initializer behind a DequantizeLinear; the op computes in float.
 */
public final class QdqRewriter {
    /** Ops that move or select values without changing them: a quantized input passes through with its scale. */
    static final Set<String> PASS_THROUGH = Set.of("MaxPool", "Flatten", "Reshape", "Identity", "Squeeze", "Unsqueeze",
            "Transpose");
    static final Set<String> LAYER_OPS = Set.of("Conv", "Gemm", "MatMul");
    /** The metadata_props key describing the quantization. */
    public static final String METADATA_KEY = "sparsitybench.quantization";

    /**
     * One Conv/Gemm/MatMul layer as planned.
     *
     * @param weight      the weight initializer's name (the layer's name in reports and options)
     * @param node        index of the node in the main graph
     * @param nodeName    the node's name
     * @param precision   what its weight becomes
     * @param activations whether its input and output are quantized too (static INT8)
     * @param outAxis     output-channel axis of the weight
     * @param inAxis      input-feature axis of the weight (INT4 blocks run along it)
     * @param bnNode      index of a folded BatchNormalization, or −1
     * @param reluNode    index of an absorbed Relu, or −1
     * @param output      the value the layer's result is known by after folding and absorbing
     * @param quantizeOutput whether the output passes through QuantizeLinear→DequantizeLinear: never for a graph
     *                    output; always for Conv and MatMul (QLinearConv and QLinearMatMul need it; a float-output
     *                    MatMul followed by a bias Add is fused into a float Gemm first); for Gemm only when a static
     *                    layer reads it (QGemm gives float directly, so logits keep their precision)
     */
    public record LayerPlan(String weight, int node, String nodeName, String op, Precision precision,
                            boolean activations, int outAxis, int inAxis, int bnNode, int reluNode, String output,
                            boolean quantizeOutput) {
    }

    /** A prunable tensor the rewrite leaves float, and why. */
    public record Skipped(String weight, String reason) {
    }

    /** One layer's outcome. */
    public record LayerReport(String name, String node, String op, int bits, String scheme, long zerosBefore,
                              long zerosAfter, long elements) {
    }

    /** The rewritten model and what happened to each layer. */
    public record Result(ModelProto model, List<LayerReport> layers, List<Skipped> skipped, long opset) {
    }

    private final Model model;
    private final ModelProto proto;
    private final QuantizationConfig config;
    private final List<NodeProto> nodes;
    private final Map<String, TensorProto> inits = new HashMap<>();
    private final Map<String, Integer> producer = new HashMap<>();
    private final Map<String, List<Integer>> consumers = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    private final List<LayerPlan> layers = new ArrayList<>();
    private final List<Skipped> skipped = new ArrayList<>();

    private QdqRewriter(Model model, QuantizationConfig config) {
        this.model = model;
        this.proto = OnnxProtos.of(model);
        this.config = config;
        GraphProto g = proto.getGraph();
        this.nodes = g.getNodeList();
        g.getInitializerList().forEach(t -> inits.put(t.getName(), t));
        g.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).getInputList()) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
                }
            }
            for (String out : nodes.get(i).getOutputList()) {
                producer.put(out, i);
            }
        }
    }

    /**
     * Plans the rewrite of {@code model} (not modified) under {@code config}.
     *
     * @throws UnsupportedModelException naming the node when a layer asked for cannot be quantized
     * @throws IllegalArgumentException  when a layer option names no tensor of the model
     */
    public static QdqRewriter plan(Model model, QuantizationConfig config) {
        for (WeightTensor t : model.tensors()) {
            if (t.storage().contains("external")) {
                throw new UnsupportedModelException(model.file() + ": tensor " + t.name() + " is stored in external "
                        + "data; quantize reads models whose tensors are inside the .onnx file");
            }
        }
        QdqRewriter r = new QdqRewriter(model, config);
        r.planLayers();
        return r;
    }

    public List<LayerPlan> layers() {
        return List.copyOf(layers);
    }

    public List<Skipped> skipped() {
        return List.copyOf(skipped);
    }

    /** The weight names of every layer that can be quantized, quantized in this plan or not. */
    public Set<String> quantizable() {
        Set<String> out = new LinkedHashSet<>();
        layers.forEach(l -> out.add(l.weight()));
        return out;
    }

    /** The activation values static layers need ranges for (inputs, and outputs that are not graph outputs). */
    public Set<String> valuesToCalibrate() {
        Set<String> out = new LinkedHashSet<>();
        for (LayerPlan l : layers) {
            if (l.activations()) {
                out.add(nodes.get(l.node()).getInput(0));
                if (l.quantizeOutput()) {
                    out.add(l.output());
                }
            }
        }
        return out;
    }

    private void planLayers() {
        Map<String, LayerPlan> byWeight = new LinkedHashMap<>();
        Map<String, String> refusal = new HashMap<>();
        Set<String> staticInputs = new HashSet<>();
        for (NodeProto n : nodes) {
            if (LAYER_OPS.contains(n.getOpType()) && n.getInputCount() > 1 && inits.containsKey(n.getInput(1))
                    && config.mode() == QuantMode.STATIC && config.precisionOf(n.getInput(1)) == Precision.INT8) {
                staticInputs.add(n.getInput(0));
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (!LAYER_OPS.contains(n.getOpType()) || !(n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))
                    || n.getInputCount() < 2) {
                continue;
            }
            String w = n.getInput(1);
            TensorProto t = inits.get(w);
            if (t == null) {
                continue;
            }
            String name = nodeName(i);
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                refusal.put(w, "node " + name + " (" + n.getOpType() + ") has a weight of ONNX data type "
                        + t.getDataType() + "; only float32 weights are quantized");
                continue;
            }
            int rank = t.getDimsCount();
            int outAxis;
            int inAxis;
            switch (n.getOpType()) {
                case "Conv" -> {
                    if (rank < 3) {
                        continue;
                    }
                    outAxis = 0;
                    inAxis = 1;
                }
                case "Gemm" -> {
                    if (rank != 2 || intAttr(n, "transA", 0) != 0) {
                        refusal.put(w, "node " + name + " (Gemm) has transA=1 or a weight that is not 2-D");
                        continue;
                    }
                    boolean transB = intAttr(n, "transB", 0) != 0;
                    outAxis = transB ? 0 : 1;
                    inAxis = transB ? 1 : 0;
                }
                default -> {
                    if (rank != 2) {
                        refusal.put(w, "node " + name + " (MatMul) has a " + rank + "-D weight; only 2-D MatMul weights "
                                + "are quantized");
                        continue;
                    }
                    outAxis = 1;
                    inAxis = 0;
                }
            }
            if (byWeight.containsKey(w)) {
                continue; // a shared weight is quantized once; its DequantizeLinear feeds every user
            }
            Precision p = config.precisionOf(w);
            boolean activations = config.mode() == QuantMode.STATIC && p == Precision.INT8;
            String output = n.getOutput(0);
            int bn = -1;
            if (p != Precision.FLOAT32 && !n.getOpType().equals("MatMul")) {
                bn = foldableBatchNorm(i, w);
                if (bn >= 0) {
                    output = nodes.get(bn).getOutput(0);
                }
            }
            int relu = -1;
            boolean quantizeOutput = activations && !graphOutputs.contains(output)
                    && (!n.getOpType().equals("Gemm") || feedsStaticLayer(output, staticInputs));
            if (quantizeOutput) {
                List<Integer> cs = consumers.getOrDefault(output, List.of());
                if (cs.size() == 1 && nodes.get(cs.get(0)).getOpType().equals("Relu")
                        && !graphOutputs.contains(nodes.get(cs.get(0)).getOutput(0))) {
                    relu = cs.get(0);
                    output = nodes.get(relu).getOutput(0);
                }
            }
            byWeight.put(w, new LayerPlan(w, i, name, n.getOpType(), p, activations, outAxis, inAxis, bn, relu, output,
                    quantizeOutput));
        }
        layers.addAll(byWeight.values());
        Set<String> asked = new LinkedHashSet<>(config.layers().keySet());
        for (String a : asked) {
            if (!byWeight.containsKey(a)) {
                Optional<WeightTensor> t = model.tensor(a);
                if (t.isEmpty()) {
                    throw new IllegalArgumentException("no tensor named '" + a + "' in " + model.file()
                            + " (see 'sparsitybench inspect')");
                }
                if (config.layers().get(a) != Precision.FLOAT32) {
                    throw new UnsupportedModelException(model.file() + ": " + refusal.getOrDefault(a, "node "
                            + t.get().node() + " (" + t.get().op() + ") holds " + a + ", which is not a Conv, Gemm or "
                            + "MatMul weight initializer of the main graph") + "; it cannot be quantized as asked");
                }
            }
        }
        for (String e : config.excluded()) {
            if (model.tensor(e).isEmpty()) {
                throw new IllegalArgumentException("no tensor named '" + e + "' in " + model.file()
                        + " (see 'sparsitybench inspect')");
            }
        }
        for (WeightTensor t : model.prunableTensors()) {
            if (!byWeight.containsKey(t.name())) {
                skipped.add(new Skipped(t.name(), refusal.getOrDefault(t.name(), "node " + t.node() + " (" + t.op()
                        + ") is not a Conv, Gemm or MatMul of the main graph with this tensor as its weight")));
            }
        }
    }

    /** Whether {@code value} reaches the input of a static layer through Relu and value-preserving ops only. */
    private boolean feedsStaticLayer(String value, Set<String> staticInputs) {
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(value));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String v = todo.poll();
            if (!seen.add(v)) {
                continue;
            }
            if (staticInputs.contains(v)) {
                return true;
            }
            for (int c : consumers.getOrDefault(v, List.of())) {
                NodeProto n = nodes.get(c);
                if ((PASS_THROUGH.contains(n.getOpType()) || n.getOpType().equals("Relu")) && n.getInput(0).equals(v)
                        && n.getOutputCount() == 1) {
                    todo.add(n.getOutput(0));
                }
            }
        }
        return false;
    }

    /** Index of a BatchNormalization that alone consumes node {@code i}'s output and can be folded, or −1. */
    private int foldableBatchNorm(int i, String weight) {
        NodeProto n = nodes.get(i);
        List<Integer> cs = consumers.getOrDefault(n.getOutput(0), List.of());
        if (cs.size() != 1 || graphOutputs.contains(n.getOutput(0))) {
            return -1;
        }
        NodeProto bn = nodes.get(cs.get(0));
        if (!bn.getOpType().equals("BatchNormalization") || bn.getOutputCount() != 1 || bn.getInputCount() != 5
                || !bn.getInput(0).equals(n.getOutput(0)) || intAttr(bn, "training_mode", 0) != 0) {
            return -1;
        }
        for (int k = 1; k < 5; k++) {
            if (!inits.containsKey(bn.getInput(k)) || consumers.get(bn.getInput(k)).size() != 1) {
                return -1;
            }
        }
        if (consumers.get(weight).size() != 1) {
            return -1;
        }
        String bias = n.getInputCount() > 2 ? n.getInput(2) : "";
        if (!bias.isEmpty() && (!inits.containsKey(bias) || consumers.get(bias).size() != 1
                || inits.get(bias).getDimsCount() != 1)) {
            return -1;
        }
        if (n.getOpType().equals("Gemm") && (floatAttr(n, "alpha", 1f) != 1f || floatAttr(n, "beta", 1f) != 1f)) {
            return -1;
        }
        return cs.get(0);
    }

    /**
     * Rewrites the graph.
     *
     * @param params uint8 parameters of every value in {@link #valuesToCalibrate()} (not modified)
     */
    public Result rewrite(Map<String, AffineParams> params) {
        GraphProto.Builder g = proto.getGraph().toBuilder();
        g.clearNode();
        // Shapes and types of renamed or re-typed values would go stale; runtimes infer them again.
        g.clearValueInfo();
        Set<String> names = new HashSet<>(inits.keySet());
        names.addAll(producer.keySet());
        names.addAll(consumers.keySet());
        proto.getGraph().getInputList().forEach(v -> names.add(v.getName()));
        Namer namer = new Namer(names);

        Map<Integer, LayerPlan> byNode = new HashMap<>();
        Set<Integer> skip = new HashSet<>();
        for (LayerPlan l : layers) {
            if (l.precision() != Precision.FLOAT32) {
                byNode.put(l.node(), l);
                if (l.bnNode() >= 0) {
                    skip.add(l.bnNode());
                }
                if (l.reluNode() >= 0) {
                    skip.add(l.reluNode());
                }
            }
        }
        Map<String, String> dqOf = new HashMap<>();
        Map<String, AffineParams> paramsOf = new HashMap<>();
        Map<String, String> weightDq = new HashMap<>();
        Set<String> replaced = new HashSet<>();
        List<TensorProto> added = new ArrayList<>();
        List<LayerReport> reports = new ArrayList<>();
        boolean int4 = false;
        boolean int8 = false;
        for (int i = 0; i < nodes.size(); i++) {
            if (skip.contains(i)) {
                continue;
            }
            LayerPlan l = byNode.get(i);
            if (l == null) {
                g.addNode(nodes.get(i));
                continue;
            }
            NodeProto.Builder nb = nodes.get(i).toBuilder();
            String w = l.weight();
            TensorProto wt = inits.get(w);
            long[] shape = dims(wt);
            float[] original = model.tensor(w).orElseThrow().data().readAllFloats();
            float[] values = original;
            float[] bias = null;
            String biasName = nb.getInputCount() > 2 ? nb.getInput(2) : "";
            if (!biasName.isEmpty()) {
                bias = model.tensor(biasName).map(t -> t.data().readAllFloats()).orElse(null);
            }
            if (l.bnNode() >= 0) {
                NodeProto bn = nodes.get(l.bnNode());
                float[][] fold = fold(values, shape, l.outAxis(), bias, bn);
                values = fold[0];
                bias = fold[1];
                for (int k = 1; k < 5; k++) {
                    replaced.add(bn.getInput(k));
                }
            }
            QuantizedWeight q;
            if (l.precision() == Precision.INT8) {
                q = WeightQuantizer.perAxis(values, shape, l.outAxis(), Precision.INT8);
                int8 = true;
            } else if (shape[l.inAxis()] < config.block()) {
                q = WeightQuantizer.perAxis(values, shape, l.outAxis(), Precision.INT4);
                int4 = true;
            } else {
                q = WeightQuantizer.blocked(values, shape, l.inAxis(), config.block(), Precision.INT4);
                int4 = true;
            }
            long zerosBefore = 0;
            for (int k = 0; k < original.length; k++) {
                if (original[k] == 0f) {
                    zerosBefore++;
                    if (q.values()[k] != 0) {
                        throw new IllegalStateException(w + "[" + k + "] was 0 and quantized to " + q.values()[k]);
                    }
                }
            }
            reports.add(new LayerReport(w, l.nodeName(), l.op(), l.precision().bits(), (l.activations()
                    ? "static " : "weight-only ") + q.scheme() + (l.bnNode() >= 0 ? ", BatchNormalization folded" : "")
                    + (l.reluNode() >= 0 ? ", Relu absorbed into the output's range" : ""), zerosBefore, q.zerosAfter(),
                    original.length));

            AffineParams xp = null;
            if (l.activations()) {
                String x = nb.getInput(0);
                String xdq = dqOf.get(x);
                if (xdq == null) {
                    xp = inherited(x, paramsOf);
                    if (xp == null) {
                        xp = params.get(x);
                    }
                    if (xp == null) {
                        throw new IllegalArgumentException("no calibrated range for " + x);
                    }
                    xdq = addQdq(g, added, namer, x, x, namer.fresh(x + "_dequantized"), xp);
                    dqOf.put(x, xdq);
                    paramsOf.put(x, xp);
                } else {
                    xp = paramsOf.get(x);
                }
                nb.setInput(0, xdq);
            }
            String wdq = weightDq.get(w);
            if (wdq == null || l.bnNode() >= 0) {
                wdq = addWeightDq(g, added, namer, w, q, shape, !l.activations() && q.precision() == Precision.INT4);
                weightDq.put(w, wdq);
                replaced.add(w);
            }
            nb.setInput(1, wdq);
            if (bias != null) {
                String b;
                boolean intBias = l.activations() && (!l.op().equals("Gemm")
                        || (floatAttr(nodes.get(i), "beta", 1f) == 1f && floatAttr(nodes.get(i), "alpha", 1f) == 1f
                        && bias.length == shape[l.outAxis()]));
                if (intBias) {
                    b = addBiasDq(g, added, namer, biasName.isEmpty() ? w + "_bias" : biasName, bias, xp, q);
                } else if (l.bnNode() >= 0) {
                    b = namer.fresh((biasName.isEmpty() ? w : biasName) + "_folded");
                    added.add(floatTensor(b, bias, bias.length));
                } else {
                    b = biasName;
                }
                if (!biasName.isEmpty()) {
                    replaced.add(biasName);
                }
                if (nb.getInputCount() > 2) {
                    nb.setInput(2, b);
                } else {
                    nb.addInput(b);
                }
            }
            if (l.activations() && l.quantizeOutput()) {
                AffineParams yp = params.get(l.output());
                if (yp == null) {
                    throw new IllegalArgumentException("no calibrated range for " + l.output());
                }
                String pre = namer.fresh(l.output() + "_prequant");
                nb.setOutput(0, pre);
                g.addNode(nb);
                addQdq(g, added, namer, l.output(), pre, l.output(), yp);
                dqOf.put(l.output(), l.output());
                paramsOf.put(l.output(), yp);
            } else {
                nb.setOutput(0, l.output());
                g.addNode(nb);
            }
        }
        for (LayerPlan l : layers) {
            if (l.precision() == Precision.FLOAT32) {
                WeightTensor t = model.tensor(l.weight()).orElseThrow();
                reports.add(new LayerReport(l.weight(), l.nodeName(), l.op(), 32, "float32", t.stats().zeros(),
                        t.stats().zeros(), t.elementCount()));
            }
        }
        // Initializers no node reads any more (the float weights, biases, folded BatchNormalization parameters) go;
        // every other initializer stays as it was.
        Set<String> used = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            used.addAll(n.getInputList());
        }
        used.addAll(graphOutputs);
        List<TensorProto> kept = new ArrayList<>();
        Set<String> removed = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            if (replaced.contains(t.getName()) && !used.contains(t.getName())) {
                removed.add(t.getName());
            } else {
                kept.add(t);
            }
        }
        g.clearInitializer().addAllInitializer(kept).addAllInitializer(added);
        List<ValueInfoProto> inputs = new ArrayList<>(g.getInputList());
        inputs.removeIf(v -> removed.contains(v.getName()));
        g.clearInput().addAllInput(inputs);

        ModelProto.Builder mb = proto.toBuilder().setGraph(g);
        long opset = defaultOpset();
        long need = int4 ? 21 : int8 ? 13 : opset;
        if (need > opset) {
            OpsetUpgrade.check(nodes, opset, need, int4 ? "INT4 (blocked DequantizeLinear)" : "per-channel INT8",
                    model.file().toString());
            setDefaultOpset(mb, need);
            opset = need;
        }
        if (int4 && mb.getIrVersion() < 10) {
            mb.setIrVersion(10); // INT4 tensors arrived with IR version 10 (ONNX 1.16), as did opset 21
        }
        setMetadata(mb, reports);
        return new Result(mb.build(), reports, skipped, opset);
    }

    /** Parameters of the quantized value {@code x} is a pass-through copy of, or null. */
    private AffineParams inherited(String x, Map<String, AffineParams> paramsOf) {
        String t = x;
        for (int hops = 0; hops < nodes.size(); hops++) {
            Integer p = producer.get(t);
            if (p == null) {
                return null;
            }
            NodeProto n = nodes.get(p);
            if (!PASS_THROUGH.contains(n.getOpType()) || n.getOutputCount() != 1 || n.getInputCount() < 1) {
                return null;
            }
            t = n.getInput(0);
            AffineParams a = paramsOf.get(t);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    /** Adds x → QuantizeLinear → DequantizeLinear → {@code out}; returns {@code out}. */
    private static String addQdq(GraphProto.Builder g, List<TensorProto> added, Namer namer, String base, String in,
                                 String out, AffineParams p) {
        String scale = namer.fresh(base + "_scale");
        String zp = namer.fresh(base + "_zero_point");
        String q = namer.fresh(base + "_quantized");
        added.add(floatTensor(scale, new float[] {p.scale()}));
        added.add(TensorProto.newBuilder().setName(zp).setDataType(TensorProto.DataType.UINT8_VALUE)
                .setRawData(ByteString.copyFrom(new byte[] {(byte) p.zeroPoint()})).build());
        g.addNode(NodeProto.newBuilder().setOpType("QuantizeLinear").setName(namer.fresh(base + "_QuantizeLinear"))
                .addInput(in).addInput(scale).addInput(zp).addOutput(q));
        g.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(namer.fresh(base + "_DequantizeLinear"))
                .addInput(q).addInput(scale).addInput(zp).addOutput(out));
        return out;
    }

    private static String addWeightDq(GraphProto.Builder g, List<TensorProto> added, Namer namer, String w,
                                      QuantizedWeight q, long[] shape, boolean omitZeroPoint) {
        String qn = namer.fresh(w + "_quantized");
        String sn = namer.fresh(w + "_scale");
        String out = namer.fresh(w + "_dequantized");
        TensorProto.Builder qt = TensorProto.newBuilder().setName(qn);
        copyDims(qt, shape);
        if (q.precision() == Precision.INT4) {
            qt.setDataType(22).setRawData(ByteString.copyFrom(WeightQuantizer.packInt4(q.values())));
        } else {
            qt.setDataType(TensorProto.DataType.INT8_VALUE).setRawData(ByteString.copyFrom(q.values()));
        }
        added.add(qt.build());
        added.add(floatTensor(sn, q.scales(), q.scaleShape()));
        NodeProto.Builder dq = NodeProto.newBuilder().setOpType("DequantizeLinear")
                .setName(namer.fresh(w + "_DequantizeLinear")).addInput(qn).addInput(sn).addOutput(out);
        if (!omitZeroPoint) {
            String zn = namer.fresh(w + "_zero_point");
            int count = q.scales().length;
            TensorProto.Builder zt = TensorProto.newBuilder().setName(zn);
            if (q.precision() == Precision.INT4) {
                zt.setDataType(22).setRawData(ByteString.copyFrom(new byte[(count + 1) / 2]));
            } else {
                zt.setDataType(TensorProto.DataType.INT8_VALUE).setRawData(ByteString.copyFrom(new byte[count]));
            }
            for (long d : q.scaleShape()) {
                zt.addDims(d);
            }
            added.add(zt.build());
            dq.addInput(zn);
        }
        dq.addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                .setI(q.axis()));
        if (q.block() > 0) {
            dq.addAttribute(AttributeProto.newBuilder().setName("block_size").setType(AttributeProto.AttributeType.INT)
                    .setI(q.block()));
        }
        g.addNode(dq);
        return out;
    }

    /** Gives the quantized initializer the float weight's dims. */
    private static void copyDims(TensorProto.Builder to, long[] shape) {
        for (long d : shape) {
            to.addDims(d);
        }
    }

    /** int32 bias {@code rint(b[c] / (x_scale · w_scale[c]))}, scale {@code x_scale · w_scale[c]}, zero point 0. */
    private static String addBiasDq(GraphProto.Builder g, List<TensorProto> added, Namer namer, String base,
                                    float[] bias, AffineParams xp, QuantizedWeight q) {
        int c = bias.length;
        float[] scales = new float[c];
        ByteBuffer bq = ByteBuffer.allocate(4 * c).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < c; k++) {
            scales[k] = xp.scale() * q.scales()[k];
            double v = Math.rint(bias[k] / (double) scales[k]);
            bq.putInt((int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, v)));
        }
        bq.flip();
        String qn = namer.fresh(base + "_quantized");
        String sn = namer.fresh(base + "_scale");
        String zn = namer.fresh(base + "_zero_point");
        String out = namer.fresh(base + "_dequantized");
        added.add(TensorProto.newBuilder().setName(qn).setDataType(TensorProto.DataType.INT32_VALUE).addDims(c)
                .setRawData(ByteString.copyFrom(bq)).build());
        added.add(floatTensor(sn, scales, c));
        added.add(TensorProto.newBuilder().setName(zn).setDataType(TensorProto.DataType.INT32_VALUE).addDims(c)
                .setRawData(ByteString.copyFrom(new byte[4 * c])).build());
        g.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(namer.fresh(base + "_DequantizeLinear"))
                .addInput(qn).addInput(sn).addInput(zn).addOutput(out)
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(0)));
        return out;
    }

    /**
     * Folds a BatchNormalization into the weights before it: {W', b'} (w and bias not modified; bias may be null,
     * meaning 0).
     */
    private float[][] fold(float[] w, long[] shape, int outAxis, float[] bias, NodeProto bn) {
        float[] gamma = floats(bn.getInput(1));
        float[] beta = floats(bn.getInput(2));
        float[] mean = floats(bn.getInput(3));
        float[] var = floats(bn.getInput(4));
        double eps = floatAttr(bn, "epsilon", 1e-5f);
        int c = (int) shape[outAxis];
        if (gamma.length != c || beta.length != c || mean.length != c || var.length != c) {
            throw new UnsupportedModelException(model.file() + ": BatchNormalization " + bn.getName() + " has "
                    + gamma.length + " channels, its weight " + c);
        }
        double[] k = new double[c];
        for (int j = 0; j < c; j++) {
            k[j] = gamma[j] / Math.sqrt(var[j] + eps);
        }
        long inner = 1;
        for (int d = outAxis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        float[] wf = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            int ch = (int) ((i / inner) % c);
            wf[i] = w[i] == 0f ? 0f : (float) (w[i] * k[ch]);
        }
        float[] bf = new float[c];
        for (int j = 0; j < c; j++) {
            double b = bias == null ? 0 : bias[j];
            bf[j] = (float) ((b - mean[j]) * k[j] + beta[j]);
        }
        return new float[][] {wf, bf};
    }

    private float[] floats(String name) {
        return model.tensor(name).orElseThrow(() -> new UnsupportedModelException(model.file() + ": no tensor " + name))
                .data().readAllFloats();
    }

    private long defaultOpset() {
        for (OperatorSetIdProto o : proto.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return o.getVersion();
            }
        }
        return 1;
    }

    private static void setDefaultOpset(ModelProto.Builder mb, long version) {
        for (int i = 0; i < mb.getOpsetImportCount(); i++) {
            OperatorSetIdProto o = mb.getOpsetImport(i);
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                mb.setOpsetImport(i, o.toBuilder().setVersion(version));
                return;
            }
        }
        mb.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(version));
    }

    private void setMetadata(ModelProto.Builder mb, List<LayerReport> reports) {
        StringBuilder s = new StringBuilder("{\"tool\":\"SparsityBench\",\"mode\":\"")
                .append(config.mode().name().toLowerCase(java.util.Locale.ROOT)).append("\",\"layers\":{");
        for (int i = 0; i < reports.size(); i++) {
            s.append(i == 0 ? "" : ",").append('"').append(reports.get(i).name().replace("\"", "\\\"")).append("\":")
                    .append(reports.get(i).bits());
        }
        s.append("}}");
        for (int i = 0; i < mb.getMetadataPropsCount(); i++) {
            if (mb.getMetadataProps(i).getKey().equals(METADATA_KEY)) {
                mb.removeMetadataProps(i);
                break;
            }
        }
        mb.addMetadataProps(StringStringEntryProto.newBuilder().setKey(METADATA_KEY).setValue(s.toString()));
    }

    private String nodeName(int i) {
        return model.graph().nodes().size() == nodes.size() ? model.graph().nodes().get(i).name()
                : nodes.get(i).getName().isEmpty() ? nodes.get(i).getOpType() + "_" + i : nodes.get(i).getName();
    }

    private static long[] dims(TensorProto t) {
        long[] d = new long[t.getDimsCount()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.getDims(i);
        }
        return d;
    }

    static long intAttr(NodeProto n, String name, long fallback) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return fallback;
    }

    static float floatAttr(NodeProto n, String name, float fallback) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getF();
            }
        }
        return fallback;
    }

    /** Names for new values and nodes that collide with none in the graph. */
    private static final class Namer {
        private final Set<String> taken;

        Namer(Set<String> taken) {
            this.taken = new HashSet<>(taken);
        }

        String fresh(String base) {
            String n = base;
            for (int i = 1; !taken.add(n); i++) {
                n = base + "_" + i;
            }
            return n;
        }
    }
}
