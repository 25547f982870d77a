package org.sparsitybench.formats.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrGraph;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrInt;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.attrTensor;
import static org.sparsitybench.formats.onnx.OnnxModelBuilder.floatTensor;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.DTypeCodec;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.testing.Ort;

/**
 * One small Gemm model, Y = X·Wᵀ + B, with W stored each way ONNX allows. Each variant must read W's values,
 * write back unchanged with bit-identical ONNX Runtime outputs, and write new values into the same place.
 */
class OnnxStorageVariantsTest {
    private static final float[] W = {0.5f, -1.25f, 2f, 0f, 3.5f, -0.75f, 1f, 0.125f, -2.5f, 0.25f, 4f, -1f};
    private static final float[] B = {0.1f, -0.2f, 0.3f};
    private static final float[] X = {1f, 2f, 3f, 4f, -1f, 0.5f, 0.25f, 2f};

    @TempDir
    Path dir;

    enum Variant {
        FLOAT_RAW, FLOAT_DATA, DOUBLE_RAW, DOUBLE_DATA, FLOAT16_RAW, FLOAT16_INT32, BFLOAT16_RAW, BFLOAT16_INT32,
        CONSTANT_NODE, SPARSE_INITIALIZER, EXTERNAL, IF_SUBGRAPH_CONSTANT;

        DType dtype() {
            return switch (this) {
                case DOUBLE_RAW, DOUBLE_DATA -> DType.DOUBLE;
                case FLOAT16_RAW, FLOAT16_INT32 -> DType.FLOAT16;
                case BFLOAT16_RAW, BFLOAT16_INT32 -> DType.BFLOAT16;
                default -> DType.FLOAT;
            };
        }
    }

