package org.sparsitybench.tools.fuzz;

import static org.sparsitybench.formats.onnx.OnnxModelBuilder.floatTensor;
import static org.sparsitybench.tools.fuzz.Bytes.floatBytes;
import static org.sparsitybench.tools.fuzz.OnnxModels.FLOAT;
import static org.sparsitybench.tools.fuzz.OnnxModels.INT64;
import static org.sparsitybench.tools.fuzz.OnnxModels.W_VALUES;
import static org.sparsitybench.tools.fuzz.OnnxModels.boxed;
import static org.sparsitybench.tools.fuzz.OnnxModels.byteSize;
import static org.sparsitybench.tools.fuzz.OnnxModels.editW;
import static org.sparsitybench.tools.fuzz.OnnxModels.fillTypedField;
import static org.sparsitybench.tools.fuzz.OnnxModels.model;
import static org.sparsitybench.tools.fuzz.OnnxModels.tensor;
import static org.sparsitybench.tools.fuzz.OnnxModels.withConstantW;
import static org.sparsitybench.tools.fuzz.OnnxModels.withW;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;
import org.sparsitybench.tools.fuzz.OnnxModels.OnnxCases;

/**
 * Family 2a: one tensor's storage damaged: negative and overflowing dims, absurd size claims, raw and typed data
 * of the wrong length, unknown data types.
 */
final class OnnxTensorCases {
    private OnnxTensorCases() {
    }

    static void add(OnnxCases cases) {
        dimsCases(cases);
        hugeClaimCases(cases);
        rawLengthCases(cases);
        typedCountCases(cases);
        dataTypeCases(cases);
    }

    private static void dimsCases(OnnxCases cases) {
        long[][] dims = {
            {-1}, {3, -4}, {-3, 4}, {Long.MIN_VALUE}, {Long.MIN_VALUE, -1}, {3, 4, -1}, {-2, -6}, {2, -2, -3},
            {-4294967296L, -4294967296L}, {4294967296L, 4294967296L, 4}, {Long.MAX_VALUE, 2}, {3037000500L, 3037000500L},
            {1L << 62, 4}, {1L << 32, 1L << 31}, {Long.MAX_VALUE, Long.MAX_VALUE, 0}, {0, Long.MAX_VALUE, 2},
            {0}, {0, 4}, {}, {12}, {4, 3}, {2, 2, 3}, {1, 1, 1, 1, 1, 1, 1, 1, 12}, {3, 4, 0}, {1L << 40, 0}, {3, 4, 1},
            {6, 2}, {1, 12, 1, 1}, {24}, {3}, {3, 4, 2},
        };
        for (long[] d : dims) {
            cases.add("dims", "W raw_data 48 bytes, dims " + Arrays.toString(d), dimsExpect(d, 12),
                    editW(t -> t.clearDims().addAllDims(boxed(d))));
            cases.add("dims", "Constant value 48 bytes, dims " + Arrays.toString(d), dimsExpect(d, 12),
                    withConstantW(tensor("", FLOAT, d).setRawData(ByteString.copyFrom(floatBytes(W_VALUES))).build()));
        }
    }

    /** LOAD when the dims are all non-negative and multiply to exactly {@code elements}, else REJECT. */
    private static Expect dimsExpect(long[] dims, long elements) {
        BigInteger n = BigInteger.ONE;
        for (long d : dims) {
            if (d < 0) {
                return Expect.REJECT;
            }
            n = n.multiply(BigInteger.valueOf(d));
        }
        return n.equals(BigInteger.valueOf(elements)) ? Expect.LOAD : Expect.REJECT;
    }

    private static void hugeClaimCases(OnnxCases cases) {
        byte[] twelve = floatBytes(new float[] {1, 2, 3});
        long[][] claims = {{25_000_000_000L}, {5_000_000, 5_000}, {1L << 20, 1L << 20, 25}, {100_000, 100_000, 2, 1},
            {Integer.MAX_VALUE, 12}, {1L << 31}};
        for (long[] d : claims) {
            cases.add("huge-claim", "float dims " + Arrays.toString(d) + " (~100 GB) with 12 bytes of raw_data",
                    Expect.REJECT, withW(tensor("W", FLOAT, d).setRawData(ByteString.copyFrom(twelve)).build()));
            cases.add("huge-claim", "float dims " + Arrays.toString(d) + " with 3 float_data values", Expect.REJECT,
                    withW(tensor("W", FLOAT, d).addFloatData(1).addFloatData(2).addFloatData(3).build()));
        }
        cases.add("huge-claim", "double [12_500_000_000] with 12 bytes", Expect.REJECT,
                withW(tensor("W", TensorProto.DataType.DOUBLE_VALUE, 12_500_000_000L)
                        .setRawData(ByteString.copyFrom(twelve)).build()));
        cases.add("huge-claim", "float16 [50_000_000_000] with 3 int32_data", Expect.REJECT,
                withW(tensor("W", TensorProto.DataType.FLOAT16_VALUE, 50_000_000_000L)
                        .addInt32Data(1).addInt32Data(2).addInt32Data(3).build()));
        cases.add("huge-claim", "int64 [12_500_000_000] with 1 int64_data", Expect.REJECT,
                withW(tensor("W", INT64, 12_500_000_000L).addInt64Data(1).build()));
        cases.add("huge-claim", "Constant float [25_000_000_000] with 12 bytes", Expect.REJECT,
                withConstantW(tensor("", FLOAT, 25_000_000_000L).setRawData(ByteString.copyFrom(twelve)).build()));
        cases.add("huge-claim", "float [25_000_000_000] without any data", Expect.REJECT,
                withW(tensor("W", FLOAT, 25_000_000_000L).build()));
    }

