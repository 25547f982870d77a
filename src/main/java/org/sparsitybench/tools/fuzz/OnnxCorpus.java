package org.sparsitybench.tools.fuzz;

import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrGraph;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrInt;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrTensor;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.floatTensor;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.int64Tensor;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.valueInfo;
import static org.sparsitybench.tools.fuzz.Bytes.concat;
import static org.sparsitybench.tools.fuzz.Bytes.floatBytes;
import static org.sparsitybench.tools.fuzz.Bytes.longBytes;
import static org.sparsitybench.tools.fuzz.Bytes.randomBytes;
import static org.sparsitybench.tools.fuzz.Bytes.splice;
import static org.sparsitybench.tools.fuzz.Bytes.varint;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.sparsitybench.formats.onnx.OnnxModelBuilder;
import org.sparsitybench.formats.onnx.OnnxReader;
import org.sparsitybench.tools.fuzz.ByteMutations.Mutation;
import org.sparsitybench.tools.fuzz.ByteMutations.Mutator;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;

/**
 * Damaged ONNX files: byte-level damage to valid models (truncation, flips, varint and length-prefix damage,
 * insertions, deletions, duplicated runs), structure-aware damage built with the protobuf builders (negative and
 * overflowing dims, absurd size claims, raw and typed data of the wrong length, unknown data types, sparse
 * tensors with bad indices, Constant nodes, subgraphs nested up to 100,000 deep, invalid UTF-8 names, random
 * rewiring, random tensors) and external data (valid, escaping through {@code ..}, absolute paths and symlinks,
 * bad offsets and lengths). A loaded model must also decode every real-numeric tensor of up to a million
 * elements and give its statistics.
 */
public final class OnnxCorpus implements Corpus {
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int INT64 = TensorProto.DataType.INT64_VALUE;
    private static final long READ_LIMIT = 1_000_000;
    private static final float[] W_VALUES = {1, -2, 3, -4, 0.5f, 0, 0, 7, -8, 9, 10, -11.5f};
    private static final float[] B_VALUES = {0.25f, -1, 0};
    /** The small valid model every structure-aware case starts from: Y = Gemm(X[N,4], W[3,4], B[3], transB=1). */
    static final ModelProto GEMM = gemmBuilder("W").build();

    /** A valid model (and its side files) that byte-level damage starts from. */
    public record ByteBase(String name, byte[] model, Map<String, byte[]> sidecars) {
    }

    private final List<ByteBase> bases;

    /** The built-in bases only: the Gemm model, inline and with external data. */
    public OnnxCorpus() {
        this(List.of());
    }

    /** The built-in bases and {@code extra} ones (for example exported models from a test's fixtures). */
    public OnnxCorpus(List<ByteBase> extra) {
        List<ByteBase> all = new ArrayList<>(extra);
        all.add(new ByteBase("gemm", GEMM.toByteArray(), Map.of()));
        all.add(new ByteBase("gemm-external", withW(externalW("location", "w.bin")).toByteArray(),
                Map.of("w.bin", floatBytes(W_VALUES))));
        this.bases = List.copyOf(all);
    }

    @Override
    public String format() {
        return "onnx";
    }

    @Override
    public void catalogue(Cases cases, Sandbox sandbox) {
        byteCases(cases);
        structureCases(cases);
        externalCases(cases, sandbox);
    }

    /** Adds {@code cases} with overloads for whole models. */
    private record OnnxCases(Cases list) {
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

    // ------------------------------------------------------------------------------------------------------------
    // Family 1: byte-level damage to valid files
    // ------------------------------------------------------------------------------------------------------------

    /** Each base unchanged, then each mutator applied to each base with its own seed. */
    public void byteCases(Cases into) {
        OnnxCases cases = new OnnxCases(into);
        Map<String, Mutator> mutators = new LinkedHashMap<>();
        mutators.put("truncate", ByteMutations::truncate);
        mutators.put("flip", ByteMutations::flip);
        mutators.put("varint", OnnxCorpus::varintDamage);
        mutators.put("insert", ByteMutations::insert);
        mutators.put("delete", ByteMutations::delete);
        mutators.put("duplicate", ByteMutations::duplicate);
        Map<String, Integer> perBase = Map.of("truncate", 40, "flip", 90, "varint", 45, "insert", 30, "delete", 30,
                "duplicate", 30);
        for (ByteBase b : bases) {
            cases.add("pristine", b.name + " unchanged", Expect.LOAD, files(b.model, b.sidecars));
        }
        int g = 0;
        for (Map.Entry<String, Mutator> m : mutators.entrySet()) {
            g++;
            for (int bi = 0; bi < bases.size(); bi++) {
                ByteBase b = bases.get(bi);
                List<int[]> prefixes = lengthPrefixes(b.model);
                for (int i = 0; i < perBase.get(m.getKey()); i++) {
                    long seed = 1_000_000L * g + 1_000L * bi + i;
                    Mutation mu = m.getValue().apply(b.model, prefixes, new Random(seed), i);
                    Expect expect = mu.bytes().length == 0 ? Expect.REJECT : Expect.EITHER;
                    cases.add(m.getKey(), seed, b.name + " " + mu.what(), expect, files(mu.bytes(), b.sidecars));
                }
            }
        }
    }

