package org.sparsitybench.formats.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.UnsupportedModelException;

/**
 * A copy of a model for calibrating while its parameters change (layer-wise reconstruction, BatchNorm
 * re-estimation): the named float initializers become graph inputs, fed with their current values on every run,
 * so one ONNX Runtime session serves every step; intermediate values are exposed as extra outputs as in
 * {@link OnnxProbe}. The model's own file is not touched.
 */
public final class ParameterProbe {
    private ParameterProbe() {
    }

    /**
     * @param parameters initializers of the main graph to turn into inputs (same name, type and shape)
     * @param outputs    values to add as float graph outputs
     * @throws UnsupportedModelException when a parameter is not a float32 initializer of the main graph
     */
    public static void write(Model model, Collection<String> parameters, Collection<String> outputs, Path out)
            throws IOException {
        if (!(model.source() instanceof OnnxSource source)) {
            throw new IllegalArgumentException("not an ONNX model read by OnnxReader: " + model.file());
        }
        AtomicFiles.refuseOverwrite(model.file(), out);
        ModelProto.Builder b = source.proto().toBuilder();
        GraphProto.Builder g = b.getGraphBuilder();
        Set<String> wanted = new HashSet<>(parameters);
        Set<String> inputs = new HashSet<>();
        g.getInputList().forEach(i -> inputs.add(i.getName()));
        for (int i = g.getInitializerCount() - 1; i >= 0; i--) {
            TensorProto t = g.getInitializer(i);
            if (!wanted.remove(t.getName())) {
                continue;
            }
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                throw new UnsupportedModelException(model.file() + ": " + t.getName() + " is not float32; "
                        + "reconstruction writes float32 values");
            }
            g.removeInitializer(i);
            if (inputs.add(t.getName())) {
                TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
                t.getDimsList().forEach(d -> shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d)));
                g.addInput(ValueInfoProto.newBuilder().setName(t.getName()).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
                                .setShape(shape))));
            }
        }
        if (!wanted.isEmpty()) {
            throw new UnsupportedModelException(model.file() + ": " + wanted + " are not initializers of the main graph");
        }
        Set<String> existing = new HashSet<>();
        g.getOutputList().forEach(o -> existing.add(o.getName()));
        for (String v : outputs) {
            if (existing.add(v)) {
                g.addOutput(ValueInfoProto.newBuilder().setName(v).setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
            }
        }
        ModelProto m = b.build();
        AtomicFiles.writeStream(out, m::writeTo);
    }
}
