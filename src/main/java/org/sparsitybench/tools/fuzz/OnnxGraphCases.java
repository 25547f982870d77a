package org.sparsitybench.tools.fuzz;

import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrGraph;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrInt;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrTensor;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.floatTensor;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.int64Tensor;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.valueInfo;
import static org.sparsitybench.tools.fuzz.Bytes.concat;
import static org.sparsitybench.tools.fuzz.Bytes.floatBytes;
import static org.sparsitybench.tools.fuzz.OnnxModels.B_VALUES;
import static org.sparsitybench.tools.fuzz.OnnxModels.FLOAT;
import static org.sparsitybench.tools.fuzz.OnnxModels.GEMM;
import static org.sparsitybench.tools.fuzz.OnnxModels.W_VALUES;
import static org.sparsitybench.tools.fuzz.OnnxModels.bytes;
import static org.sparsitybench.tools.fuzz.OnnxModels.edit;
import static org.sparsitybench.tools.fuzz.OnnxModels.externalW;
import static org.sparsitybench.tools.fuzz.OnnxModels.files;
import static org.sparsitybench.tools.fuzz.OnnxModels.ifGraph;
import static org.sparsitybench.tools.fuzz.OnnxModels.ifNode;
import static org.sparsitybench.tools.fuzz.OnnxModels.kv;
import static org.sparsitybench.tools.fuzz.OnnxModels.lazyModel;
import static org.sparsitybench.tools.fuzz.OnnxModels.leafGraph;
import static org.sparsitybench.tools.fuzz.OnnxModels.longNamedNest;
import static org.sparsitybench.tools.fuzz.OnnxModels.model;
import static org.sparsitybench.tools.fuzz.OnnxModels.nestedIf;
import static org.sparsitybench.tools.fuzz.OnnxModels.rawNestedGroups;
import static org.sparsitybench.tools.fuzz.OnnxModels.rawNestedIf;
import static org.sparsitybench.tools.fuzz.OnnxModels.rawNestedSequenceType;
import static org.sparsitybench.tools.fuzz.OnnxModels.rawNestedUnknownMessages;
import static org.sparsitybench.tools.fuzz.OnnxModels.tensor;
import static org.sparsitybench.tools.fuzz.OnnxModels.withMainNode;
import static org.sparsitybench.tools.fuzz.OnnxModels.withW;

import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;
import org.sparsitybench.tools.fuzz.OnnxModels.OnnxCases;

/**
 * Family 2c: the graph around the tensors damaged: subgraphs nested up to 100,000 deep, model-level fields,
 * invalid UTF-8 names, random rewiring of ops, inputs and attributes.
 */
final class OnnxGraphCases {
    private OnnxGraphCases() {
    }

    static void add(OnnxCases cases) {
        subgraphCases(cases);
        modelCases(cases);
        utf8Cases(cases);
        rewireCases(cases);
    }

