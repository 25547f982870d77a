package org.sparsitybench.formats.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparsitybench.formats.ModelReader;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.Graph;
import org.sparsitybench.model.GraphNode;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;

/**
 * Reads an ONNX model: every initializer, sparse initializer and Constant tensor, in the main graph and in
 * control-flow subgraphs at any depth, with external data mapped from beside the model. The parsed protobuf is
 * kept (unknown fields included) so {@link OnnxWriter} can write the model back unchanged but for new values.
 */
public final class OnnxReader implements ModelReader {
    /** Protobuf nesting the parser accepts; a Graph→Node→Attribute→Graph step uses about four. */
    private static final int RECURSION_LIMIT = 400;

    @Override
    public Model read(Path file) throws IOException {
        return of(parse(file), file);
    }

    /** The model of a parsed (or edited) protobuf, its external data found beside {@code file}. */
    static Model of(ModelProto proto, Path file) throws IOException {
        if (!proto.hasGraph()) {
            throw new ModelFormatException(file, "ModelProto", "no graph: not an ONNX model");
        }
        if (!proto.hasIrVersion() || proto.getIrVersion() <= 0) {
            throw new ModelFormatException(file, "ModelProto", "ir_version is missing or not positive: not an ONNX model");
        }
        Collector c = new Collector(file);
        c.walk(proto.getGraph(), List.of(), "");
        List<WeightTensor> tensors = c.build();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto e : proto.getMetadataPropsList()) {
            metadata.put(e.getKey(), e.getValue());
        }
        Graph graph = graphOf(proto.getGraph());
        return new Model(ModelFormat.ONNX, file, tensors, graph, metadata, new OnnxSource(proto, c.locations));
    }

    /** Parses the file through a read-only mapping; byte strings alias the mapping instead of copying it. */
    static ModelProto parse(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new ModelFormatException(file, "", "the protobuf is " + size
                        + " bytes; ONNX files over 2 GB must keep tensors in external data");
            }
            if (size == 0) {
                throw new ModelFormatException(file, "offset 0", "file is empty: not an ONNX model");
            }
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            CodedInputStream in = CodedInputStream.newInstance(buf);
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            in.setRecursionLimit(RECURSION_LIMIT);
            return ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(file, "protobuf", "not a valid ONNX protobuf: " + e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "", "file does not exist", e);
        } catch (ModelFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelFormatException(file, "protobuf", "not a valid ONNX protobuf: " + e, e);
        }
    }

    static Graph graphOf(GraphProto g) {
        Set<String> initializers = new HashSet<>();
        g.getInitializerList().forEach(t -> initializers.add(t.getName()));
        g.getSparseInitializerList().forEach(t -> initializers.add(t.getValues().getName()));
        List<GraphNode> nodes = new ArrayList<>(g.getNodeCount());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            String name = nodeName(n, i);
            if (!names.add(name)) {
                name = name + "_" + i;
                names.add(name);
            }
            Map<String, Object> attrs = new LinkedHashMap<>();
            for (AttributeProto a : n.getAttributeList()) {
                Object v = attributeValue(a);
                if (v != null) {
                    attrs.put(a.getName(), v);
                }
            }
            nodes.add(new GraphNode(name, n.getOpType(), n.getInputList(), n.getOutputList(), attrs));
        }
        List<String> inputs = g.getInputList().stream().map(ValueInfoProto::getName)
                .filter(x -> !initializers.contains(x)).toList();
        List<String> outputs = g.getOutputList().stream().map(ValueInfoProto::getName).toList();
        Map<String, long[]> shapes = new HashMap<>();
        for (List<ValueInfoProto> list : List.of(g.getInputList(), g.getValueInfoList(), g.getOutputList())) {
            for (ValueInfoProto v : list) {
                if (v.hasType() && v.getType().hasTensorType() && v.getType().getTensorType().hasShape()) {
                    var dims = v.getType().getTensorType().getShape().getDimList();
                    long[] shape = new long[dims.size()];
                    for (int i = 0; i < shape.length; i++) {
                        shape[i] = dims.get(i).hasDimValue() && dims.get(i).getDimValue() >= 0 ? dims.get(i).getDimValue() : -1;
                    }
                    shapes.put(v.getName(), shape);
                }
            }
        }
        return new Graph(nodes, inputs, outputs, shapes);
    }

    static String nodeName(NodeProto n, int index) {
        return n.getName().isEmpty() ? n.getOpType() + "_" + index : n.getName();
    }

    private static Object attributeValue(AttributeProto a) {
        return switch (a.getType()) {
            case INT -> a.getI();
            case FLOAT -> (double) a.getF();
            case STRING -> a.getS().toStringUtf8();
            case INTS -> a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            case FLOATS -> a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray();
            case TENSOR -> integerScalar(a.getT());
            default -> null;
        };
    }

    /**
     * A one-element integer tensor attribute (ConstantOfShape's {@code value}) as a one-element {@code long[]}, so
     * shape arithmetic can use it; null for anything else.
     */
    private static long[] integerScalar(TensorProto t) {
        if (t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (x, y) -> x * y) != 1
                || t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return null;
        }
        int type = t.getDataType();
        if (type == TensorProto.DataType.INT64_VALUE) {
            if (t.getInt64DataCount() == 1) {
                return new long[] {t.getInt64Data(0)};
            }
            return t.getRawData().size() == 8 ? new long[] {t.getRawData().asReadOnlyByteBuffer()
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong()} : null;
        }
        if (type == TensorProto.DataType.INT32_VALUE) {
            if (t.getInt32DataCount() == 1) {
                return new long[] {t.getInt32Data(0)};
            }
            return t.getRawData().size() == 4 ? new long[] {t.getRawData().asReadOnlyByteBuffer()
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()} : null;
        }
        return null;
    }

    /** Walks graphs depth-first, collecting constant tensors and who consumes them. */
    private static final class Collector {
        private final Path file;
        private final OnnxTensorDecoder decoder;
        private final List<Found> found = new ArrayList<>();
        private final Map<String, List<Use>> uses = new HashMap<>();
        private final Set<String> constNames = new HashSet<>();
        private final Map<String, String> producerOp = new HashMap<>();
        final Map<String, OnnxLocation> locations = new LinkedHashMap<>();

        Collector(Path file) {
            this.file = file;
            this.decoder = new OnnxTensorDecoder(file);
        }

        void walk(GraphProto g, List<int[]> path, String label) {
            for (int i = 0; i < g.getInitializerCount(); i++) {
                TensorProto t = g.getInitializer(i);
                found.add(new Found(t.getName(), t, null, new OnnxLocation(path, OnnxLocation.Kind.INITIALIZER, i, -1),
                        label, "", ""));
                constNames.add(t.getName());
            }
            for (int i = 0; i < g.getSparseInitializerCount(); i++) {
                SparseTensorProto s = g.getSparseInitializer(i);
                String name = s.getValues().getName();
                found.add(new Found(name, null, s, new OnnxLocation(path, OnnxLocation.Kind.SPARSE_INITIALIZER, i, -1),
                        label, "", ""));
                constNames.add(name);
            }
            for (int i = 0; i < g.getNodeCount(); i++) {
                NodeProto n = g.getNode(i);
                String nodeName = nodeName(n, i);
                for (String out : n.getOutputList()) {
                    producerOp.putIfAbsent(out, n.getOpType());
                }
                for (int k = 0; k < n.getInputCount(); k++) {
                    uses.computeIfAbsent(n.getInput(k), x -> new ArrayList<>()).add(new Use(n, nodeName, k));
                }
                for (int a = 0; a < n.getAttributeCount(); a++) {
                    AttributeProto attr = n.getAttribute(a);
                    if ("Constant".equals(n.getOpType()) && n.getOutputCount() > 0) {
                        String out = n.getOutput(0);
                        if (attr.hasT() && "value".equals(attr.getName())) {
                            found.add(new Found(out, attr.getT(), null,
                                    new OnnxLocation(path, OnnxLocation.Kind.CONSTANT, i, a), label, "Constant", nodeName));
                            constNames.add(out);
                        } else if (attr.hasSparseTensor() && "sparse_value".equals(attr.getName())) {
                            found.add(new Found(out, null, attr.getSparseTensor(),
                                    new OnnxLocation(path, OnnxLocation.Kind.CONSTANT_SPARSE, i, a), label, "Constant", nodeName));
                            constNames.add(out);
                        }
                    }
                    // Labels use indices, not names: their length grows with depth only, never with name sizes.
                    if (attr.hasG()) {
                        walk(attr.getG(), append(path, i, a, -1), label + "n" + i + "a" + a + "/");
                    }
                    for (int s = 0; s < attr.getGraphsCount(); s++) {
                        walk(attr.getGraphs(s), append(path, i, a, s), label + "n" + i + "a" + a + "g" + s + "/");
                    }
                }
            }
        }

        private static List<int[]> append(List<int[]> path, int node, int attr, int graph) {
            List<int[]> p = new ArrayList<>(path);
            p.add(new int[] {node, attr, graph});
            return p;
        }

        List<WeightTensor> build() throws ModelFormatException {
            List<WeightTensor> out = new ArrayList<>(found.size());
            Set<String> taken = new HashSet<>();
            for (Found f : found) {
                String name = f.name;
                if (name.isEmpty()) {
                    name = "<unnamed " + f.location.storageLabel(false) + " " + f.location.index() + ">";
                }
                if (!taken.add(name)) {
                    name = name + "@" + (f.label.isEmpty() ? "main" : f.label) + f.location.index();
                    if (!taken.add(name)) {
                        throw new ModelFormatException(file, "tensor " + f.name, "tensor name is defined twice in one graph");
                    }
                }
                String place = "tensor " + name;
                WeightTensor t = f.sparse != null ? sparse(f, name, place) : dense(f, name, place);
                out.add(t);
                locations.put(name, f.location);
            }
            return out;
        }

        private WeightTensor dense(Found f, String name, String place) throws ModelFormatException {
            long[] shape = decoder.shape(f.tensor, place);
            long count = WeightTensor.elementCount(shape);
            TensorData data = decoder.decode(f.tensor, count, place);
            DType dtype = OnnxDataTypes.toDType(f.tensor.getDataType());
            boolean external = OnnxTensorDecoder.isExternal(f.tensor);
            return classify(f, name, shape, dtype, data, f.location.storageLabel(external));
        }

        private WeightTensor sparse(Found f, String name, String place) throws ModelFormatException {
            SparseTensorProto s = f.sparse;
            long[] shape = new long[s.getDimsCount()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = s.getDims(i);
                if (shape[i] < 0) {
                    throw new ModelFormatException(file, place, "sparse dimension " + i + " is " + shape[i]);
                }
                try {
                    count = Math.multiplyExact(count, shape[i]);
                } catch (ArithmeticException e) {
                    throw new ModelFormatException(file, place, "sparse dimensions " + s.getDimsList()
                            + " multiply beyond 2^63 elements");
                }
            }
            if (!s.hasValues() || !s.hasIndices()) {
                throw new ModelFormatException(file, place, "sparse tensor needs both values and indices");
            }
            long[] vShape = decoder.shape(s.getValues(), place + " values");
            long nnz = WeightTensor.elementCount(vShape);
            if (vShape.length != 1) {
                throw new ModelFormatException(file, place, "sparse values must be 1-D, got " + Arrays.toString(vShape));
            }
            DType dtype = OnnxDataTypes.toDType(s.getValues().getDataType());
            TensorData values = decoder.decode(s.getValues(), nnz, place + " values");
            long[] iShape = decoder.shape(s.getIndices(), place + " indices");
            if (s.getIndices().getDataType() != TensorProto.DataType.INT64_VALUE) {
                throw new ModelFormatException(file, place, "sparse indices must be int64");
            }
            boolean linear = iShape.length == 1 && iShape[0] == nnz;
            boolean coords = iShape.length == 2 && iShape[0] == nnz && iShape[1] == shape.length;
            if (!linear && !coords) {
                throw new ModelFormatException(file, place, "sparse indices shape " + Arrays.toString(iShape)
                        + " fits neither [" + nnz + "] nor [" + nnz + ", " + shape.length + "]");
            }
            if (nnz > TensorData.MAX_ARRAY_ELEMENTS || !dtype.isNumericReal()) {
                throw new ModelFormatException(file, place, "sparse tensor of " + nnz + " " + dtype.displayName()
                        + " values is not supported");
            }
            // The index count comes from the indices' own checked shape; decode() verifies the file holds that
            // many values before anything is allocated for them.
            long indexCount = WeightTensor.elementCount(iShape);
            TensorData idx = decoder.decode(s.getIndices(), indexCount, place + " indices");
            if (indexCount > TensorData.MAX_ARRAY_ELEMENTS) {
                throw new ModelFormatException(file, place, "sparse tensor with " + indexCount + " indices is not supported");
            }
            long[] raw = new long[(int) indexCount];
            readLongs(idx, s.getIndices(), raw);
            long[] lin = new long[(int) nnz];
            for (int k = 0; k < nnz; k++) {
                if (linear) {
                    lin[k] = raw[k];
                } else {
                    long li = 0;
                    for (int d = 0; d < shape.length; d++) {
                        long c = raw[k * shape.length + d];
                        if (c < 0 || c >= shape[d]) {
                            throw new ModelFormatException(file, place, "sparse index " + c + " outside dimension "
                                    + d + " of size " + shape[d]);
                        }
                        li = li * shape[d] + c;
                    }
                    lin[k] = li;
                }
                if (lin[k] < 0 || lin[k] >= count) {
                    throw new ModelFormatException(file, place, "sparse index " + lin[k] + " outside [0, " + count + ")");
                }
            }
            float[] vals = values.readAllFloats();
            Integer[] order = new Integer[lin.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Long.compare(lin[a], lin[b]));
            long[] sortedIdx = new long[lin.length];
            float[] sortedVals = new float[lin.length];
            for (int i = 0; i < order.length; i++) {
                sortedIdx[i] = lin[order[i]];
                sortedVals[i] = vals[order[i]];
                if (i > 0 && sortedIdx[i] == sortedIdx[i - 1]) {
                    throw new ModelFormatException(file, place, "sparse index " + sortedIdx[i] + " listed twice");
                }
            }
            TensorData data = new SparseTensorData(dtype, count, sortedIdx, sortedVals);
            return classify(f, name, shape, dtype, data, f.location.storageLabel(OnnxTensorDecoder.isExternal(s.getValues())));
        }

        private static void readLongs(TensorData idx, TensorProto proto, long[] out) {
            if (proto.getInt64DataCount() == out.length && !proto.hasRawData() && !OnnxTensorDecoder.isExternal(proto)) {
                for (int i = 0; i < out.length; i++) {
                    out[i] = proto.getInt64Data(i);
                }
                return;
            }
            if (idx instanceof org.sparsitybench.model.BufferTensorData b) {
                int at = 0;
                for (java.nio.ByteBuffer w : b.windows()) {
                    java.nio.ByteBuffer le = w.order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    while (le.remaining() >= 8) {
                        out[at++] = le.getLong();
                    }
                }
            }
        }

        private WeightTensor classify(Found f, String name, long[] shape, DType dtype, TensorData data, String storage) {
            List<Use> consumers = consumersThroughCasts(f.name);
            OnnxRoles.Verdict best = null;
            Use bestUse = null;
            for (Use u : consumers) {
                String other = otherOperand(u);
                OnnxRoles.Verdict v = OnnxRoles.classify(u.node.getOpType(), u.index, shape.length,
                        other != null && constNames.contains(other), (k, fb) -> intAttr(u.node, k, fb));
                String otherProducer = other == null ? null : producerOp.get(other);
                if ("Add".equals(u.node.getOpType()) && shape.length <= 1 && otherProducer != null
                        && Set.of("MatMul", "Gemm", "Conv").contains(otherProducer)) {
                    v = new OnnxRoles.Verdict(TensorRole.BIAS, false, WeightTensor.NO_AXIS);
                }
                if (best == null || v.rank() > best.rank()) {
                    best = v;
                    bestUse = u;
                }
            }
            if (best == null) {
                best = new OnnxRoles.Verdict(TensorRole.OTHER, false, WeightTensor.NO_AXIS);
            }
            boolean prunable = best.prunable() && dtype.isPrunableFloat() && data.elementCount() > 0;
            int axis = best.axis() < shape.length ? best.axis() : WeightTensor.NO_AXIS;
            String op = bestUse != null ? bestUse.node.getOpType() : f.op;
            String node = bestUse != null ? f.label + bestUse.name : f.label + f.node;
            return new WeightTensor(name, op, node, shape, dtype, best.role(), prunable && axis >= 0,
                    prunable ? axis : WeightTensor.NO_AXIS, storage, data);
        }

        /**
         * Who really consumes a value: a Cast or Identity in between (fp16 weights cast to float, say) passes
         * the question on to its own consumers, so the weight is judged by the Gemm or Conv behind it.
         */
        private List<Use> consumersThroughCasts(String value) {
            List<Use> out = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            List<String> frontier = new ArrayList<>(List.of(value));
            for (int hop = 0; hop < 4 && !frontier.isEmpty(); hop++) {
                List<String> next = new ArrayList<>();
                for (String v : frontier) {
                    for (Use u : uses.getOrDefault(v, List.of())) {
                        String op = u.node.getOpType();
                        if (("Cast".equals(op) || "Identity".equals(op)) && u.node.getOutputCount() == 1
                                && seen.add(u.node.getOutput(0))) {
                            next.add(u.node.getOutput(0));
                        } else {
                            out.add(u);
                        }
                    }
                }
                frontier = next;
            }
            return out;
        }

        private static String otherOperand(Use u) {
            String op = u.node.getOpType();
            if (("MatMul".equals(op) || "Add".equals(op) || "Mul".equals(op)) && u.index <= 1 && u.node.getInputCount() > 1) {
                return u.node.getInput(1 - u.index);
            }
            if ("Gather".equals(op) && u.index == 0 && u.node.getInputCount() > 1) {
                return u.node.getInput(1);
            }
            return null;
        }

        private static long intAttr(NodeProto n, String key, long fallback) {
            for (AttributeProto a : n.getAttributeList()) {
                if (a.getName().equals(key) && a.getType() == AttributeProto.AttributeType.INT) {
                    return a.getI();
                }
            }
            return fallback;
        }
    }

    private record Found(String name, TensorProto tensor, SparseTensorProto sparse, OnnxLocation location,
                         String label, String op, String node) {
    }

    private record Use(NodeProto node, String name, int index) {
    }
}
