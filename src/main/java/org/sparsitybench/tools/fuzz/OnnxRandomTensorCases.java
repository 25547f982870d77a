package org.sparsitybench.tools.fuzz;

import static org.sparsitybench.formats.onnx.OnnxModelBuilder.int64Tensor;
import static org.sparsitybench.tools.fuzz.Bytes.randomBytes;
import static org.sparsitybench.tools.fuzz.OnnxModels.byteSize;
import static org.sparsitybench.tools.fuzz.OnnxModels.files;
import static org.sparsitybench.tools.fuzz.OnnxModels.fillTypedField;
import static org.sparsitybench.tools.fuzz.OnnxModels.ifNode;
import static org.sparsitybench.tools.fuzz.OnnxModels.kv;
import static org.sparsitybench.tools.fuzz.OnnxModels.leafGraph;
import static org.sparsitybench.tools.fuzz.OnnxModels.tensor;
import static org.sparsitybench.tools.fuzz.OnnxModels.withConstantW;
import static org.sparsitybench.tools.fuzz.OnnxModels.withMainNode;
import static org.sparsitybench.tools.fuzz.OnnxModels.withSparseW;
import static org.sparsitybench.tools.fuzz.OnnxModels.withW;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.sparsitybench.tools.fuzz.OnnxModels.OnnxCases;

/** Family 2d: random tensors of random type, shape and storage, placed where a tensor can be. */
final class OnnxRandomTensorCases {
    private OnnxRandomTensorCases() {
    }

    private static final int[] FUZZ_TYPES = {1, 1, 1, 10, 10, 16, 11, 2, 3, 4, 5, 6, 7, 9, 12, 13, 8, 14, 15, 17, 19,
        18, 20, 21, 22, 0, 999, -1};

    private static final long[] WEIRD_DIMS = {-1, -7, 1L << 31, 1L << 32, Long.MAX_VALUE, 1L << 40, 12, 1000};

    record Built(ModelProto model, Map<String, byte[]> files, String what) {
    }

    static void add(OnnxCases cases) {
        for (int i = 0; i < 300; i++) {
            long seed = 5_000_000L + i;
            Built b = fuzzTensor(new Random(seed));
            cases.add("fuzz", seed, b.what, Expect.EITHER, files(b.model.toByteArray(), b.files));
        }
    }

    /** A tensor of random type, shape and storage, placed as initializer, Constant, subgraph tensor or sparse values. */
    static Built fuzzTensor(Random r) {
        int dtype = FUZZ_TYPES[r.nextInt(FUZZ_TYPES.length)];
        int rank = r.nextInt(5);
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = r.nextInt(10) < 8 ? r.nextInt(6) : WEIRD_DIMS[r.nextInt(WEIRD_DIMS.length)];
        }
        BigInteger product = BigInteger.ONE;
        boolean negative = false;
        for (long d : dims) {
            negative |= d < 0;
            product = product.multiply(BigInteger.valueOf(d));
        }
        boolean small = !negative && product.compareTo(BigInteger.valueOf(4096)) <= 0;
        int count = small ? product.intValueExact() : 3;
        int size = byteSize(dtype);
        int exactBytes = count * Math.max(size, 1);
        int storage = r.nextInt(9);
        TensorProto.Builder t = tensor("W", dtype, dims);
        Map<String, byte[]> files = new LinkedHashMap<>();
        String how;
        switch (storage) {
            case 0 -> {
                t.setRawData(ByteString.copyFrom(randomBytes(r, exactBytes)));
                how = "raw " + exactBytes + " bytes";
            }
            case 1 -> {
                int[] deltas = {-size, -1, 1, size, r.nextInt(64)};
                int n = Math.max(0, exactBytes + deltas[r.nextInt(deltas.length)]);
                t.setRawData(ByteString.copyFrom(randomBytes(r, n)));
                how = "raw " + n + " bytes";
            }
            case 2 -> how = fillTypedField(t, dtype, dtype == 14 || dtype == 15 ? 2 * count : count, r) + " exact";
            case 3 -> how = fillTypedField(t, dtype, Math.max(0, count + (r.nextBoolean() ? 1 : -1)), r) + " off by one";
            case 4 -> how = fillTypedField(t, new int[] {1, 11, 6, 7, 13, 8}[r.nextInt(6)], count, r) + " (maybe wrong field)";
            case 5 -> how = "no data";
            case 6 -> {
                int offset = r.nextBoolean() ? 0 : r.nextInt(64);
                files.put("d.bin", randomBytes(r, offset + exactBytes));
                t.setDataLocation(TensorProto.DataLocation.EXTERNAL).addExternalData(kv("location", "d.bin"));
                if (offset > 0 || r.nextBoolean()) {
                    t.addExternalData(kv("offset", Integer.toString(offset)));
                }
                if (r.nextBoolean()) {
                    t.addExternalData(kv("length", Integer.toString(exactBytes)));
                }
                how = "external exact, offset " + offset;
            }
            case 7 -> {
                files.put("d.bin", randomBytes(r, r.nextInt(128)));
                t.setDataLocation(TensorProto.DataLocation.EXTERNAL).addExternalData(kv("location", "d.bin"));
                if (r.nextBoolean()) {
                    t.addExternalData(kv("offset", Integer.toString(r.nextInt(160) - 16)));
                }
                if (r.nextBoolean()) {
                    t.addExternalData(kv("length", Integer.toString(r.nextInt(160) - 16)));
                }
                how = "external random " + files.get("d.bin").length + " bytes " + t.getExternalDataList().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).toList();
            }
            default -> {
                t.setRawData(ByteString.copyFrom(randomBytes(r, exactBytes)));
                how = "raw and " + fillTypedField(t, dtype, count, r);
            }
        }
        int place = r.nextInt(4);
        TensorProto tensor = t.build();
        ModelProto model;
        String where;
        switch (place) {
            case 0 -> {
                model = withW(tensor);
                where = "initializer";
            }
            case 1 -> {
                model = withConstantW(tensor.toBuilder().clearName().build());
                where = "Constant";
            }
            case 2 -> {
                model = withMainNode(ifNode(leafGraph("L").toBuilder().setInitializer(0, tensor.toBuilder().setName("L"))
                        .build(), "If"));
                where = "subgraph initializer";
            }
            default -> {
                long[] idx = new long[Math.min(count, 12)];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = r.nextInt(12);
                }
                model = withSparseW(SparseTensorProto.newBuilder().setValues(tensor)
                        .setIndices(int64Tensor("", idx, idx.length)).addDims(3).addDims(4));
                where = "sparse values";
            }
        }
        return new Built(model, files, "dtype " + dtype + " dims " + Arrays.toString(dims) + ", " + how + ", as " + where);
    }
}
