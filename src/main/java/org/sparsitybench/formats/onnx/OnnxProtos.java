package org.sparsitybench.formats.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import org.sparsitybench.model.Model;

/**
 * The parsed protobuf behind a model {@link OnnxReader} read, for engine rooms that rewrite a graph (the
 * quantizer adds QuantizeLinear/DequantizeLinear nodes and initializers) rather than update tensor values.
 */
public final class OnnxProtos {
    private OnnxProtos() {
    }

    /**
     * @param model a model read by {@link OnnxReader} (not modified; the message is immutable)
     * @return the protobuf as read, unknown fields included
     * @throws IllegalArgumentException when {@code model} was not read from ONNX
     */
    public static ModelProto of(Model model) {
        if (!(model.source() instanceof OnnxSource source)) {
            throw new IllegalArgumentException("not an ONNX model read by OnnxReader: " + model.file());
        }
        return source.proto();
    }
}
