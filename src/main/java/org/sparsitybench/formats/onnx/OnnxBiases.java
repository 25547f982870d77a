package org.sparsitybench.formats.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.sparsitybench.model.Model;

/**
 * Gives layers that have no bias a zero one, so bias correction has somewhere to put {@code E[x]·(W − Ŵ)ᵀ}: a Gemm
 * without C gets C, a Conv without B gets B (both as new float32 initializers of one value per output channel), and
 * a MatMul gets an {@code Add} of a new initializer right after it (the MatMul writes to a new name, the Add to the
 * old one, so every consumer reads the sum). A zero bias changes no output, so the edited model computes what the
 * original did. The model's file is not touched: the edit lives in memory, the returned model keeps the file's
 * path (its external data is found beside it as before).
 */
public final class OnnxBiases {
    private OnnxBiases() {
    }

    /**
     * @param model    an ONNX model read by {@link OnnxReader} (not modified)
     * @param channels output channels per weight name: the weight operand (input 1) of a main-graph Gemm, Conv or
     *                 MatMul that has no bias; a Gemm or Conv that already has one is refused
     * @return the edited model, and by weight name the created bias's name
     * @throws IllegalArgumentException when a weight is not such an operand, or its node already has a bias
     */
    public static Created withZeroBiases(Model model, Map<String, Long> channels) throws IOException {
        if (!(model.source() instanceof OnnxSource source)) {
            throw new IllegalArgumentException("not an ONNX model read by OnnxReader: " + model.file());
        }
        ModelProto.Builder b = source.proto().toBuilder();
        GraphProto.Builder g = b.getGraphBuilder();
        Set<String> taken = new HashSet<>();
        g.getInitializerList().forEach(t -> taken.add(t.getName()));
        g.getInputList().forEach(v -> taken.add(v.getName()));
        for (NodeProto n : g.getNodeList()) {
            taken.addAll(n.getOutputList());
            taken.add(n.getName());
        }
        Map<String, String> created = new LinkedHashMap<>();
        Set<String> done = new HashSet<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            String weight = n.getInputCount() > 1 ? n.getInput(1) : "";
            if (!channels.containsKey(weight) || !done.add(weight)) {
                continue;
            }
            String bias = unique(taken, weight + ".bias");
            long c = channels.get(weight);
            g.addInitializer(OnnxModelBuilder.floatTensor(bias, new float[Math.toIntExact(c)], c));
            if (b.getIrVersion() < 4) { // before IR 4 every initializer is also a graph input
                g.addInput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName(bias).setType(
                        ai.onnx.proto.OnnxMl.TypeProto.newBuilder().setTensorType(ai.onnx.proto.OnnxMl.TypeProto.Tensor
                                .newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(
                                        ai.onnx.proto.OnnxMl.TensorShapeProto.newBuilder().addDim(
                                                ai.onnx.proto.OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(c))))));
            }
            switch (n.getOpType()) {
                case "Gemm", "Conv" -> {
                    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                        throw new IllegalArgumentException(n.getOpType() + " " + n.getName() + " already has a bias");
                    }
                    NodeProto.Builder nb = g.getNodeBuilder(i);
                    if (nb.getInputCount() > 2) {
                        nb.setInput(2, bias);
                    } else {
                        nb.addInput(bias);
                    }
                }
                case "MatMul" -> {
                    String out = n.getOutput(0);
                    String product = unique(taken, out + ".unbiased");
                    g.getNodeBuilder(i).setOutput(0, product);
                    g.addNode(i + 1, NodeProto.newBuilder().setOpType("Add")
                            .setName(unique(taken, (n.getName().isEmpty() ? weight : n.getName()) + ".bias_add"))
                            .addInput(product).addInput(bias).addOutput(out));
                    i++;
                }
                default -> throw new IllegalArgumentException(weight + " feeds a " + n.getOpType()
                        + ", which takes no bias");
            }
            created.put(weight, bias);
        }
        if (!created.keySet().equals(channels.keySet())) {
            Set<String> missing = new HashSet<>(channels.keySet());
            missing.removeAll(created.keySet());
            throw new IllegalArgumentException(model.file() + ": no main-graph Gemm, Conv or MatMul reads " + missing
                    + " as its weight");
        }
        return new Created(OnnxReader.of(b.build(), model.file()), created);
    }

    /**
     * @param model   the model with the new biases
     * @param biases  the created bias's name by weight name
     */
    public record Created(Model model, Map<String, String> biases) {
    }

    private static String unique(Set<String> taken, String name) {
        String n = name;
        for (int k = 1; !taken.add(n); k++) {
            n = name + "_" + k;
        }
        return n;
    }
}