    private static void subgraphCases(OnnxCases cases) {
        int[] ifDepths = {1, 2, 10, 50, 100, 128, 130, 131, 132, 133, 134, 135, 150, 200, 500};
        for (int d : ifDepths) {
            cases.add("subgraph", "If then_branch nested " + d + " deep", d <= 50 ? Expect.LOAD : Expect.EITHER,
                    lazyModel(() -> withMainNode(nestedIf(d, "If"))));
        }
        for (int d : new int[] {50, 133, 134, 500}) {
            cases.add("subgraph", "Loop body nested " + d + " deep", d <= 50 ? Expect.LOAD : Expect.EITHER,
                    lazyModel(() -> withMainNode(nestedIf(d, "Loop"))));
            cases.add("subgraph", "GRAPHS attribute nested " + d + " deep", d <= 50 ? Expect.LOAD : Expect.EITHER,
                    lazyModel(() -> withMainNode(nestedIf(d, "Scan"))));
        }
        for (int d : new int[] {1000, 100_000}) {
            cases.add("subgraph", "raw bytes: If then_branch nested " + d + " deep", Expect.EITHER,
                    bytes(() -> rawNestedIf(d)));
        }
        cases.add("subgraph", "raw bytes: TypeProto sequence nested 100000 deep", Expect.EITHER,
                bytes(() -> rawNestedSequenceType(100_000)));
        cases.add("subgraph", "raw bytes: unknown groups nested 100000 deep", Expect.EITHER,
                bytes(() -> rawNestedGroups(100_000)));
        cases.add("subgraph", "raw bytes: unknown length-delimited field nested 100000 deep", Expect.EITHER,
                bytes(() -> rawNestedUnknownMessages(100_000)));
        cases.add("subgraph", "If with 1000 graphs in one GRAPHS attribute", Expect.EITHER, lazyModel(() -> {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName("branches").setType(AttributeType.GRAPHS);
            for (int i = 0; i < 1000; i++) {
                a.addGraphs(leafGraph("W"));
            }
            return withMainNode(NodeProto.newBuilder().setOpType("If").setName("wide").addInput("c").addOutput("o")
                    .addAttribute(a).build());
        }));
        // Each level's path label repeats every enclosing node name: small files, quadratic strings.
        cases.add("subgraph", "If nested 130 deep, 20,000-char node names, 10 initializers t0..t9 per level (2.6 MB)",
                Expect.EITHER, lazyModel(() -> withMainNode(longNamedNest(130, 20_000, 10))));
        cases.add("subgraph", "bad tensor 10 levels down", Expect.REJECT, lazyModel(() -> {
            GraphProto g = leafGraph("L").toBuilder().setInitializer(0, tensor("L", FLOAT, 3, 4)
                    .setRawData(ByteString.copyFrom(new byte[7])).build()).build();
            for (int i = 0; i < 10; i++) {
                g = ifGraph(g, "If");
            }
            return withMainNode(ifNode(g, "If"));
        }));
        cases.add("subgraph", "subgraph attribute on a Gemm node", Expect.EITHER,
                edit(m -> m.getGraphBuilder().getNodeBuilder(0).addAttribute(attrGraph("then_branch", leafGraph("W")))));
        cases.add("subgraph", "empty subgraph", Expect.EITHER, withMainNode(ifNode(GraphProto.getDefaultInstance(), "If")));
        cases.add("subgraph", "GRAPH attribute with the graph missing", Expect.EITHER, withMainNode(NodeProto.newBuilder()
                .setOpType("If").addAttribute(AttributeProto.newBuilder().setName("then_branch").setType(AttributeType.GRAPH))
                .build()));
    }

