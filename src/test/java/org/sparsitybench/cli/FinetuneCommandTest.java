package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.eval.Evaluation;
import org.sparsitybench.eval.Evaluator;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.OrtModel;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.InMemoryData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/**
 * {@code finetune} on small real tasks (the bundled 8×8 digits, 1,347 training images): recovery after pruning
 * beats the one-shot model, pruned weights stay 0.0 to the bit through training and export, the written file
 * scores in ONNX Runtime what the report says, a PyTorch export goes through the same flow, and a graph with an
 * op the trainer cannot differentiate is refused with exit 4 naming the node.
 */
class FinetuneCommandTest {
    private static final Path SAMPLES = Fixtures.projectDir().resolve("sample-models");
    private static final Path DIGITS = SAMPLES.resolve("digits-mlp/model.onnx");
    private static final Path TRAIN = SAMPLES.resolve("data/digits/digits-train-images-idx3-ubyte.gz");
    private static final Path TEST = SAMPLES.resolve("data/digits/digits-test-images-idx3-ubyte.gz");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static double accuracy(Path model, Path cardFile, Path data) throws Exception {
        ModelCard card = ModelCard.forModel(model, cardFile);
        try (OrtModel ort = OrtModel.open(model, card.input(), 1)) {
            Evaluation e = Evaluator.evaluate(ort, card, Datasets.open(data), 500, Integer.MAX_VALUE,
                    ProgressListener.NONE, CancellationToken.NONE);
            return e.accuracy();
        }
    }

    private static JsonNode report(Path out) throws IOException {
        return JSON.readTree(out.resolveSibling(out.getFileName() + ".report.json").toFile());
    }

