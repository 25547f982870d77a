package org.sparsitybench.tools.fuzz;

import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrGraph;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrInt;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrTensor;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.floatTensor;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.int64Tensor;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.valueInfo;
import static org.sparsitybench.tools.fuzz.Bytes.concat;
import static org.sparsitybench.tools.fuzz.Bytes.varint;

import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;

/** The models and files the ONNX cases start from: the valid Gemm model, edits of it, and case setups. */
final class OnnxModels {
    private OnnxModels() {
    }

    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;

    static final int INT64 = TensorProto.DataType.INT64_VALUE;

    static final float[] W_VALUES = {1, -2, 3, -4, 0.5f, 0, 0, 7, -8, 9, 10, -11.5f};

    static final float[] B_VALUES = {0.25f, -1, 0};

    /** The small valid model every structure-aware case starts from: Y = Gemm(X[N,4], W[3,4], B[3], transB=1). */
    static final ModelProto GEMM = gemmBuilder("W").build();

    /** Adds {@code cases} with overloads for whole models. */
    record OnnxCases(Cases list) {
        void add(String generator, long seed, String detail, Expect expect, CaseSetup setup) {
            list.add(generator, seed, detail, expect, setup);
        }

        void add(String generator, String detail, Expect expect, CaseSetup setup) {
            list.add(generator, detail, expect, setup);
        }

        void add(String generator, String detail, Expect expect, ModelProto model) {
            list.add(generator, detail, expect, model(model));
        }
    }