    private static final int[] SIZED_TYPES = {1, 10, 16, 11, 3, 2, 7, 9, 6, 13, 17, 19};

    private static void rawLengthCases(OnnxCases cases) {
        int[] lengths = {0, 1, 3, 47, 49, 96, 4096, -1};
        long seed = 2_000_000;
        for (int dtype : SIZED_TYPES) {
            int exact = 12 * byteSize(dtype);
            for (int len : lengths) {
                int n = len < 0 ? exact : len;
                byte[] raw = new byte[n];
                new Random(seed).nextBytes(raw);
                cases.add("raw-length", seed, "W dtype " + dtype + " [3,4] with " + n + " raw bytes (needs " + exact
                        + ")", n == exact ? Expect.LOAD : Expect.REJECT,
                        model(withW(tensor("W", dtype, 3, 4).setRawData(ByteString.copyFrom(raw)).build())));
                seed++;
            }
        }
    }

    private static void typedCountCases(OnnxCases cases) {
        int[] dtypes = {1, 11, 10, 16, 3, 2, 9, 6, 4, 5, 17, 19, 7, 12, 13, 8, 14, 15};
        int[] counts = {0, 1, 11, 12, 13, 24, 100};
        long seed = 3_000_000;
        for (int dtype : dtypes) {
            int needed = dtype == 14 || dtype == 15 ? 24 : 12;
            for (int n : counts) {
                TensorProto.Builder t = tensor("W", dtype, 3, 4);
                String field = fillTypedField(t, dtype, n, new Random(seed));
                cases.add("typed-count", seed, "W dtype " + dtype + " [3,4] with " + n + " " + field + " values",
                        n == needed ? Expect.LOAD : Expect.REJECT, model(withW(t.build())));
                seed++;
            }
        }
        // Values in the wrong typed field for the dtype.
        int[][] wrong = {{1, 6}, {6, 1}, {10, 1}, {7, 6}, {12, 6}, {11, 1}, {13, 7}, {1, 11}};
        for (int[] pair : wrong) {
            TensorProto.Builder t = tensor("W", pair[0], 3, 4);
            String field = fillTypedField(t, pair[1], 12, new Random(seed));
            cases.add("typed-count", seed, "W dtype " + pair[0] + " with 12 values in " + field, Expect.EITHER,
                    model(withW(t.build())));
            seed++;
        }
        // FLOAT16 bits in int32_data beyond 16 bits are legal input; the low 16 bits count.
        TensorProto.Builder half = tensor("W", TensorProto.DataType.FLOAT16_VALUE, 3, 4);
        for (int v : new int[] {0x12345678, -1, Integer.MIN_VALUE, 0x7C00, 0xFC00, 0x7E00, 1, 0x3C00, 0, 65535, 65536,
            Integer.MAX_VALUE}) {
            half.addInt32Data(v);
        }
        cases.add("typed-count", "float16 int32_data with values beyond 16 bits", Expect.LOAD, withW(half.build()));
        cases.add("typed-count", "raw_data 48 bytes and 5 float_data values", Expect.EITHER,
                editW(t -> t.addFloatData(1).addFloatData(2).addFloatData(3).addFloatData(4).addFloatData(5)));
        cases.add("typed-count", "raw_data 20 bytes and 12 float_data values", Expect.EITHER,
                editW(t -> {
                    t.setRawData(ByteString.copyFrom(new byte[20]));
                    for (float v : W_VALUES) {
                        t.addFloatData(v);
                    }
                }));
    }

    private static void dataTypeCases(OnnxCases cases) {
        Integer[] types = {null, 0, -1, 999, 8, 18, 20, 21, 22, 23, 24, 14, 15, Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (Integer dtype : types) {
            String dt = dtype == null ? "unset" : dtype.toString();
            boolean undefined = dtype == null || dtype == 0;
            Expect e = undefined ? Expect.REJECT : Expect.EITHER;
            cases.add("data-type", "W data_type " + dt + " with 48 raw bytes", e, editW(t -> setType(t, dtype)));
            cases.add("data-type", "W data_type " + dt + " with empty raw_data", e,
                    editW(t -> setType(t, dtype).setRawData(ByteString.EMPTY)));
            cases.add("data-type", "W data_type " + dt + " without data", e, editW(t -> setType(t, dtype).clearRawData()));
            cases.add("data-type", "W data_type " + dt + " with 12 float_data", e, editW(t -> {
                setType(t, dtype).clearRawData();
                for (float v : W_VALUES) {
                    t.addFloatData(v);
                }
            }));
            cases.add("data-type", "Constant value data_type " + dt + " with 48 raw bytes", e,
                    withConstantW(setType(floatTensor("", W_VALUES, 3, 4).toBuilder(), dtype).build()));
        }
    }

    private static TensorProto.Builder setType(TensorProto.Builder t, Integer dtype) {
        return dtype == null ? t.clearDataType() : t.setDataType(dtype);
    }
}
