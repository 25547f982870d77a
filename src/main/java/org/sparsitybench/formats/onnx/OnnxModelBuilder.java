package org.sparsitybench.formats.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.sparsitybench.formats.AtomicFiles;

/**
 * Builds ONNX models from code: graphs for the sample models the project trains and for tests. Produces plain
 * protobuf messages; {@link #save(Path)} writes atomically.
 */
public final class OnnxModelBuilder {
    /** ONNX IR version written (IR 8 = ONNX 1.10+, read by every ONNX Runtime in use). */
    public static final long IR_VERSION = 8;

    private final ModelProto.Builder model = ModelProto.newBuilder();
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int nodeCounter;

    /**
     * @param graphName name of the main graph
     * @param opset     default-domain opset version, e.g. 13
     */
    public OnnxModelBuilder(String graphName, int opset) {
        model.setIrVersion(IR_VERSION).setProducerName("SparsityBench").setProducerVersion("0.1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
        graph.setName(graphName);
    }

    /** A float32 graph input; a negative dimension is symbolic ("N"). */
    public OnnxModelBuilder input(String name, int elemType, long... dims) {
        graph.addInput(valueInfo(name, elemType, dims));
        return this;
    }

    public OnnxModelBuilder output(String name, int elemType, long... dims) {
        graph.addOutput(valueInfo(name, elemType, dims));
        return this;
    }

    /** A float32 initializer stored in raw_data. */
    public OnnxModelBuilder initializer(String name, float[] values, long... dims) {
        graph.addInitializer(floatTensor(name, values, dims));
        return this;
    }

    /** An initializer built elsewhere (any dtype or storage). */
    public OnnxModelBuilder initializer(TensorProto tensor) {
        graph.addInitializer(tensor);
        return this;
    }

    /** A node; attributes are built with the {@code attr*} helpers. Returns the node's name. */
    public String node(String opType, String[] inputs, String[] outputs, AttributeProto... attributes) {
        String name = opType + "_" + nodeCounter++;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(name);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (String out : outputs) {
            n.addOutput(out);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return name;
    }

    public OnnxModelBuilder node(NodeProto node) {
        graph.addNode(node);
        return this;
    }

    public OnnxModelBuilder metadata(String key, String value) {
        model.addMetadataProps(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value));
        return this;
    }

    public GraphProto.Builder graph() {
        return graph;
    }

    public ModelProto build() {
        return model.clone().setGraph(graph.clone()).build();
    }

    /** Writes the model to {@code file} atomically. */
    public void save(Path file) throws IOException {
        ModelProto m = build();
        AtomicFiles.writeStream(file, m::writeTo);
    }

    public static TensorProto floatTensor(String name, float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        b.flip();
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    public static TensorProto int64Tensor(String name, long[] values, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE);
        for (long v : values) {
            t.addInt64Data(v);
        }
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    public static ValueInfoProto valueInfo(String name, int elemType, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        int sym = 0;
        for (long d : dims) {
            shape.addDim(d >= 0 ? TensorShapeProto.Dimension.newBuilder().setDimValue(d)
                    : TensorShapeProto.Dimension.newBuilder().setDimParam(sym++ == 0 ? "N" : "D" + sym));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    public static AttributeProto attrInt(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto attrFloat(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    public static AttributeProto attrInts(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    public static AttributeProto attrTensor(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value).build();
    }

    public static AttributeProto attrGraph(String name, GraphProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(value).build();
    }
}