    private static void modelCases(OnnxCases cases) {
        cases.add("model", "no graph", Expect.REJECT, GEMM.toBuilder().clearGraph().build());
        cases.add("model", "no graph, no ir_version", Expect.REJECT, ModelProto.getDefaultInstance().toBuilder()
                .setProducerName("x").build());
        cases.add("model", "ir_version 0", Expect.REJECT, GEMM.toBuilder().setIrVersion(0).build());
        cases.add("model", "ir_version -1", Expect.REJECT, GEMM.toBuilder().setIrVersion(-1).build());
        cases.add("model", "ir_version Long.MIN_VALUE", Expect.REJECT, GEMM.toBuilder().setIrVersion(Long.MIN_VALUE).build());
        cases.add("model", "ir_version missing", Expect.REJECT, GEMM.toBuilder().clearIrVersion().build());
        cases.add("model", "ir_version Long.MAX_VALUE", Expect.EITHER, GEMM.toBuilder().setIrVersion(Long.MAX_VALUE).build());
        cases.add("model", "no opset_import", Expect.EITHER, GEMM.toBuilder().clearOpsetImport().build());
        cases.add("model", "empty graph", Expect.EITHER, GEMM.toBuilder().setGraph(GraphProto.getDefaultInstance()).build());
        cases.add("model", "10,000 nodes", Expect.EITHER, lazyModel(() -> edit(m -> {
            GraphProto.Builder g = m.getGraphBuilder();
            String prev = "Y";
            for (int i = 0; i < 10_000; i++) {
                String out = "r" + i;
                g.addNode(NodeProto.newBuilder().setOpType(i % 2 == 0 ? "Relu" : "Add").setName(i % 3 == 0 ? "" : "n" + i % 7)
                        .addInput(prev).addInput(i % 2 == 0 ? "" : "B").addOutput(out));
                prev = out;
            }
        })));
        cases.add("model", "10,000 nodes consuming W", Expect.EITHER, lazyModel(() -> edit(m -> {
            for (int i = 0; i < 10_000; i++) {
                m.getGraphBuilder().addNode(NodeProto.newBuilder().setOpType(i % 2 == 0 ? "Gemm" : "Conv")
                        .addInput("X").addInput("W").addInput("B").addOutput("g" + i));
            }
        })));
        cases.add("model", "10,000 initializers all named W", Expect.EITHER, lazyModel(() -> edit(m -> {
            for (int i = 0; i < 10_000; i++) {
                m.getGraphBuilder().addInitializer(floatTensor("W", new float[] {i}, 1));
            }
        })));
        cases.add("model", "10,000 unnamed initializers", Expect.EITHER, lazyModel(() -> edit(m -> {
            for (int i = 0; i < 10_000; i++) {
                m.getGraphBuilder().addInitializer(floatTensor("", new float[] {i}));
            }
        })));
        cases.add("model", "10,000 metadata entries with one key", Expect.EITHER, lazyModel(() -> edit(m -> {
            for (int i = 0; i < 10_000; i++) {
                m.addMetadataProps(kv("k", "v" + i));
            }
        })));
        cases.add("model", "graph field twice (protobuf merges them)", Expect.EITHER,
                bytes(() -> concat(GEMM.toByteArray(), ModelProto.newBuilder().setGraph(GEMM.getGraph()).build().toByteArray())));
        cases.add("model", "graph field twice, second with bad W", Expect.REJECT, bytes(() -> concat(GEMM.toByteArray(),
                ModelProto.newBuilder().setGraph(GraphProto.newBuilder().addInitializer(tensor("V", FLOAT, -1))).build()
                        .toByteArray())));
        cases.add("model", "a GraphProto instead of a ModelProto", Expect.EITHER, bytes(() -> GEMM.getGraph().toByteArray()));
        cases.add("model", "a TensorProto instead of a ModelProto", Expect.EITHER,
                bytes(() -> floatTensor("W", W_VALUES, 3, 4).toByteArray()));
        cases.add("model", "only zeros (1 KiB)", Expect.EITHER, bytes(() -> new byte[1024]));
        cases.add("model", "JSON text", Expect.EITHER, bytes(() -> "{\"ir_version\": 8}".getBytes(StandardCharsets.UTF_8)));
        cases.add("model", "valid model followed by garbage", Expect.EITHER,
                bytes(() -> concat(GEMM.toByteArray(), new byte[] {(byte) 0xFF, 0x00, 0x12})));
        cases.add("model", "nodes with duplicate and empty names", Expect.EITHER, edit(m -> {
            for (int i = 0; i < 5; i++) {
                m.getGraphBuilder().addNode(NodeProto.newBuilder().setOpType("Relu").setName(i < 3 ? "Gemm_0" : "")
                        .addInput("Y").addOutput("z" + i));
            }
            m.getGraphBuilder().addNode(NodeProto.newBuilder().setOpType("Relu").setName("Relu_4_4").addInput("Y"));
        }));
        cases.add("model", "node attributes of every kind, some without values", Expect.EITHER, edit(m -> {
            NodeProto.Builder n = m.getGraphBuilder().getNodeBuilder(0);
            for (AttributeType t : AttributeType.values()) {
                n.addAttribute(AttributeProto.newBuilder().setName("a" + t.getNumber()).setType(t));
            }
            n.addAttribute(AttributeProto.newBuilder().setName("s").setType(AttributeType.STRING)
                    .setS(ByteString.copyFrom(new byte[] {(byte) 0xC3, 0x28})));
            n.addAttribute(AttributeProto.newBuilder().setName("transB").setType(AttributeType.FLOAT).setF(1));
        }));
    }

