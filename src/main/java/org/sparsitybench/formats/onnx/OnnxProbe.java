package org.sparsitybench.formats.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.model.Model;

/**
 * Copies of a model for looking inside it: the same graph with intermediate values exposed as extra graph
 * outputs, so ONNX Runtime returns a layer's inputs (Wanda's calibration activations) alongside the result.
 */
public final class OnnxProbe {
    private OnnxProbe() {
    }

    /**
     * Writes {@code model} to {@code out} with each of {@code values} added as a float graph output (shape left
     * for the runtime to infer). The model's own file is not touched.
     */
    public static void withOutputs(Model model, Collection<String> values, Path out) throws IOException {
        if (!(model.source() instanceof OnnxSource source)) {
            throw new IllegalArgumentException("not an ONNX model read by OnnxReader: " + model.file());
        }
        AtomicFiles.refuseOverwrite(model.file(), out);
        ModelProto.Builder b = source.proto().toBuilder();
        Set<String> existing = new HashSet<>();
        b.getGraph().getOutputList().forEach(o -> existing.add(o.getName()));
        for (String v : values) {
            if (existing.add(v)) {
                // element type only: no shape field, so the runtime infers it (an empty shape would mean a scalar)
                b.getGraphBuilder().addOutput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName(v)
                        .setType(ai.onnx.proto.OnnxMl.TypeProto.newBuilder().setTensorType(
                                ai.onnx.proto.OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1))));
            }
        }
        ModelProto m = b.build();
        AtomicFiles.writeStream(out, m::writeTo);
    }
}