    /** W as the dtype can hold it. */
    private static float[] stored(DType dtype, float[] w) {
        float[] out = w.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case FLOAT16 -> DTypeCodec.halfToFloat(DTypeCodec.floatToHalf(w[i]));
                case BFLOAT16 -> DTypeCodec.bf16ToFloat(DTypeCodec.floatToBf16(w[i]));
                default -> w[i];
            };
        }
        return out;
    }

    private Path build(Variant v) throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("gemm", 13)
                .input("X", 1, -1, 4).output("Y", 1, -1, 3)
                .initializer(floatTensor("B", B, 3));
        String wName = "W";
        TensorProto.Builder w = TensorProto.newBuilder().setName("W");
        switch (v) {
            case FLOAT_RAW, EXTERNAL, CONSTANT_NODE, IF_SUBGRAPH_CONSTANT -> w.mergeFrom(floatTensor("W", W));
            case FLOAT_DATA -> {
                w.setDataType(1);
                for (float x : W) {
                    w.addFloatData(x);
                }
            }
            case DOUBLE_RAW -> w.setDataType(11).setRawData(bytes(W.length * 8, bb -> {
                for (float x : W) {
                    bb.putDouble(x);
                }
            }));
            case DOUBLE_DATA -> {
                w.setDataType(11);
                for (float x : W) {
                    w.addDoubleData(x);
                }
            }
            case FLOAT16_RAW, BFLOAT16_RAW -> w.setDataType(v == Variant.FLOAT16_RAW ? 10 : 16)
                    .setRawData(bytes(W.length * 2, bb -> {
                        for (float x : W) {
                            bb.putShort((short) (v == Variant.FLOAT16_RAW ? DTypeCodec.floatToHalf(x) : DTypeCodec.floatToBf16(x)));
                        }
                    }));
            case FLOAT16_INT32, BFLOAT16_INT32 -> {
                w.setDataType(v == Variant.FLOAT16_INT32 ? 10 : 16);
                for (float x : W) {
                    w.addInt32Data(v == Variant.FLOAT16_INT32 ? DTypeCodec.floatToHalf(x) : DTypeCodec.floatToBf16(x));
                }
            }
            case SPARSE_INITIALIZER -> {
                // Non-zeros of W at linear indices, the dense shape [3, 4].
                TensorProto.Builder values = TensorProto.newBuilder().setName("W").setDataType(1);
                TensorProto.Builder idx = TensorProto.newBuilder().setName("W_idx").setDataType(7);
                int nnz = 0;
                for (int i = 0; i < W.length; i++) {
                    if (W[i] != 0f) {
                        values.addFloatData(W[i]);
                        idx.addInt64Data(i);
                        nnz++;
                    }
                }
                values.addDims(nnz);
                idx.addDims(nnz);
                b.graph().addSparseInitializer(SparseTensorProto.newBuilder().setValues(values).setIndices(idx)
                        .addDims(3).addDims(4));
            }
            default -> throw new IllegalStateException();
        }
        w.addDims(3).addDims(4);
        if (v == Variant.EXTERNAL) {
            Path data = dir.resolve("weights.bin");
            ByteBuffer raw = w.getRawData().asReadOnlyByteBuffer();
            byte[] file = new byte[100 + raw.remaining()];
            raw.get(file, 100, raw.remaining());
            Files.write(data, file);
            w.clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
                    .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("100"))
                    .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("48"));
        }
        boolean cast = v.dtype() != DType.FLOAT;
        if (v == Variant.CONSTANT_NODE) {
            b.node("Constant", new String[0], new String[] {"W"}, attrTensor("value", w.setName("").build()));
        } else if (v == Variant.IF_SUBGRAPH_CONSTANT) {
            // then: Constant W + Gemm on the outer X; else: Y0 = 0·X (Gemm with a zero constant)
            GraphProto thenG = GraphProto.newBuilder().setName("then")
                    .addNode(NodeProto.newBuilder().setOpType("Constant").setName("then_W").addOutput("W")
                            .addAttribute(attrTensor("value", w.setName("").build())))
                    .addNode(NodeProto.newBuilder().setOpType("Gemm").setName("then_gemm").addInput("X").addInput("W")
                            .addInput("B").addOutput("Yt").addAttribute(attrInt("transB", 1)))
                    .addOutput(OnnxModelBuilder.valueInfo("Yt", 1, -1, 3)).build();
            GraphProto elseG = GraphProto.newBuilder().setName("else")
                    .addNode(NodeProto.newBuilder().setOpType("Constant").setName("else_W").addOutput("Wz")
                            .addAttribute(attrTensor("value", floatTensor("", new float[12], 3, 4))))
                    .addNode(NodeProto.newBuilder().setOpType("Gemm").setName("else_gemm").addInput("X").addInput("Wz")
                            .addInput("B").addOutput("Ye").addAttribute(attrInt("transB", 1)))
                    .addOutput(OnnxModelBuilder.valueInfo("Ye", 1, -1, 3)).build();
            b.initializer(TensorProto.newBuilder().setName("cond").setDataType(9).addInt32Data(1).build());
            b.node("If", new String[] {"cond"}, new String[] {"Y"}, attrGraph("then_branch", thenG),
                    attrGraph("else_branch", elseG));
            Path file = dir.resolve("model.onnx");
            b.save(file);
            return file;
        } else if (v != Variant.SPARSE_INITIALIZER) {
            b.initializer(w.build());
        }
        if (cast) {
            b.node("Cast", new String[] {wName}, new String[] {"Wf"}, attrInt("to", 1));
            wName = "Wf";
        }
        b.node("Gemm", new String[] {"X", wName, "B"}, new String[] {"Y"}, attrInt("transB", 1));
        Path file = dir.resolve("model.onnx");
        b.save(file);
        return file;
    }

    private static ByteString bytes(int n, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer bb = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(bb);
        bb.flip();
        return ByteString.copyFrom(bb);
    }

    private static float[] gemm(float[] x, float[] w, float[] b) {
        float[] y = new float[6];
        for (int r = 0; r < 2; r++) {
            for (int o = 0; o < 3; o++) {
                double s = b[o];
                for (int i = 0; i < 4; i++) {
                    s += (double) x[r * 4 + i] * w[o * 4 + i];
                }
                y[r * 3 + o] = (float) s;
            }
        }
        return y;
    }

    private static WeightTensor weight(Model m) {
        return m.prunableTensors().stream().filter(t -> t.name().equals("W")).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void everyStorageVariantReadsItsValuesAndIsPrunable(Variant v) throws Exception {
        Model m = new OnnxReader().read(build(v));
        WeightTensor w = weight(m);
        assertEquals(v.dtype(), w.dtype());
        assertArrayEquals(new long[] {3, 4}, w.shape());
        assertArrayEquals(stored(v.dtype(), W), w.data().readAllFloats());
        assertEquals(1, w.stats().zeros());
        assertEquals(v == Variant.CONSTANT_NODE || v == Variant.IF_SUBGRAPH_CONSTANT ? "Gemm" : "Gemm", w.op());
        assertEquals(0, w.pruneAxis(), "Gemm with transB=1 keeps output channels in rows");
        if (v == Variant.IF_SUBGRAPH_CONSTANT) {
            assertTrue(w.storage().startsWith("subgraph"), w.storage());
            assertTrue(m.tensor("Wz").isPresent(), "the else branch's constant is listed too");
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void unchangedWriteGivesIdenticalTensorsAndBitIdenticalOutputs(Variant v) throws Exception {
        Path in = build(v);
        Model m = new OnnxReader().read(in);
        Path out = dir.resolve("out").resolve("copy.onnx");
        new OnnxWriter().write(m, Map.of(), Map.of(), out);
        Model back = new OnnxReader().read(out);
        assertEquals(m.tensors().size(), back.tensors().size());
        for (WeightTensor t : m.tensors()) {
            WeightTensor u = back.tensor(t.name()).orElseThrow();
            assertEquals(t.dtype(), u.dtype(), t.name());
            assertArrayEquals(t.shape(), u.shape(), t.name());
            if (t.dtype().isNumericReal()) {
                assertArrayEquals(t.data().readAllFloats(), u.data().readAllFloats(), t.name());
            }
        }
        assertTrue(back.metadata().containsKey(OnnxWriter.METADATA_KEY), "the writer records that it touched the file");
        float[] expected = Ort.run(in, "X", X, 2, 4);
        assertArrayEquals(expected, Ort.run(out, "X", X, 2, 4), 0f);
        assertArrayEquals(gemm(X, stored(v.dtype(), W), B), expected, 1e-5f);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void newValuesGoBackIntoTheSamePlaceAndDtype(Variant v) throws Exception {
        Path in = build(v);
        byte[] before = Files.readAllBytes(in);
        Model m = new OnnxReader().read(in);
        WeightTensor w = weight(m);
        float[] pruned = w.data().readAllFloats();
        for (int i = 0; i < pruned.length; i += 2) {
            pruned[i] = 0f;
        }
        Path out = dir.resolve("pruned.onnx");
        new OnnxWriter().write(m, Map.of("W", TensorUpdate.of(w, pruned)), Map.of(), out);
        assertArrayEquals(before, Files.readAllBytes(in), "the source model is never written");
        Model back = new OnnxReader().read(out);
        WeightTensor w2 = weight(back);
        assertEquals(w.dtype(), w2.dtype());
        assertEquals(w.storage(), w2.storage());
        assertArrayEquals(pruned, w2.data().readAllFloats());
        OnnxSource src = (OnnxSource) back.source();
        OnnxLocation loc = src.locations().get("W");
        assertEquals(((OnnxSource) m.source()).locations().get("W").kind(), loc.kind());
        if (v == Variant.FLOAT_DATA || v == Variant.DOUBLE_DATA || v == Variant.FLOAT16_INT32 || v == Variant.BFLOAT16_INT32) {
            TensorProto t = src.proto().getGraph().getInitializerList().stream()
                    .filter(x -> x.getName().equals("W")).findFirst().orElseThrow();
            assertFalse(t.hasRawData(), "typed fields stay typed fields");
        }
        assertArrayEquals(gemm(X, pruned, B), Ort.run(out, "X", X, 2, 4), 1e-5f);
    }
}