    private static final byte[][] BAD_UTF8 = {
        {(byte) 0xC3, 0x28}, {(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xFF, (byte) 0xFE},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {0x00},
    };

    private static void utf8Cases(OnnxCases cases) {
        OnnxModelBuilder b = new OnnxModelBuilder("MKGRAPH1", 13).input("MKINPUT1", FLOAT, -1, 4).output("Y", FLOAT, -1, 3)
                .initializer("MKTENSOR", W_VALUES, 3, 4).initializer("B", B_VALUES, 3).metadata("MKMETAK1", "MKMETAV1");
        b.node(NodeProto.newBuilder().setOpType("Gemm").setName("MKNODE01").addInput("MKINPUT1").addInput("MKTENSOR")
                .addInput("B").addOutput("Y").addAttribute(attrInt("transB", 1)).addAttribute(attrInt("MKATTR01", 2)).build());
        b.node(NodeProto.newBuilder().setOpType("MKOPTYP1").addInput("Y").addInput("MKTENSOR").addOutput("Z").build());
        byte[] named = b.build().toBuilder().setProducerName("MKPRODU1").setDocString("MKDOCST1").build().toByteArray();
        byte[] external = withW(externalW("location", "MKLOCAT1")).toByteArray();
        Map<String, byte[]> sidecar = Map.of("MKLOCAT1", floatBytes(W_VALUES));
        cases.add("utf8", "all markers intact", Expect.LOAD, files(named, Map.of()));
        cases.add("utf8", "external location marker intact", Expect.LOAD, files(external, sidecar));
        String[][] targets = {
            {"MKTENSOR", "all"}, {"MKTENSOR", "first"}, {"MKTENSOR", "last"}, {"MKINPUT1", "all"}, {"MKINPUT1", "last"},
            {"MKNODE01", "all"}, {"MKOPTYP1", "all"}, {"MKGRAPH1", "all"}, {"MKATTR01", "all"}, {"MKMETAK1", "all"},
            {"MKMETAV1", "all"}, {"MKPRODU1", "all"}, {"MKDOCST1", "all"}, {"MKLOCAT1", "all"},
        };
        for (String[] t : targets) {
            boolean location = t[0].equals("MKLOCAT1");
            for (byte[] bad : BAD_UTF8) {
                byte[] src = location ? external : named;
                byte[] out = replaceMarker(src, t[0], bad, t[1]);
                cases.add("utf8", "name " + t[0] + " (" + t[1] + " occurrences) -> bytes " + HexFormat.ofDelimiter(" ")
                        .formatHex(bad), location ? Expect.REJECT : Expect.EITHER, files(out, location ? sidecar : Map.of()));
            }
        }
    }

    /** Replaces occurrences of an 8-byte ASCII marker with {@code bad} padded to 8 bytes (lengths stay valid). */
    private static byte[] replaceMarker(byte[] src, String marker, byte[] bad, String which) {
        byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
        byte[] rep = new byte[m.length];
        Arrays.fill(rep, (byte) 'x');
        System.arraycopy(bad, 0, rep, 0, bad.length);
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i + m.length <= src.length; i++) {
            if (Arrays.equals(src, i, i + m.length, m, 0, m.length)) {
                at.add(i);
            }
        }
        if (at.isEmpty()) {
            throw new IllegalStateException("marker " + marker + " not found");
        }
        byte[] out = src.clone();
        List<Integer> chosen = which.equals("all") ? at : List.of(which.equals("first") ? at.get(0) : at.get(at.size() - 1));
        for (int i : chosen) {
            System.arraycopy(rep, 0, out, i, rep.length);
        }
        return out;
    }

    private static final String[] OPS = {"Gemm", "Gemm", "Add", "Add", "Mul", "Sub", "MatMul", "MatMul", "Conv",
        "ConvTranspose", "Gather", "LSTM", "GRU", "RNN", "BatchNormalization", "LayerNormalization", "Reshape",
        "ConstantOfShape", "Constant", "Relu", "Identity", "If", "Loop", "", "gemm"};

    private static final String[] POOL = {"X", "W", "B", "C", "D", "E", "I", "Y", "T0", "T1", "", "missing"};

    private static final String[] OUTS = {"Y", "T0", "T1", "W", "C", ""};

    private static final String[] NODE_NAMES = {"", "n", "Gemm_0", "Add_1", "Relu_0_0", "dup", "dup"};

    private static final String[] ATTR_NAMES = {"transA", "transB", "axis", "group", "alpha"};

    private static final long[] INT_VALUES = {0, 1, -1, 2, 7, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE};

