package org.sparsitybench.tools.fuzz;

import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrGraph;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrInt;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrTensor;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.floatTensor;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.int64Tensor;
import static org.sparsitybench.tools.fuzz.Bytes.floatBytes;
import static org.sparsitybench.tools.fuzz.Bytes.longBytes;
import static org.sparsitybench.tools.fuzz.OnnxModels.B_VALUES;
import static org.sparsitybench.tools.fuzz.OnnxModels.FLOAT;
import static org.sparsitybench.tools.fuzz.OnnxModels.INT64;
import static org.sparsitybench.tools.fuzz.OnnxModels.W_VALUES;
import static org.sparsitybench.tools.fuzz.OnnxModels.edit;
import static org.sparsitybench.tools.fuzz.OnnxModels.fillFloats;
import static org.sparsitybench.tools.fuzz.OnnxModels.fillInts;
import static org.sparsitybench.tools.fuzz.OnnxModels.lazyModel;
import static org.sparsitybench.tools.fuzz.OnnxModels.leafGraph;
import static org.sparsitybench.tools.fuzz.OnnxModels.sparse;
import static org.sparsitybench.tools.fuzz.OnnxModels.tensor;
import static org.sparsitybench.tools.fuzz.OnnxModels.withConstantW;
import static org.sparsitybench.tools.fuzz.OnnxModels.withSparseW;

import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.util.Arrays;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.tools.fuzz.OnnxModels.OnnxCases;

/** Family 2b: sparse tensors with bad indices, values or shapes, and Constant nodes with bad values. */
final class OnnxSparseCases {
    private OnnxSparseCases() {
    }

    static void add(OnnxCases cases) {
        sparseCases(cases);
        constantCases(cases);
    }

