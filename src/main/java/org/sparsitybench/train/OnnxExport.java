package org.sparsitybench.train;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/** The layers' view of {@link OnnxModelBuilder}: named nodes and float initializers. */
public final class OnnxExport {
    private final OnnxModelBuilder builder;

    public OnnxExport(OnnxModelBuilder builder) {
        this.builder = builder;
    }

    /** A node called {@code name} with one output; returns the output's name. */
    public String node(String name, String op, String output, String[] inputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setName(name).setOpType(op).addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        builder.node(n.build());
        return output;
    }

    /** Stores {@code p}'s values as a float initializer named like the parameter. */
    public String initializer(Param p) {
        builder.initializer(p.name, p.value, p.shape);
        return p.name;
    }

    public String initializer(String name, float[] values, long... dims) {
        builder.initializer(name, values, dims);
        return name;
    }

    public static String outputName(String output, String fallback) {
        return output != null ? output : fallback;
    }
}