    /** 0xFF runs at random places, or over the length prefix of a length-delimited field (huge or invalid). */
    private static Mutation varintDamage(byte[] s, List<int[]> prefixes, Random r, int index) {
        int mode = prefixes.isEmpty() ? 0 : r.nextInt(3);
        int run = 1 + r.nextInt(10);
        byte terminator = (byte) new int[] {0x01, 0x07, 0x0F, 0x7F}[r.nextInt(4)];
        boolean terminate = r.nextBoolean();
        if (mode == 0) {
            byte[] b = s.clone();
            int at = r.nextInt(b.length);
            for (int k = 0; k < run && at + k < b.length; k++) {
                b[at + k] = (byte) 0xFF;
            }
            if (terminate && at + run < b.length) {
                b[at + run] = terminator;
            }
            return new Mutation(b, run + " bytes set to 0xFF at " + at + (terminate ? " then 0x"
                    + Integer.toHexString(terminator & 0xff) : ""));
        }
        int[] p = prefixes.get(r.nextInt(prefixes.size()));
        byte[] replacement;
        String what;
        if (mode == 1) {
            replacement = new byte[run + (terminate ? 1 : 0)];
            Arrays.fill(replacement, 0, run, (byte) 0xFF);
            if (terminate) {
                replacement[run] = terminator;
            }
            what = "length prefix at " + p[0] + " replaced by " + run + "x0xFF" + (terminate ? "+0x"
                    + Integer.toHexString(terminator & 0xff) : "");
        } else {
            long[] values = {Integer.MAX_VALUE, 1L << 32, Long.MAX_VALUE, -1L, 0, s.length, s.length - p[0]};
            long v = values[r.nextInt(values.length)];
            replacement = varint(v);
            what = "length prefix at " + p[0] + " set to " + v;
        }
        return new Mutation(splice(s, p[0], p[1], replacement), what);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Family 2: structure-aware damage, built with OnnxModelBuilder and the protobuf builders
    // ------------------------------------------------------------------------------------------------------------

    /** Models built whole with one part damaged (dims, sizes, data types, sparse, Constant, subgraphs, names). */
    public void structureCases(Cases into) {
        OnnxCases cases = new OnnxCases(into);
        cases.add("baseline", "valid Gemm model", Expect.LOAD, GEMM);
        dimsCases(cases);
        hugeClaimCases(cases);
        rawLengthCases(cases);
        typedCountCases(cases);
        dataTypeCases(cases);
        sparseCases(cases);
        constantCases(cases);
        subgraphCases(cases);
        modelCases(cases);
        utf8Cases(cases);
        rewireCases(cases);
        fuzzCases(cases);
    }

    /**
     * External data: valid locations, escapes through {@code ..}, absolute paths and symlinks (which must fail
     * with UnsafePathException naming the model file), and other damage (bad offsets, lengths, files).
     */
    public void externalCases(Cases into, Sandbox sandbox) {
        externalCases(new OnnxCases(into), floatBytes(W_VALUES), sandbox.secret(), sandbox.outside());
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

    /** Fills the typed field ONNX uses for {@code dtype} with {@code n} values; returns the field's name. */
    private static String fillTypedField(TensorProto.Builder t, int dtype, int n, Random r) {
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

    private static ModelProto rewired(Random r) {
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

    private static final int[] FUZZ_TYPES = {1, 1, 1, 10, 10, 16, 11, 2, 3, 4, 5, 6, 7, 9, 12, 13, 8, 14, 15, 17, 19,
        18, 20, 21, 22, 0, 999, -1};
    private static final long[] WEIRD_DIMS = {-1, -7, 1L << 31, 1L << 32, Long.MAX_VALUE, 1L << 40, 12, 1000};

    private record Built(ModelProto model, Map<String, byte[]> files, String what) {
    }

    private static void fuzzCases(OnnxCases cases) {
        for (int i = 0; i < 300; i++) {
            long seed = 5_000_000L + i;
            Built b = fuzzTensor(new Random(seed));
            cases.add("fuzz", seed, b.what, Expect.EITHER, files(b.model.toByteArray(), b.files));
        }
    }

    /** A tensor of random type, shape and storage, placed as initializer, Constant, subgraph tensor or sparse values. */
    private static Built fuzzTensor(Random r) {
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

    private static void externalCases(OnnxCases cases, byte[] w, Path secret, Path outside) {
        Map<String, byte[]> wbin = Map.of("w.bin", w);
        // Valid external data first, so the escapes below are known to fail for the right reason.
        cases.add("external-data", "valid w.bin", Expect.LOAD, files(withW(externalW("location", "w.bin")), wbin));
        cases.add("external-data", "valid sub/w.bin", Expect.LOAD,
                files(withW(externalW("location", "sub/w.bin")), Map.of("sub/w.bin", w)));
        cases.add("external-data", "valid offset 16 length 48", Expect.LOAD, files(withW(externalW("location", "w.bin",
                "offset", "16", "length", "48")), Map.of("w.bin", concat(new byte[16], w))));
        cases.add("external-data", "valid, symlink inside the folder to w.bin", Expect.LOAD, dir -> {
            Path m = write(dir, withW(externalW("location", "link.bin")), wbin);
            Files.createSymbolicLink(dir.resolve("link.bin"), Path.of("w.bin"));
            return m;
        });
        cases.add("external-data", "valid, model folder itself reached through a symlink", Expect.LOAD, dir -> {
            Path real = Files.createDirectories(outside.resolve("models").resolve(dir.getFileName().toString()));
            write(real, withW(externalW("location", "w.bin")), wbin);
            Files.createSymbolicLink(dir.resolve("m"), real);
            return dir.resolve("m").resolve("model.onnx");
        });

        // Path escapes: must be UnsafePathException naming the model file.
        String[] escapes = {"../x.bin", "../../x.bin", "sub/../../x.bin", "./../x.bin", "..", "../", "sub/../../../x.bin",
            "/etc/passwd", "//etc/passwd", "/dev/zero", "/proc/self/environ", secret.toString(),
            secret.getParent() + "/./secret.bin"};
        for (String loc : escapes) {
            cases.add("external-path", "location '" + loc + "'", Expect.UNSAFE,
                    files(withW(externalW("location", loc)), Map.of("sub/w.bin", w)));
        }
        cases.add("external-path", "symlink in the folder to a file in another temp dir", Expect.UNSAFE, dir -> {
            Path m = write(dir, withW(externalW("location", "link.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("link.bin"), secret);
            return m;
        });
        cases.add("external-path", "relative symlink in the folder to a file in another temp dir", Expect.UNSAFE, dir -> {
            Path m = write(dir, withW(externalW("location", "link.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("link.bin"), dir.relativize(secret));
            return m;
        });
        cases.add("external-path", "symlinked directory to another temp dir", Expect.UNSAFE, dir -> {
            Path m = write(dir, withW(externalW("location", "ext/secret.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("ext"), secret.getParent());
            return m;
        });
        cases.add("external-path", "symlink chain a.bin -> b.bin -> outside", Expect.UNSAFE, dir -> {
            Path m = write(dir, withW(externalW("location", "a.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("b.bin"), secret);
            Files.createSymbolicLink(dir.resolve("a.bin"), Path.of("b.bin"));
            return m;
        });
        cases.add("external-path", "symlink to /etc/passwd", Expect.UNSAFE, dir -> {
            Path m = write(dir, withW(externalW("location", "link.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("link.bin"), Path.of("/etc/passwd"));
            return m;
        });
        cases.add("external-path", "symlink to the folder's parent, then x.bin", Expect.UNSAFE, dir -> {
            Path m = write(dir, withW(externalW("location", "up/x.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("up"), Path.of(".."));
            return m;
        });
        cases.add("external-path", "Constant node with location ../x.bin", Expect.UNSAFE,
                files(withConstantW(externalW("location", "../x.bin").toBuilder().clearName().build()), Map.of()));
        cases.add("external-path", "sparse values with location ../x.bin", Expect.UNSAFE, files(withSparseW(
                SparseTensorProto.newBuilder().setValues(externalW("location", "../x.bin").toBuilder().clearDims().addDims(12))
                        .setIndices(int64Tensor("", new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 12)).addDims(3).addDims(4)),
                Map.of()));
        cases.add("external-path", "subgraph initializer with location ../x.bin", Expect.UNSAFE, files(withMainNode(ifNode(
                leafGraph("L").toBuilder().setInitializer(0, externalW("location", "../x.bin").toBuilder().setName("L")).build(),
                "If")), Map.of()));
        cases.add("external-path", "location ../x.bin with data_type string", Expect.UNSAFE,
                files(withW(externalW("location", "../x.bin").toBuilder().setDataType(8).build()), Map.of()));
        cases.add("external-path", "location /etc/passwd with length and offset", Expect.UNSAFE,
                files(withW(externalW("location", "/etc/passwd", "offset", "0", "length", "48")), Map.of()));

        // Other damage: any ModelFormatException will do.
        cases.add("external-data", "dangling symlink to another temp dir", Expect.REJECT, dir -> {
            Path m = write(dir, withW(externalW("location", "link.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("link.bin"), outside.resolve("missing.bin"));
            return m;
        });
        cases.add("external-data", "symlink loop", Expect.REJECT, dir -> {
            Path m = write(dir, withW(externalW("location", "a.bin")), Map.of());
            Files.createSymbolicLink(dir.resolve("a.bin"), Path.of("b.bin"));
            Files.createSymbolicLink(dir.resolve("b.bin"), Path.of("a.bin"));
            return m;
        });
        cases.add("external-data", "location missing", Expect.REJECT, files(withW(externalW("offset", "0", "length", "48")), wbin));
        cases.add("external-data", "no external_data entries at all", Expect.REJECT, files(withW(externalW()), wbin));
        cases.add("external-data", "location empty", Expect.REJECT, files(withW(externalW("location", "")), wbin));
        cases.add("external-data", "location '.'", Expect.REJECT, files(withW(externalW("location", ".")), wbin));
        cases.add("external-data", "location is a directory", Expect.REJECT,
                files(withW(externalW("location", "sub")), Map.of("sub/w.bin", w)));
        cases.add("external-data", "location nonexistent", Expect.REJECT, files(withW(externalW("location", "missing.bin")), wbin));
        cases.add("external-data", "location with NUL", Expect.REJECT, files(withW(externalW("location", "w\u0000.bin")), wbin));
        cases.add("external-data", "location '\\etc\\passwd'", Expect.REJECT, files(withW(externalW("location", "\\etc\\passwd")), wbin));
        cases.add("external-data", "location '..\\x.bin'", Expect.REJECT, files(withW(externalW("location", "..\\x.bin")), wbin));
        cases.add("external-data", "location 'C:\\x.bin'", Expect.REJECT, files(withW(externalW("location", "C:\\x.bin")), wbin));
        cases.add("external-data", "location is a FIFO", Expect.REJECT, dir -> {
            Path m = write(dir, withW(externalW("location", "fifo.bin")), Map.of());
            Path fifo = dir.resolve("fifo.bin");
            try {
                Process p = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(fifo); // no mkfifo: a directory is still not a regular file
            }
            return m;
        });
        cases.add("external-data", "location is the model file itself", Expect.EITHER,
                files(withW(externalW("location", "model.onnx")), Map.of()));
        cases.add("external-data", "location twice (w.bin, then ../x.bin)", Expect.EITHER,
                files(withW(externalW("location", "w.bin", "location", "../x.bin")), wbin));
        String[] badNumbers = {"abc", "", " ", "1.5", "0x10", "-4", "-1", "99999999999999999999", "4.8e1", "1_0", "+-1",
            "\u0661"};
        for (String v : badNumbers) {
            cases.add("external-data", "offset '" + v + "'", v.equals("\u0661") ? Expect.EITHER : Expect.REJECT,
                    files(withW(externalW("location", "w.bin", "offset", v)), Map.of("w.bin", concat(w, new byte[8]))));
            cases.add("external-data", "length '" + v + "'", Expect.REJECT,
                    files(withW(externalW("location", "w.bin", "length", v)), wbin));
        }
        String[][] ranges = {{"49", null}, {"48", null}, {"1", null}, {"1000000", null}, {"9223372036854775807", null},
            {"9223372036854775800", "48"}, {"0", "44"}, {"0", "52"}, {"0", "0"}, {"0", "96"}, {"4", "48"},
            {"9223372036854775807", "9223372036854775807"}, {"0", "9223372036854775807"}};
        for (String[] rg : ranges) {
            List<String> kv = new ArrayList<>(List.of("location", "w.bin", "offset", rg[0]));
            if (rg[1] != null) {
                kv.add("length");
                kv.add(rg[1]);
            }
            cases.add("external-data", "48-byte w.bin, offset " + rg[0] + " length " + rg[1], Expect.REJECT,
                    files(withW(externalW(kv.toArray(new String[0]))), wbin));
        }
        cases.add("external-data", "47-byte data file", Expect.REJECT,
                files(withW(externalW("location", "w.bin")), Map.of("w.bin", Arrays.copyOf(w, 47))));
        cases.add("external-data", "empty data file", Expect.REJECT,
                files(withW(externalW("location", "w.bin")), Map.of("w.bin", new byte[0])));
        cases.add("external-data", "length ' 48 ' with spaces", Expect.EITHER,
                files(withW(externalW("location", "w.bin", "length", " 48 ")), wbin));
        cases.add("external-data", "dims claim 100 GB", Expect.REJECT, files(withW(externalW("location", "w.bin")
                .toBuilder().clearDims().addDims(25_000_000_000L).build()), wbin));
        cases.add("external-data", "dims negative", Expect.REJECT, files(withW(externalW("location", "w.bin")
                .toBuilder().clearDims().addDims(-12).build()), wbin));
        cases.add("external-data", "dims overflow", Expect.REJECT, files(withW(externalW("location", "w.bin")
                .toBuilder().clearDims().addDims(4294967296L).addDims(4294967296L).addDims(4).build()), wbin));
        cases.add("external-data", "data_type 0", Expect.REJECT,
                files(withW(externalW("location", "w.bin").toBuilder().setDataType(0).build()), wbin));
        cases.add("external-data", "data_type 999", Expect.EITHER,
                files(withW(externalW("location", "w.bin").toBuilder().setDataType(999).build()), wbin));
        cases.add("external-data", "data_type double (needs 96 bytes)", Expect.REJECT,
                files(withW(externalW("location", "w.bin").toBuilder().setDataType(11).build()), wbin));
        cases.add("external-data", "external and raw_data", Expect.EITHER,
                files(withW(externalW("location", "w.bin").toBuilder().setRawData(ByteString.copyFrom(w)).build()), wbin));
        cases.add("external-data", "external_data entries without data_location EXTERNAL", Expect.EITHER,
                files(withW(externalW("location", "../x.bin").toBuilder().clearDataLocation().setRawData(ByteString.copyFrom(w))
                        .build()), Map.of()));
        cases.add("external-data", "sparse indices external, valid", Expect.LOAD, files(withSparseW(
                SparseTensorProto.newBuilder().setValues(floatTensor("W", new float[] {1, 2, 3}, 3))
                        .setIndices(tensor("", INT64, 3).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(kv("location", "i.bin"))).addDims(3).addDims(4)),
                Map.of("i.bin", longBytes(0, 4, 11))));
        cases.add("external-data", "sparse indices external, index out of range", Expect.REJECT, files(withSparseW(
                SparseTensorProto.newBuilder().setValues(floatTensor("W", new float[] {1, 2, 3}, 3))
                        .setIndices(tensor("", INT64, 3).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(kv("location", "i.bin"))).addDims(3).addDims(4)),
                Map.of("i.bin", longBytes(0, 4, 12))));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Random cases and reading
    // ------------------------------------------------------------------------------------------------------------

    private static final String[] ESCAPE_TARGETS = {"x.bin", "w.bin", "sub/x.bin"};

    @Override
    public FuzzCase random(int index, long seed, Sandbox sandbox) {
        Random r = new Random(seed);
        Cases one = new Cases();
        OnnxCases cases = new OnnxCases(one);
        int kind = r.nextInt(10);
        if (kind < 4) {
            ByteBase b = bases.get(r.nextInt(bases.size()));
            Mutation mu = kind == 0 ? varintDamage(b.model, lengthPrefixes(b.model), r, 3 + r.nextInt(1000))
                    : ByteMutations.any(b.model, r);
            cases.add("random-bytes", seed, b.name + " " + mu.what(), mu.bytes().length == 0 ? Expect.REJECT
                    : Expect.EITHER, files(mu.bytes(), b.sidecars));
        } else if (kind < 6) {
            Built b = fuzzTensor(r);
            cases.add("random-tensor", seed, b.what, Expect.EITHER, files(b.model.toByteArray(), b.files));
        } else if (kind < 8) {
            cases.add("random-rewire", seed, "random ops, inputs and attributes", Expect.EITHER, model(rewired(r)));
        } else {
            randomLocation(cases, seed, r, sandbox);
        }
        FuzzCase c = one.list().get(0);
        return new FuzzCase(c.generator(), index, c.seed(), c.detail(), c.expect(), c.setup());
    }

    /**
     * External data at {@code sub/}×a {@code ../}×b target: inside the folder when b ≤ a (W's bytes are there
     * under every target name, so it loads or fails typed), an escape when b > a; or an absolute path to the
     * canary outside, spelled in one of several ways.
     */
    private static void randomLocation(OnnxCases cases, long seed, Random r, Sandbox sandbox) {
        byte[] w = floatBytes(W_VALUES);
        Map<String, byte[]> inside = Map.of("x.bin", w, "w.bin", w, "sub/x.bin", w, "sub/w.bin", w,
                "sub/sub/x.bin", w);
        if (r.nextInt(4) == 0) {
            String secret = sandbox.secret().toString();
            String[] spellings = {secret, "/" + secret, sandbox.outside() + "/./secret.bin",
                sandbox.outside() + "/../outside/secret.bin", sandbox.outside() + "//secret.bin"};
            String loc = spellings[r.nextInt(spellings.length)];
            cases.add("random-location", seed, "location '" + loc + "'", Expect.UNSAFE,
                    files(withW(externalW("location", loc)), inside));
            return;
        }
        int a = r.nextInt(3);
        int b = r.nextInt(4);
        StringBuilder loc = new StringBuilder(r.nextBoolean() ? "./" : "");
        loc.append("sub/".repeat(a)).append("../".repeat(b)).append(ESCAPE_TARGETS[r.nextInt(ESCAPE_TARGETS.length)]);
        boolean escapes = b > a;
        cases.add("random-location", seed, "location '" + loc + "'", escapes ? Expect.UNSAFE : Expect.EITHER,
                files(withW(externalW("location", loc.toString())), inside));
    }

    /** Reads the file, then every real-numeric tensor of up to a million elements; never throws. */
    @Override
    public Outcome attempt(FuzzCase c, Path file) {
        Model model;
        try {
            model = new OnnxReader().read(file);
        } catch (Throwable t) {
            return Outcome.failed(t);
        }
        for (WeightTensor t : model.tensors()) {
            if (t.dtype().isNumericReal() && t.elementCount() <= READ_LIMIT) {
                try {
                    float[] values = t.data().readAllFloats();
                    if (values.length != t.elementCount()) {
                        throw new IllegalStateException("readAllFloats returned " + values.length + " values for "
                                + t.elementCount() + " elements");
                    }
                    t.stats();
                } catch (Throwable e) {
                    return new Outcome(e, "reading the values of tensor '" + t.name() + "' " + t.dtype()
                            + t.shapeString(), model.tensors().size() + " tensors");
                }
            }
        }
        return Outcome.loaded(model.tensors().size() + " tensors");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Model construction helpers
    // ------------------------------------------------------------------------------------------------------------

    private static OnnxModelBuilder gemmBuilder(String wName) {
        OnnxModelBuilder b = new OnnxModelBuilder("gemm", 13).input("X", FLOAT, -1, 4).output("Y", FLOAT, -1, 3)
                .initializer(wName, W_VALUES, 3, 4).initializer("B", B_VALUES, 3);
        b.node("Gemm", new String[] {"X", wName, "B"}, new String[] {"Y"}, attrInt("transB", 1));
        return b;
    }

    private static ModelProto edit(Consumer<ModelProto.Builder> change) {
        ModelProto.Builder m = GEMM.toBuilder();
        change.accept(m);
        return m.build();
    }

    private static ModelProto editW(Consumer<TensorProto.Builder> change) {
        return edit(m -> change.accept(m.getGraphBuilder().getInitializerBuilder(0)));
    }

    private static ModelProto withW(TensorProto w) {
        return edit(m -> m.getGraphBuilder().setInitializer(0, w));
    }

    /** W comes from a Constant node (inserted before the Gemm) instead of an initializer. */
    private static ModelProto withConstantW(TensorProto value) {
        return withConstantW(attrTensor("value", value));
    }

    private static ModelProto withConstantW(AttributeProto... attributes) {
        return edit(m -> {
            NodeProto.Builder n = NodeProto.newBuilder().setOpType("Constant").setName("const_w").addOutput("W");
            for (AttributeProto a : attributes) {
                n.addAttribute(a);
            }
            m.getGraphBuilder().removeInitializer(0).addNode(0, n);
        });
    }

    private static ModelProto withSparseW(SparseTensorProto.Builder sparse) {
        return edit(m -> m.getGraphBuilder().removeInitializer(0).addSparseInitializer(sparse));
    }

    private static ModelProto withMainNode(NodeProto node) {
        return edit(m -> m.getGraphBuilder().addNode(node));
    }

    private static SparseTensorProto.Builder sparse(float[] values, long[] indices, long[] indexDims, long... dims) {
        SparseTensorProto.Builder s = SparseTensorProto.newBuilder().setValues(floatTensor("W", values, values.length))
                .setIndices(int64Tensor("", indices, indexDims));
        for (long d : dims) {
            s.addDims(d);
        }
        return s;
    }

    private static TensorProto.Builder tensor(String name, int dtype, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(dtype);
        for (long d : dims) {
            t.addDims(d);
        }
        return t;
    }

    private static TensorProto.Builder fillFloats(TensorProto.Builder t, int n) {
        for (int i = 0; i < n; i++) {
            t.addFloatData(i);
        }
        return t;
    }

    private static TensorProto.Builder fillInts(TensorProto.Builder t, int n) {
        for (int i = 0; i < n; i++) {
            t.addInt32Data(i * 1000);
        }
        return t;
    }

    /** W [3,4] float stored externally with the given external_data key/value pairs. */
    private static TensorProto externalW(String... keyValues) {
        TensorProto.Builder t = tensor("W", FLOAT, 3, 4).setDataLocation(TensorProto.DataLocation.EXTERNAL);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            t.addExternalData(kv(keyValues[i], keyValues[i + 1]));
        }
        return t.build();
    }

    private static StringStringEntryProto kv(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** A one-node subgraph holding a valid 3x4 initializer. */
    private static GraphProto leafGraph(String tensorName) {
        return GraphProto.newBuilder().setName("leaf").addInitializer(floatTensor(tensorName, W_VALUES, 3, 4))
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput(tensorName).addOutput("leaf_out"))
                .addOutput(valueInfo("leaf_out", FLOAT, 3, 4)).build();
    }

    /** A control-flow node carrying {@code inner}: If (then_branch + leaf else_branch), Loop (body), Scan (GRAPHS). */
    private static NodeProto ifNode(GraphProto inner, String kind) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(kind).addInput("cond").addOutput("out");
        switch (kind) {
            case "If" -> n.addAttribute(attrGraph("then_branch", inner)).addAttribute(attrGraph("else_branch", leafGraph("W")));
            case "Loop" -> n.addAttribute(attrGraph("body", inner));
            default -> n.addAttribute(AttributeProto.newBuilder().setName("graphs").setType(AttributeType.GRAPHS)
                    .addGraphs(leafGraph("W")).addGraphs(inner));
        }
        return n.build();
    }

    private static GraphProto ifGraph(GraphProto inner, String kind) {
        return GraphProto.newBuilder().setName("level").addInitializer(floatTensor("W", W_VALUES, 3, 4))
                .addNode(ifNode(inner, kind)).addOutput(valueInfo("out", FLOAT, 3, 4)).build();
    }

    /** A main-graph node whose subgraph chain is {@code depth} graphs deep. */
    private static NodeProto nestedIf(int depth, String kind) {
        GraphProto g = leafGraph("W");
        for (int i = 1; i < depth; i++) {
            g = ifGraph(g, kind);
        }
        return ifNode(g, kind);
    }

    /** Subgraphs {@code depth} deep; every If node has a {@code nameLength}-char name, every graph the same tensors. */
    private static NodeProto longNamedNest(int depth, int nameLength, int tensorsPerLevel) {
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

    private static final byte[] IR_AND_OPSET = concat(new byte[] {0x08, 0x08}, // ir_version 8
            new byte[] {0x42, 0x02, 0x10, 0x0D}); // opset_import { version: 13 }

    /** ModelProto { ir_version, opset, graph: g0 } where g_i = { node { op_type If, attribute { then_branch: g_i+1 } } }. */
    private static byte[] rawNestedIf(int depth) {
        byte[] opType = concat(new byte[] {0x22, 0x02}, "If".getBytes(StandardCharsets.US_ASCII)); // NodeProto.op_type = 4
        byte[] attrHead = concat(new byte[] {0x0A, 0x0B}, "then_branch".getBytes(StandardCharsets.US_ASCII), // name = 1
                new byte[] {(byte) 0xA0, 0x01, 0x05}); // type = 20: GRAPH
        // Cycle: graph.node (1) -> node [op_type] .attribute (5) -> attribute [name, type] .g (6) -> graph ...
        byte[] body = nested(3 * depth, new byte[][] {{}, opType, attrHead}, new int[] {1, 5, 6});
        return concat(IR_AND_OPSET, tagged(7, body));
    }

    /** graph.input[0].type = TypeProto { sequence_type { elem_type { sequence_type { ... } } } }. */
    private static byte[] rawNestedSequenceType(int depth) {
        byte[] type = nested(2 * depth, new byte[][] {{}, {}}, new int[] {4, 1});
        byte[] input = concat(new byte[] {0x0A, 0x01, 'X'}, tagged(2, type)); // ValueInfoProto name=1, type=2
        return concat(IR_AND_OPSET, tagged(7, concat(GEMM.getGraph().toByteArray(), tagged(11, input))));
    }

    /** The valid model followed by an unknown field 1000 made of start-groups nested {@code depth} deep. */
    private static byte[] rawNestedGroups(int depth) {
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

    private static byte[] rawNestedUnknownMessages(int depth) {
        return concat(GEMM.toByteArray(), tagged(1000, nested(depth, new byte[][] {{}}, new int[] {1000})));
    }

    /**
     * A chain of {@code levels} messages, outermost first: level i holds {@code prefix[i % p]} then field
     * {@code field[i % p]} (length-delimited) holding level i+1; the innermost is empty. Built in linear time.
     */
    private static byte[] nested(int levels, byte[][] prefix, int[] field) {
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

    private static byte[] tagged(int field, byte[] payload) {
        return concat(varint((long) field << 3 | 2), varint(payload.length), payload);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Files and bytes
    // ------------------------------------------------------------------------------------------------------------

    private static CaseSetup model(ModelProto p) {
        return files(p, Map.of());
    }

    private static CaseSetup files(ModelProto p, Map<String, byte[]> sidecars) {
        return dir -> write(dir, p, sidecars);
    }

    private static CaseSetup files(byte[] model, Map<String, byte[]> sidecars) {
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
    private interface ModelSupplier {
        ModelProto get();
    }

    @FunctionalInterface
    private interface BytesSupplier {
        byte[] get();
    }

    /** Builds the model only when the case runs, so large cases do not all sit in memory at once. */
    private static CaseSetup lazyModel(ModelSupplier s) {
        return dir -> write(dir, s.get(), Map.of());
    }

    private static CaseSetup bytes(BytesSupplier s) {
        return dir -> files(s.get(), Map.of()).create(dir);
    }

    private static Path write(Path dir, ModelProto p, Map<String, byte[]> sidecars) throws IOException {
        return files(p.toByteArray(), sidecars).create(dir);
    }

    private static int byteSize(int dtype) {
        return switch (dtype) {
            case 1, 6, 12 -> 4;
            case 2, 3, 9, 17, 18, 19, 20, 21, 22 -> 1;
            case 4, 5, 10, 16 -> 2;
            case 7, 11, 13, 14 -> 8;
            case 15 -> 16;
            default -> 0;
        };
    }

    private static List<Long> boxed(long[] values) {
        List<Long> out = new ArrayList<>(values.length);
        for (long v : values) {
            out.add(v);
        }
        return out;
    }


    /** {value, position after} of the varint at {@code p}, or null when it is malformed or runs past {@code end}. */
    private static long[] readVarint(byte[] b, int p, int end) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= end) {
                return null;
            }
            int x = b[p++] & 0xff;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return new long[] {v, p};
            }
        }
        return null;
    }

    /** {offset, length} of every length prefix in the message, looking into payloads that parse as messages. */
    private static List<int[]> lengthPrefixes(byte[] b) {
        List<int[]> out = new ArrayList<>();
        walkFields(b, 0, b.length, 0, out);
        return out;
    }

    private static boolean walkFields(byte[] b, int from, int to, int depth, List<int[]> out) {
        List<int[]> found = new ArrayList<>();
        int p = from;
        while (p < to) {
            long[] tag = readVarint(b, p, to);
            if (tag == null || (tag[0] >>> 3) == 0) {
                return false;
            }
            p = (int) tag[1];
            switch ((int) (tag[0] & 7)) {
                case 0 -> {
                    long[] v = readVarint(b, p, to);
                    if (v == null) {
                        return false;
                    }
                    p = (int) v[1];
                }
                case 1 -> p += 8;
                case 5 -> p += 4;
                case 2 -> {
                    long[] len = readVarint(b, p, to);
                    if (len == null || len[0] < 0 || len[0] > to - len[1]) {
                        return false;
                    }
                    int start = (int) len[1];
                    found.add(new int[] {p, start - p});
                    if (depth < 64 && len[0] > 0) {
                        List<int[]> inner = new ArrayList<>();
                        if (walkFields(b, start, start + (int) len[0], depth + 1, inner)) {
                            found.addAll(inner);
                        }
                    }
                    p = start + (int) len[0];
                }
                default -> {
                    return false;
                }
            }
            if (p > to) {
                return false;
            }
        }
        out.addAll(found);
        return true;
    }
}