    private static void sparseCases(OnnxCases cases) {
        float[] v3 = {1, 2, 3};
        cases.add("sparse", "valid linear indices", Expect.LOAD, withSparseW(sparse(v3, new long[] {0, 5, 11}, new long[] {3}, 3, 4)));
        cases.add("sparse", "valid coordinate indices", Expect.LOAD,
                withSparseW(sparse(v3, new long[] {0, 0, 1, 1, 2, 3}, new long[] {3, 2}, 3, 4)));
        cases.add("sparse", "valid, no non-zeros", Expect.LOAD,
                withSparseW(sparse(new float[0], new long[0], new long[] {0}, 3, 4)));
        cases.add("sparse", "valid, indices unsorted", Expect.LOAD,
                withSparseW(sparse(v3, new long[] {11, 0, 5}, new long[] {3}, 3, 4)));
        for (long bad : new long[] {12, -1, 13, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32}) {
            cases.add("sparse", "linear index " + bad + " outside [0,12)", Expect.REJECT,
                    withSparseW(sparse(v3, new long[] {0, bad, 5}, new long[] {3}, 3, 4)));
        }
        long[][] badCoords = {{3, 0}, {0, 4}, {-1, 0}, {0, -1}, {Long.MAX_VALUE, 0}, {2, Long.MIN_VALUE}};
        for (long[] c : badCoords) {
            cases.add("sparse", "coordinate " + Arrays.toString(c) + " outside [3,4]", Expect.REJECT,
                    withSparseW(sparse(v3, new long[] {0, 0, c[0], c[1], 2, 3}, new long[] {3, 2}, 3, 4)));
        }
        cases.add("sparse", "duplicate linear index", Expect.REJECT,
                withSparseW(sparse(v3, new long[] {5, 5, 0}, new long[] {3}, 3, 4)));
        cases.add("sparse", "duplicate coordinates", Expect.REJECT,
                withSparseW(sparse(v3, new long[] {1, 1, 0, 0, 1, 1}, new long[] {3, 2}, 3, 4)));
        cases.add("sparse", "all indices equal", Expect.REJECT,
                withSparseW(sparse(v3, new long[] {0, 0, 0}, new long[] {3}, 3, 4)));
        long[][] badIndexShapes = {{4}, {2}, {3, 3}, {3, 1}, {3, 2, 1}, {}, {1, 3}, {2, 3}, {6}, {0}};
        for (long[] s : badIndexShapes) {
            long n = Math.max(1, WeightTensor.elementCount(s));
            long[] idx = new long[(int) n];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i % 3;
            }
            cases.add("sparse", "index shape " + Arrays.toString(s) + " for 3 values of [3,4]", Expect.REJECT,
                    withSparseW(sparse(v3, idx, s, 3, 4)));
        }
        cases.add("sparse", "index shape [3] with 2 int64_data", Expect.REJECT,
                withSparseW(sparse(v3, new long[] {0, 1}, new long[] {3}, 3, 4)));
        cases.add("sparse", "index shape [3] with 5 int64_data", Expect.REJECT,
                withSparseW(sparse(v3, new long[] {0, 1, 2, 3, 4}, new long[] {3}, 3, 4)));
        cases.add("sparse", "indices as int32", Expect.REJECT, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, 4)
                .setIndices(tensor("", TensorProto.DataType.INT32_VALUE, 3).addInt32Data(0).addInt32Data(1).addInt32Data(2))));
        cases.add("sparse", "indices as float", Expect.REJECT, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, 4)
                .setIndices(tensor("", FLOAT, 3).addFloatData(0).addFloatData(1).addFloatData(2))));
        cases.add("sparse", "indices data_type unset", Expect.REJECT, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, 4)
                .setIndices(int64Tensor("", new long[] {0, 1, 2}, 3).toBuilder().clearDataType())));
        cases.add("sparse", "indices in raw_data, valid", Expect.LOAD, withSparseW(sparse(v3, new long[0], new long[] {3}, 3, 4)
                .setIndices(tensor("", INT64, 3).setRawData(ByteString.copyFrom(longBytes(2, 7, 9))))));
        for (int len : new int[] {0, 7, 23, 25, 48}) {
            cases.add("sparse", "indices raw_data " + len + " bytes for 3 int64", Expect.REJECT,
                    withSparseW(sparse(v3, new long[0], new long[] {3}, 3, 4)
                            .setIndices(tensor("", INT64, 3).setRawData(ByteString.copyFrom(new byte[len])))));
        }
        cases.add("sparse", "indices raw_data with index 12", Expect.REJECT, withSparseW(sparse(v3, new long[0], new long[] {3}, 3, 4)
                .setIndices(tensor("", INT64, 3).setRawData(ByteString.copyFrom(longBytes(2, 12, 9))))));
        cases.add("sparse", "indices negative dims", Expect.REJECT, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {-3}, 3, 4)));
        cases.add("sparse", "missing values", Expect.REJECT, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, 4).clearValues()));
        cases.add("sparse", "missing indices", Expect.REJECT, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, 4).clearIndices()));
        cases.add("sparse", "missing values and indices", Expect.REJECT,
                withSparseW(SparseTensorProto.newBuilder().addDims(3).addDims(4)));
        cases.add("sparse", "empty sparse tensor", Expect.REJECT, withSparseW(SparseTensorProto.newBuilder()));
        cases.add("sparse", "values 2-D", Expect.REJECT, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, 4)
                .setValues(floatTensor("W", v3, 3, 1))));
        cases.add("sparse", "values scalar", Expect.REJECT, withSparseW(sparse(v3, new long[] {0}, new long[] {1}, 3, 4)
                .setValues(floatTensor("W", new float[] {1}))));
        cases.add("sparse", "values string", Expect.REJECT, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, 4)
                .setValues(tensor("W", 8, 3).addStringData(ByteString.copyFromUtf8("a")).addStringData(ByteString.EMPTY)
                        .addStringData(ByteString.copyFromUtf8("c")))));
        cases.add("sparse", "values complex64", Expect.REJECT, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, 4)
                .setValues(tensor("W", 14, 3).setRawData(ByteString.copyFrom(new byte[24])))));
        cases.add("sparse", "values data_type 999", Expect.REJECT, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, 4)
                .setValues(tensor("W", 999, 3).setRawData(ByteString.copyFrom(new byte[12])))));
        cases.add("sparse", "values data_type 0", Expect.REJECT, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, 4)
                .setValues(floatTensor("W", v3, 3).toBuilder().setDataType(0))));
        cases.add("sparse", "values raw_data 11 bytes", Expect.REJECT, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, 4)
                .setValues(tensor("W", FLOAT, 3).setRawData(ByteString.copyFrom(new byte[11])))));
        cases.add("sparse", "values int8, valid", Expect.LOAD, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, 4)
                .setValues(tensor("W", 3, 3).setRawData(ByteString.copyFrom(new byte[] {1, -1, 127})))));
        cases.add("sparse", "values float16 int32_data, valid", Expect.LOAD, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, 4)
                .setValues(tensor("W", 10, 3).addInt32Data(0x3C00).addInt32Data(0x7C00).addInt32Data(0x12345))));
        cases.add("sparse", "dense dims negative", Expect.REJECT, withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 3, -4)));
        cases.add("sparse", "dense dims overflow", Expect.REJECT,
                withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, 4294967296L, 4294967296L, 4)));
        cases.add("sparse", "dense dims [Long.MAX, 2]", Expect.REJECT,
                withSparseW(sparse(v3, new long[] {0, 1, 2}, new long[] {3}, Long.MAX_VALUE, 2)));
        cases.add("sparse", "dense dims absent, one value at 0", Expect.EITHER,
                withSparseW(sparse(new float[] {4}, new long[] {0}, new long[] {1})));
        cases.add("sparse", "dense dims absent, index 1", Expect.REJECT,
                withSparseW(sparse(new float[] {4}, new long[] {1}, new long[] {1})));
        cases.add("sparse", "scalar, coordinate indices [1, 0]", Expect.EITHER,
                withSparseW(sparse(new float[] {4}, new long[0], new long[] {1, 0})));
        cases.add("sparse", "scalar, two values, coordinate indices [2, 0]", Expect.REJECT,
                withSparseW(sparse(new float[] {4, 5}, new long[0], new long[] {2, 0})));
        cases.add("sparse", "dense dims [0], one value", Expect.REJECT,
                withSparseW(sparse(new float[] {4}, new long[] {0}, new long[] {1}, 0)));
        cases.add("sparse", "dense shape of 100 GB with 3 values", Expect.EITHER,
                withSparseW(sparse(v3, new long[] {0, 1, 24_999_999_999L}, new long[] {3}, 25_000_000_000L)));
        cases.add("sparse", "more values than dense elements", Expect.REJECT,
                withSparseW(sparse(new float[] {1, 2, 3, 4, 5}, new long[] {0, 1, 2, 3, 4}, new long[] {5}, 2, 2)));
        cases.add("sparse", "values name also a dense initializer", Expect.EITHER, edit(m -> m.getGraphBuilder()
                .addSparseInitializer(sparse(v3, new long[] {0, 5, 11}, new long[] {3}, 3, 4))));
        cases.add("sparse", "values unnamed", Expect.EITHER, withSparseW(sparse(v3, new long[] {0, 5, 11}, new long[] {3}, 3, 4)
                .setValues(floatTensor("", v3, 3))));
        cases.add("sparse", "sparse_value attribute on Constant, index out of range", Expect.REJECT,
                withConstantW(AttributeProto.newBuilder().setName("sparse_value").setType(AttributeType.SPARSE_TENSOR)
                        .setSparseTensor(sparse(v3, new long[] {0, 1, 99}, new long[] {3}, 3, 4)).build()));
        cases.add("sparse", "sparse_value attribute on Constant, valid", Expect.LOAD,
                withConstantW(AttributeProto.newBuilder().setName("sparse_value").setType(AttributeType.SPARSE_TENSOR)
                        .setSparseTensor(sparse(v3, new long[] {0, 1, 9}, new long[] {3}, 3, 4)).build()));
        // High-rank sparse tensors: the coordinate index array is nnz x rank longs although the file is small.
        int[][] rankNnz = {{1000, 1000}, {100_000, 10_000}, {100_000, 30_000}, {65_536, 65_536}, {3, 100_000}};
        for (int[] rn : rankNnz) {
            int rank = rn[0];
            int nnz = rn[1];
            cases.add("sparse", "rank " + rank + " (all dims 1), " + nnz + " int8 values, coordinate indices ["
                    + nnz + ", " + rank + "] without data", Expect.REJECT, lazyModel(() -> withSparseW(hugeRankSparse(rank, nnz))));
        }
    }

    private static SparseTensorProto.Builder hugeRankSparse(int rank, int nnz) {
        SparseTensorProto.Builder s = SparseTensorProto.newBuilder()
                .setValues(tensor("W", TensorProto.DataType.INT8_VALUE, nnz).setRawData(ByteString.copyFrom(new byte[nnz])))
                .setIndices(tensor("", INT64, nnz, rank));
        for (int i = 0; i < rank; i++) {
            s.addDims(1);
        }
        return s;
    }

    private static void constantCases(OnnxCases cases) {
        byte[] w = floatBytes(W_VALUES);
        cases.add("constant", "valid Constant W", Expect.LOAD, withConstantW(floatTensor("", W_VALUES, 3, 4)));
        cases.add("constant", "negative dims", Expect.REJECT,
                withConstantW(tensor("", FLOAT, -3, 4).setRawData(ByteString.copyFrom(w)).build()));
        cases.add("constant", "overflowing dims", Expect.REJECT,
                withConstantW(tensor("", FLOAT, 4294967296L, 4294967296L, 4).setRawData(ByteString.copyFrom(w)).build()));
        cases.add("constant", "raw_data 47 bytes", Expect.REJECT,
                withConstantW(tensor("", FLOAT, 3, 4).setRawData(ByteString.copyFrom(w, 0, 47)).build()));
        cases.add("constant", "data_type 0", Expect.REJECT,
                withConstantW(tensor("", 0, 3, 4).setRawData(ByteString.copyFrom(w)).build()));
        cases.add("constant", "data_type 999", Expect.EITHER,
                withConstantW(tensor("", 999, 3, 4).setRawData(ByteString.copyFrom(w)).build()));
        cases.add("constant", "string with raw_data", Expect.EITHER,
                withConstantW(tensor("", 8, 3, 4).setRawData(ByteString.copyFrom(w)).build()));
        cases.add("constant", "11 float_data for [3,4]", Expect.REJECT, withConstantW(fillFloats(tensor("", FLOAT, 3, 4), 11).build()));
        cases.add("constant", "empty TensorProto", Expect.REJECT, withConstantW(TensorProto.getDefaultInstance()));
        cases.add("constant", "float16 with 13 int32_data", Expect.REJECT,
                withConstantW(fillInts(tensor("", 10, 3, 4), 13).build()));
        cases.add("constant", "value attribute of type INT without tensor", Expect.EITHER,
                withConstantW(attrInt("value", 3)));
        cases.add("constant", "attribute 'values' holding a tensor", Expect.EITHER,
                withConstantW(attrTensor("values", floatTensor("", W_VALUES, 3, 4))));
        cases.add("constant", "value attribute of type GRAPH", Expect.EITHER,
                withConstantW(attrGraph("value", leafGraph("L"))));
        cases.add("constant", "no attributes", Expect.EITHER, withConstantW(new AttributeProto[0]));
        cases.add("constant", "value and sparse_value", Expect.EITHER, withConstantW(
                attrTensor("value", floatTensor("", W_VALUES, 3, 4)),
                AttributeProto.newBuilder().setName("sparse_value").setType(AttributeType.SPARSE_TENSOR)
                        .setSparseTensor(sparse(new float[] {1}, new long[] {0}, new long[] {1}, 3, 4)).build()));
        cases.add("constant", "value attribute twice", Expect.EITHER, withConstantW(
                attrTensor("value", floatTensor("", W_VALUES, 3, 4)), attrTensor("value", floatTensor("", B_VALUES, 3))));
        cases.add("constant", "Constant without outputs", Expect.EITHER, edit(m -> m.getGraphBuilder().addNode(0,
                NodeProto.newBuilder().setOpType("Constant").addAttribute(attrTensor("value", floatTensor("", W_VALUES, 3, 4))))));
        cases.add("constant", "Constant with empty output name", Expect.EITHER, edit(m -> m.getGraphBuilder().addNode(0,
                NodeProto.newBuilder().setOpType("Constant").addOutput("")
                        .addAttribute(attrTensor("value", floatTensor("", W_VALUES, 3, 4))))));
        cases.add("constant", "Constant output shadows initializer W", Expect.EITHER, edit(m -> m.getGraphBuilder().addNode(0,
                NodeProto.newBuilder().setOpType("Constant").addOutput("W")
                        .addAttribute(attrTensor("value", floatTensor("", W_VALUES, 3, 4))))));
        cases.add("constant", "two Constants with the same output", Expect.EITHER, edit(m -> {
            m.getGraphBuilder().removeInitializer(0);
            for (int i = 0; i < 2; i++) {
                m.getGraphBuilder().addNode(0, NodeProto.newBuilder().setOpType("Constant").addOutput("W")
                        .addAttribute(attrTensor("value", floatTensor("", W_VALUES, 3, 4))));
            }
        }));
        cases.add("constant", "three tensors named W (initializer, Constant, Constant)", Expect.EITHER, edit(m -> {
            for (int i = 0; i < 2; i++) {
                m.getGraphBuilder().addNode(0, NodeProto.newBuilder().setOpType("Constant").addOutput("W").setName("c")
                        .addAttribute(attrTensor("value", floatTensor("", W_VALUES, 3, 4))));
            }
        }));
        cases.add("constant", "initializer W@main3 before a second W at index 3 (renaming collides)", Expect.EITHER,
                edit(m -> {
                    m.getGraphBuilder().addInitializer(floatTensor("W@main3", B_VALUES, 3));
                    m.getGraphBuilder().addInitializer(floatTensor("W", B_VALUES, 3));
                }));
        cases.add("constant", "Constant with a nested bad tensor in a subgraph attribute", Expect.REJECT,
                withConstantW(attrTensor("value", floatTensor("", W_VALUES, 3, 4)), attrGraph("body",
                        leafGraph("L").toBuilder().setInitializer(0, tensor("L", FLOAT, -1).build()).build())));
    }
}