    @Test
    void recoveryAfterPruningBeatsOneShotAndTheFileScoresWhatTheReportSays() throws Exception {
        Path oneShot = dir.resolve("oneshot.onnx");
        assertEquals(0, InspectCommandTest.cli("prune", DIGITS.toString(), "--out", oneShot.toString(), "--method",
                "global", "--sparsity", "0.9").code());
        assertTrue(Files.isRegularFile(dir.resolve(ModelCard.FILE_NAME)), "prune copies the model card beside its output");
        Path out = dir.resolve("recovered.onnx");
        InspectCommandTest.Run r = InspectCommandTest.cli("finetune", DIGITS.toString(), "--train", TRAIN.toString(),
                "--test", TEST.toString(), "--out", out.toString(), "--method", "global", "--sparsity", "0.9",
                "--epochs", "8", "--lr", "3e-3", "--batch", "32");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("epoch 8/8"), r.err());
        JsonNode rep = report(out);
        assertEquals(8, rep.get("epochs").size());
        assertTrue(rep.get("masks").get("preserved").asBoolean());
        double recovered = accuracy(out, null, TEST);
        assertEquals(rep.get("test").get("accuracy").asDouble(), recovered, 0.0, "report and file agree");
        double before = accuracy(oneShot, null, TEST);
        assertTrue(recovered > before + 0.05, "recovered " + recovered + ", one-shot " + before);
        Model m = ModelFiles.read(out);
        long prunable = m.prunableParams();
        assertTrue(rep.get("masks").get("zerosAfter").asLong() >= 0.9 * prunable - 1);
        assertEquals(FinetuneCommand.zeros(m), rep.get("masks").get("zerosAfter").asLong());
        int best = rep.get("best").asInt();
        double bestValidation = rep.get("epochs").get(best - 1).get("validationAccuracy").asDouble();
        for (JsonNode e : rep.get("epochs")) {
            assertTrue(e.get("validationAccuracy").asDouble() <= bestValidation);
        }
    }

    @Test
    void aPrunedModelsZerosStayZeroToTheBitAndEverythingElseTrains() throws Exception {
        Path pruned = dir.resolve("pruned.onnx");
        assertEquals(0, InspectCommandTest.cli("prune", DIGITS.toString(), "--out", pruned.toString(), "--sparsity",
                "0.7").code());
        assertTrue(Files.isRegularFile(dir.resolve(ModelCard.FILE_NAME)), "prune copies the model card beside its output");
        Path out = dir.resolve("out.onnx");
        InspectCommandTest.Run r = InspectCommandTest.cli("finetune", pruned.toString(), "--train", TRAIN.toString(),
                "--out", out.toString(), "--epochs", "2", "--validation-split", "0.2");
        assertEquals(0, r.code(), r.err());
        Model before = ModelFiles.read(pruned);
        Model after = ModelFiles.read(out);
        long changed = 0;
        for (WeightTensor t : before.prunableTensors()) {
            float[] a = t.data().readAllFloats();
            float[] b = after.tensor(t.name()).orElseThrow().data().readAllFloats();
            for (int i = 0; i < a.length; i++) {
                if (a[i] == 0f) {
                    assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), t.name() + "[" + i + "]");
                } else if (a[i] != b[i]) {
                    changed++;
                }
            }
        }
        assertTrue(changed > 0, "kept weights train");
        assertEquals(FinetuneCommand.zeros(before), report(out).get("masks").get("zerosBefore").asLong());
        assertTrue(report(out).get("masks").get("preserved").asBoolean());
        assertEquals(before.graph().nodes(), after.graph().nodes(), "only initializer values change");
    }

    @Test
    void gradualPruningWithDistillationWithoutLabelsReachesTheTarget() throws Exception {
        Path out = dir.resolve("gradual.onnx");
        InspectCommandTest.Run r = InspectCommandTest.cli("finetune", DIGITS.toString(), "--train", TRAIN.toString(),
                "--out", out.toString(), "--sparsity", "0.8", "--gradual", "3", "--epochs", "4", "--distill",
                "--alpha", "0", "--temperature", "2", "--lr", "3e-3", "--batch", "32");
        assertEquals(0, r.code(), r.err());
        JsonNode rep = report(out);
        JsonNode epochs = rep.get("epochs");
        assertTrue(epochs.get(0).get("sparsity").asDouble() < epochs.get(3).get("sparsity").asDouble());
        assertEquals(0.8, epochs.get(3).get("sparsity").asDouble(), 0.01);
        assertTrue(rep.get("validation").get("accuracy").asDouble() > 0.8, rep.toString());
    }

    /** Digits 0–4 as CSV (64 values, then the label), for a 5-class model. */
    private Path fiveDigits(Path file) throws IOException {
        InMemoryData d = InMemoryData.load(Datasets.open(TRAIN), "train", Integer.MAX_VALUE);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < d.count(); i++) {
            if (d.labels()[i] < 5) {
                for (int j = 0; j < 64; j++) {
                    sb.append((int) d.values()[i * 64 + j]).append(',');
                }
                sb.append(d.labels()[i]).append('\n');
            }
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void aPytorchExportedCnnWithBatchNormGoesThroughTheSameFlow() throws Exception {
        Path model = dir.resolve("cnn_bn.onnx");
        Files.copy(Fixtures.torch("cnn_bn.onnx"), model);
        Files.writeString(dir.resolve(ModelCard.FILE_NAME), "{\"input\": \"input\", \"inputShape\": [1, 1, 8, 8], "
                + "\"layout\": \"NCHW\", \"scale\": 0.0625, \"mean\": [0.3], \"std\": [0.37]}");
        Path data = fiveDigits(dir.resolve("digits04.csv"));
        Path out = dir.resolve("cnn_bn.tuned.onnx");
        InspectCommandTest.Run r = InspectCommandTest.cli("finetune", model.toString(), "--train", data.toString(),
                "--out", out.toString(), "--method", "l1-structured", "--sparsity", "0.5", "--epochs", "6",
                "--lr", "1e-2", "--batch", "32");
        assertEquals(0, r.code(), r.err());
        JsonNode rep = report(out);
        assertTrue(rep.get("masks").get("preserved").asBoolean());
        assertTrue(rep.get("validation").get("accuracy").asDouble() > 0.7, rep.toString());
    }

    @Test
    void anOpWithoutABackwardPassIsRefusedWithExitFourNamingTheNode() throws Exception {
        Path model = dir.resolve("lstm.onnx");
        Files.copy(Fixtures.torch("lstm.onnx"), model);
        Files.writeString(dir.resolve(ModelCard.FILE_NAME), "{\"input\": \"input\", \"inputShape\": [1, 64], "
                + "\"layout\": \"NC\", \"scale\": 1, \"mean\": [0], \"std\": [1]}");
        Path out = dir.resolve("never.onnx");
        InspectCommandTest.Run r = InspectCommandTest.cli("finetune", model.toString(), "--train", TRAIN.toString(),
                "--out", out.toString());
        assertEquals(SparsityBenchCli.EXIT_UNSUPPORTED, r.code(), r.err());
        assertTrue(r.err().contains("node '/lstm/Shape' (op Shape) cannot be trained"), r.err());
        assertFalse(Files.exists(out));
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary file");
        }
    }
}
