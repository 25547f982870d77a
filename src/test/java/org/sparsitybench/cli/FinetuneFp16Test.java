package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.eval.Evaluation;
import org.sparsitybench.eval.Evaluator;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.model.DTypeCodec;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/**
 * {@code finetune} on a model whose weights are stored as fp16 (each initializer FLOAT16, cast to float by a Cast
 * node, as mixed-precision exports keep them): the pruned digits MLP, converted, trains in float32, is written
 * back with every weight still fp16 and every Cast in place, keeps its zeros to the bit, improves on the one-shot
 * model, and scores in ONNX Runtime what the report says.
 */
class FinetuneFp16Test {
    private static final Path SAMPLES = Fixtures.projectDir().resolve("sample-models");
    private static final Path DIGITS = SAMPLES.resolve("digits-mlp/model.onnx");
    private static final Path TRAIN = SAMPLES.resolve("data/digits/digits-train-images-idx3-ubyte.gz");
    private static final Path TEST = SAMPLES.resolve("data/digits/digits-test-images-idx3-ubyte.gz");

    @TempDir
    Path dir;

    private static double accuracy(Path model) throws Exception {
        ModelCard card = ModelCard.forModel(model, null);
        try (OrtModel ort = OrtModel.open(model, card.input(), 1)) {
            Evaluation e = Evaluator.evaluate(ort, card, Datasets.open(TEST), 500, Integer.MAX_VALUE,
                    ProgressListener.NONE, CancellationToken.NONE);
            return e.accuracy();
        }
    }

    /** {@code model} with every float initializer stored as FLOAT16 under "NAME.fp16" and cast back to NAME. */
    private static ModelProto toFp16(ModelProto model) {
        GraphProto.Builder g = model.getGraph().toBuilder().clearInitializer().clearNode();
        for (TensorProto t : model.getGraph().getInitializerList()) {
            ByteBuffer src = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer half = ByteBuffer.allocate(src.remaining() / 2).order(ByteOrder.LITTLE_ENDIAN);
            while (src.hasRemaining()) {
                half.putShort((short) DTypeCodec.floatToHalf(src.getFloat()));
            }
            g.addInitializer(t.toBuilder().setName(t.getName() + ".fp16")
                    .setDataType(TensorProto.DataType.FLOAT16_VALUE).setRawData(ByteString.copyFrom(half.flip())));
            g.addNode(NodeProto.newBuilder().setOpType("Cast").setName("cast." + t.getName())
                    .addInput(t.getName() + ".fp16").addOutput(t.getName()).addAttribute(AttributeProto.newBuilder()
                            .setName("to").setType(AttributeProto.AttributeType.INT)
                            .setI(TensorProto.DataType.FLOAT_VALUE)));
        }
        g.addAllNode(model.getGraph().getNodeList());
        return model.toBuilder().setGraph(g).build();
    }

    private static Map<String, TensorProto> initializers(Path file) throws Exception {
        Map<String, TensorProto> out = new HashMap<>();
        for (TensorProto t : ModelProto.parseFrom(Files.readAllBytes(file)).getGraph().getInitializerList()) {
            out.put(t.getName(), t);
        }
        return out;
    }

    private static short[] halves(TensorProto t) {
        ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        short[] v = new short[b.remaining() / 2];
        b.asShortBuffer().get(v);
        return v;
    }

    @Test
    void anFp16ModelTrainsInFloat32AndIsWrittenBackAsFp16WithItsZeros() throws Exception {
        Path pruned = dir.resolve("pruned.onnx");
        assertEquals(0, InspectCommandTest.cli("prune", DIGITS.toString(), "--out", pruned.toString(), "--method",
                "global", "--sparsity", "0.8").code());
        Path fp16 = dir.resolve("fp16.onnx");
        Files.write(fp16, toFp16(ModelProto.parseFrom(Files.readAllBytes(pruned))).toByteArray());
        double oneShot = accuracy(fp16);

        Path out = dir.resolve("fp16.tuned.onnx");
        InspectCommandTest.Run r = InspectCommandTest.cli("finetune", fp16.toString(), "--train", TRAIN.toString(),
                "--test", TEST.toString(), "--out", out.toString(), "--epochs", "4", "--lr", "3e-3", "--batch", "32");
        assertEquals(0, r.code(), r.err());

        Map<String, TensorProto> before = initializers(fp16);
        Map<String, TensorProto> after = initializers(out);
        assertEquals(before.keySet(), after.keySet());
        long zeros = 0;
        long changed = 0;
        for (String name : before.keySet()) {
            assertEquals(TensorProto.DataType.FLOAT16_VALUE, after.get(name).getDataType(), name + " stays fp16");
            short[] a = halves(before.get(name));
            short[] b = halves(after.get(name));
            assertEquals(a.length, b.length, name);
            for (int i = 0; i < a.length; i++) {
                if (a[i] == 0 && name.contains("weight")) {
                    zeros++;
                    assertEquals(0, b[i], name + "[" + i + "] was pruned and stays +0");
                } else if (a[i] != b[i]) {
                    changed++;
                }
            }
        }
        assertTrue(zeros >= 0.8 * (32 * 64 + 10 * 32) - 1, "the pruned model's zeros: " + zeros);
        assertTrue(changed > 0, "kept weights train");
        assertEquals(ModelProto.parseFrom(Files.readAllBytes(fp16)).getGraph().getNodeList(),
                ModelProto.parseFrom(Files.readAllBytes(out)).getGraph().getNodeList(), "the Casts and all nodes stay");

        JsonNode rep = new ObjectMapper().readTree(out.resolveSibling(out.getFileName() + ".report.json").toFile());
        assertTrue(rep.get("masks").get("preserved").asBoolean(), rep.toString());
        double recovered = accuracy(out);
        assertEquals(rep.get("test").get("accuracy").asDouble(), recovered, 0.0, "report and file agree");
        assertTrue(recovered > oneShot + 0.02, "recovered " + recovered + ", one-shot " + oneShot);
    }
}