    private static void rewireCases(OnnxCases cases) {
        // A valid model: a 1-D bias added to a graph input (broadcast), no node produces the other operand.
        cases.add("rewire", "valid Y = Add(X, B), X a graph input", Expect.LOAD, edit(m -> {
            m.getGraphBuilder().clearNode().removeInitializer(0).clearInput().clearOutput()
                    .addInput(valueInfo("X", FLOAT, -1, 3)).addOutput(valueInfo("Y", FLOAT, -1, 3))
                    .addNode(NodeProto.newBuilder().setOpType("Add").setName("add").addInput("X").addInput("B").addOutput("Y"));
        }));
        cases.add("rewire", "valid Y = Add(B, X), X a graph input", Expect.LOAD, edit(m -> {
            m.getGraphBuilder().clearNode().removeInitializer(0).clearInput().clearOutput()
                    .addInput(valueInfo("X", FLOAT, -1, 3)).addOutput(valueInfo("Y", FLOAT, -1, 3))
                    .addNode(NodeProto.newBuilder().setOpType("Add").setName("add").addInput("B").addInput("X").addOutput("Y"));
        }));
        cases.add("rewire", "valid Y = Add(MatMul(X, Wt), B)", Expect.LOAD, edit(m -> {
            m.getGraphBuilder().clearNode().setInitializer(0, floatTensor("W", W_VALUES, 4, 3))
                    .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("X").addInput("W").addOutput("T"))
                    .addNode(NodeProto.newBuilder().setOpType("Add").addInput("T").addInput("B").addOutput("Y"));
        }));
        for (int i = 0; i < 200; i++) {
            long seed = 4_000_000L + i;
            cases.add("rewire", seed, "random ops, inputs and attributes", Expect.EITHER, model(rewired(new Random(seed))));
        }
    }

    static ModelProto rewired(Random r) {
        ModelProto.Builder m = GEMM.toBuilder();
        GraphProto.Builder g = m.getGraphBuilder().clearNode();
        if (r.nextBoolean()) {
            g.addInitializer(floatTensor("C", new float[] {2}));
        }
        if (r.nextBoolean()) {
            g.addInitializer(floatTensor("D", new float[] {1, 2, 3, 4}, 4));
        }
        if (r.nextBoolean()) {
            g.addInitializer(floatTensor("E", W_VALUES, 3, 4, 1, 1));
        }
        if (r.nextBoolean()) {
            g.addInitializer(int64Tensor("I", new long[] {0, 2}, 2));
        }
        int nodes = 1 + r.nextInt(4);
        for (int k = 0; k < nodes; k++) {
            String op = OPS[r.nextInt(OPS.length)];
            NodeProto.Builder n = NodeProto.newBuilder().setOpType(op);
            if (r.nextInt(3) > 0) {
                n.setName(NODE_NAMES[r.nextInt(NODE_NAMES.length)]);
            }
            int ins = r.nextInt(5);
            for (int i = 0; i < ins; i++) {
                n.addInput(POOL[r.nextInt(POOL.length)]);
            }
            int outs = r.nextInt(3);
            for (int i = 0; i < outs; i++) {
                n.addOutput(OUTS[r.nextInt(OUTS.length)]);
            }
            int attrs = r.nextInt(3);
            for (int i = 0; i < attrs; i++) {
                n.addAttribute(randomAttribute(r));
            }
            if ("Constant".equals(op) && r.nextBoolean()) {
                n.addAttribute(attrTensor("value", floatTensor("", new float[] {1, 2, 3}, 3)));
            }
            if (("If".equals(op) || "Loop".equals(op)) && r.nextBoolean()) {
                n.addAttribute(attrGraph(r.nextBoolean() ? "then_branch" : "body", leafGraph("W")));
            }
            g.addNode(n);
        }
        return m.build();
    }

    private static AttributeProto randomAttribute(Random r) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(ATTR_NAMES[r.nextInt(ATTR_NAMES.length)]);
        long v = INT_VALUES[r.nextInt(INT_VALUES.length)];
        switch (r.nextInt(6)) {
            case 0, 1, 2 -> a.setType(AttributeType.INT).setI(v);
            case 3 -> a.setType(AttributeType.FLOAT).setF(v);
            case 4 -> a.setType(AttributeType.INTS).addInts(v).addInts(-v);
            default -> a.setI(v); // type left UNDEFINED
        }
        return a.build();
    }
}