    /** Fills the typed field ONNX uses for {@code dtype} with {@code n} values; returns the field's name. */
    static String fillTypedField(TensorProto.Builder t, int dtype, int n, Random r) {
        switch (dtype) {
            case 1, 14 -> {
                for (int i = 0; i < n; i++) {
                    t.addFloatData(i % 5 == 4 ? Float.NaN : (float) r.nextGaussian());
                }
                return "float_data";
            }
            case 11, 15 -> {
                for (int i = 0; i < n; i++) {
                    t.addDoubleData(i % 5 == 4 ? Double.POSITIVE_INFINITY : r.nextGaussian() * 1e300);
                }
                return "double_data";
            }
            case 7 -> {
                for (int i = 0; i < n; i++) {
                    t.addInt64Data(r.nextLong());
                }
                return "int64_data";
            }
            case 12, 13 -> {
                for (int i = 0; i < n; i++) {
                    t.addUint64Data(r.nextLong());
                }
                return "uint64_data";
            }
            case 8 -> {
                for (int i = 0; i < n; i++) {
                    t.addStringData(ByteString.copyFromUtf8("s" + i));
                }
                return "string_data";
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    t.addInt32Data(r.nextInt());
                }
                return "int32_data";
            }
        }
    }

    static OnnxModelBuilder gemmBuilder(String wName) {
        OnnxModelBuilder b = new OnnxModelBuilder("gemm", 13).input("X", FLOAT, -1, 4).output("Y", FLOAT, -1, 3)
                .initializer(wName, W_VALUES, 3, 4).initializer("B", B_VALUES, 3);
        b.node("Gemm", new String[] {"X", wName, "B"}, new String[] {"Y"}, attrInt("transB", 1));
        return b;
    }

    static ModelProto edit(Consumer<ModelProto.Builder> change) {
        ModelProto.Builder m = GEMM.toBuilder();
        change.accept(m);
        return m.build();
    }

    static ModelProto editW(Consumer<TensorProto.Builder> change) {
        return edit(m -> change.accept(m.getGraphBuilder().getInitializerBuilder(0)));
    }

    static ModelProto withW(TensorProto w) {
        return edit(m -> m.getGraphBuilder().setInitializer(0, w));
    }

    /** W comes from a Constant node (inserted before the Gemm) instead of an initializer. */
    static ModelProto withConstantW(TensorProto value) {
        return withConstantW(attrTensor("value", value));
    }

    static ModelProto withConstantW(AttributeProto... attributes) {
        return edit(m -> {
            NodeProto.Builder n = NodeProto.newBuilder().setOpType("Constant").setName("const_w").addOutput("W");
            for (AttributeProto a : attributes) {
                n.addAttribute(a);
            }
            m.getGraphBuilder().removeInitializer(0).addNode(0, n);
        });
    }

    static ModelProto withSparseW(SparseTensorProto.Builder sparse) {
        return edit(m -> m.getGraphBuilder().removeInitializer(0).addSparseInitializer(sparse));
    }

    static ModelProto withMainNode(NodeProto node) {
        return edit(m -> m.getGraphBuilder().addNode(node));
    }

    static SparseTensorProto.Builder sparse(float[] values, long[] indices, long[] indexDims, long... dims) {
        SparseTensorProto.Builder s = SparseTensorProto.newBuilder().setValues(floatTensor("W", values, values.length))
                .setIndices(int64Tensor("", indices, indexDims));
        for (long d : dims) {
            s.addDims(d);
        }
        return s;
    }

    static TensorProto.Builder tensor(String name, int dtype, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(dtype);
        for (long d : dims) {
            t.addDims(d);
        }
        return t;
    }

    static TensorProto.Builder fillFloats(TensorProto.Builder t, int n) {
        for (int i = 0; i < n; i++) {
            t.addFloatData(i);
        }
        return t;
    }

    static TensorProto.Builder fillInts(TensorProto.Builder t, int n) {
        for (int i = 0; i < n; i++) {
            t.addInt32Data(i * 1000);
        }
        return t;
    }

    /** W [3,4] float stored externally with the given external_data key/value pairs. */
    static TensorProto externalW(String... keyValues) {
        TensorProto.Builder t = tensor("W", FLOAT, 3, 4).setDataLocation(TensorProto.DataLocation.EXTERNAL);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            t.addExternalData(kv(keyValues[i], keyValues[i + 1]));
        }
        return t.build();
    }

    static StringStringEntryProto kv(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** A one-node subgraph holding a valid 3x4 initializer. */
    static GraphProto leafGraph(String tensorName) {
        return GraphProto.newBuilder().setName("leaf").addInitializer(floatTensor(tensorName, W_VALUES, 3, 4))
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput(tensorName).addOutput("leaf_out"))
                .addOutput(valueInfo("leaf_out", FLOAT, 3, 4)).build();
    }

    /** A control-flow node carrying {@code inner}: If (then_branch + leaf else_branch), Loop (body), Scan (GRAPHS). */
    static NodeProto ifNode(GraphProto inner, String kind) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(kind).addInput("cond").addOutput("out");
        switch (kind) {
            case "If" -> n.addAttribute(attrGraph("then_branch", inner)).addAttribute(attrGraph("else_branch", leafGraph("W")));
            case "Loop" -> n.addAttribute(attrGraph("body", inner));
            default -> n.addAttribute(AttributeProto.newBuilder().setName("graphs").setType(AttributeType.GRAPHS)
                    .addGraphs(leafGraph("W")).addGraphs(inner));
        }
        return n.build();
    }

    static GraphProto ifGraph(GraphProto inner, String kind) {
        return GraphProto.newBuilder().setName("level").addInitializer(floatTensor("W", W_VALUES, 3, 4))
                .addNode(ifNode(inner, kind)).addOutput(valueInfo("out", FLOAT, 3, 4)).build();
    }

    /** A main-graph node whose subgraph chain is {@code depth} graphs deep. */
    static NodeProto nestedIf(int depth, String kind) {
        GraphProto g = leafGraph("W");
        for (int i = 1; i < depth; i++) {
            g = ifGraph(g, kind);
        }
        return ifNode(g, kind);
    }

    /** Subgraphs {@code depth} deep; every If node has a {@code nameLength}-char name, every graph the same tensors. */
    static NodeProto longNamedNest(int depth, int nameLength, int tensorsPerLevel) {
        String name = "n".repeat(nameLength);
        GraphProto g = GraphProto.getDefaultInstance();
        for (int d = 0; d < depth; d++) {
            GraphProto.Builder level = GraphProto.newBuilder().setName("level" + d);
            for (int i = 0; i < tensorsPerLevel; i++) {
                level.addInitializer(floatTensor("t" + i, new float[] {i}, 1));
            }
            level.addNode(NodeProto.newBuilder().setOpType("If").setName(name).addInput("cond").addOutput("out")
                    .addAttribute(attrGraph("then_branch", g)));
            g = level.build();
        }
        return g.getNode(0);
    }

    // Raw protobuf for nesting too deep to build (or serialize) through the Java builders.

    static final byte[] IR_AND_OPSET = concat(new byte[] {0x08, 0x08}, // ir_version 8
            new byte[] {0x42, 0x02, 0x10, 0x0D}); // opset_import { version: 13 }

    /** ModelProto { ir_version, opset, graph: g0 } where g_i = { node { op_type If, attribute { then_branch: g_i+1 } } }. */
    static byte[] rawNestedIf(int depth) {
        byte[] opType = concat(new byte[] {0x22, 0x02}, "If".getBytes(StandardCharsets.US_ASCII)); // NodeProto.op_type = 4
        byte[] attrHead = concat(new byte[] {0x0A, 0x0B}, "then_branch".getBytes(StandardCharsets.US_ASCII), // name = 1
                new byte[] {(byte) 0xA0, 0x01, 0x05}); // type = 20: GRAPH
        // Cycle: graph.node (1) -> node [op_type] .attribute (5) -> attribute [name, type] .g (6) -> graph ...
        byte[] body = nested(3 * depth, new byte[][] {{}, opType, attrHead}, new int[] {1, 5, 6});
        return concat(IR_AND_OPSET, tagged(7, body));
    }

    /** graph.input[0].type = TypeProto { sequence_type { elem_type { sequence_type { ... } } } }. */
    static byte[] rawNestedSequenceType(int depth) {
        byte[] type = nested(2 * depth, new byte[][] {{}, {}}, new int[] {4, 1});
        byte[] input = concat(new byte[] {0x0A, 0x01, 'X'}, tagged(2, type)); // ValueInfoProto name=1, type=2
        return concat(IR_AND_OPSET, tagged(7, concat(GEMM.getGraph().toByteArray(), tagged(11, input))));
    }

    /** The valid model followed by an unknown field 1000 made of start-groups nested {@code depth} deep. */
    static byte[] rawNestedGroups(int depth) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(GEMM.toByteArray());
        byte[] start = varint((1000L << 3) | 3);
        byte[] end = varint((1000L << 3) | 4);
        for (int i = 0; i < depth; i++) {
            out.writeBytes(start);
        }
        for (int i = 0; i < depth; i++) {
            out.writeBytes(end);
        }
        return out.toByteArray();
    }

    static byte[] rawNestedUnknownMessages(int depth) {
        return concat(GEMM.toByteArray(), tagged(1000, nested(depth, new byte[][] {{}}, new int[] {1000})));
    }

    /**
     * A chain of {@code levels} messages, outermost first: level i holds {@code prefix[i % p]} then field
     * {@code field[i % p]} (length-delimited) holding level i+1; the innermost is empty. Built in linear time.
     */
    static byte[] nested(int levels, byte[][] prefix, int[] field) {
        int p = field.length;
        long[] size = new long[levels + 1];
        for (int i = levels - 1; i >= 0; i--) {
            size[i] = prefix[i % p].length + varint((long) field[i % p] << 3 | 2).length
                    + varint(size[i + 1]).length + size[i + 1];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) size[0]);
        for (int i = 0; i < levels; i++) {
            out.writeBytes(prefix[i % p]);
            out.writeBytes(varint((long) field[i % p] << 3 | 2));
            out.writeBytes(varint(size[i + 1]));
        }
        return out.toByteArray();
    }

    static byte[] tagged(int field, byte[] payload) {
        return concat(varint((long) field << 3 | 2), varint(payload.length), payload);
    }

    static CaseSetup model(ModelProto p) {
        return files(p, Map.of());
    }

    static CaseSetup files(ModelProto p, Map<String, byte[]> sidecars) {
        return dir -> write(dir, p, sidecars);
    }

    static CaseSetup files(byte[] model, Map<String, byte[]> sidecars) {
        return dir -> {
            for (Map.Entry<String, byte[]> e : sidecars.entrySet()) {
                Path f = dir.resolve(e.getKey());
                Files.createDirectories(f.getParent());
                Files.write(f, e.getValue());
            }
            Path m = dir.resolve("model.onnx");
            Files.write(m, model);
            return m;
        };
    }

    @FunctionalInterface
    interface ModelSupplier {
        ModelProto get();
    }

    @FunctionalInterface
    interface BytesSupplier {
        byte[] get();
    }

    /** Builds the model only when the case runs, so large cases do not all sit in memory at once. */
    static CaseSetup lazyModel(ModelSupplier s) {
        return dir -> write(dir, s.get(), Map.of());
    }

    static CaseSetup bytes(BytesSupplier s) {
        return dir -> files(s.get(), Map.of()).create(dir);
    }

    static Path write(Path dir, ModelProto p, Map<String, byte[]> sidecars) throws IOException {
        return files(p.toByteArray(), sidecars).create(dir);
    }

    static int byteSize(int dtype) {
        return switch (dtype) {
            case 1, 6, 12 -> 4;
            case 2, 3, 9, 17, 18, 19, 20, 21, 22 -> 1;
            case 4, 5, 10, 16 -> 2;
            case 7, 11, 13, 14 -> 8;
            case 15 -> 16;
            default -> 0;
        };
    }

    static List<Long> boxed(long[] values) {
        List<Long> out = new ArrayList<>(values.length);
        for (long v : values) {
            out.add(v);
        }
        return out;
    }
}
