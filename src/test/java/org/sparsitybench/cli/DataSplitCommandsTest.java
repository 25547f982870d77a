package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.InspectCommandTest.Run;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.eval.Sensitivity;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/**
 * The commands that choose (sensitivity, sensitivity allocation, Wanda calibration) read the card's validation
 * split when no {@code --data} is given, warn when given the card's test file, and say in their output which split
 * every figure came from; sweeps report on the test split.
 */
class DataSplitCommandsTest {
    @TempDir
    Path dir;

    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");

    @Test
    void sensitivityWithoutDataMeasuresTheValidationSplitAndSaysSo() throws Exception {
        Run r = InspectCommandTest.cli("sensitivity", DIGITS.toString(), "--levels", "0,0.5", "--limit", "100");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals("validation", json.get("split").asText());
        assertTrue(json.get("dataset").asText().contains("digits-train"), json.get("dataset").asText());
        ModelCard card = ModelCard.beside(DIGITS).orElseThrow();
        var expected = Sensitivity.analyze(ModelFiles.read(DIGITS), card, DataSplits.validation(card, DIGITS)
                .orElseThrow().data(), List.of(0.0, 0.5), 100, ProgressListener.NONE, CancellationToken.NONE);
        assertEquals(expected.get(0).points().get(1).accuracy(),
                json.get("layers").get(0).get("points").get(1).get("accuracy").asDouble(), 1e-12);
        assertFalse(r.err().contains("warning"), r.err());
    }

    @Test
    void sensitivityOnTheCardsTestFileWarnsAndLabelsItsFiguresTest() throws Exception {
        Path test = ModelCard.beside(DIGITS).orElseThrow().testData(DIGITS).orElseThrow();
        Run r = InspectCommandTest.cli("sensitivity", DIGITS.toString(), "--levels", "0,0.5", "--limit", "100",
                "--data", test.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning") && r.err().contains("test split"), r.err());
        assertEquals("test", new ObjectMapper().readTree(r.out()).get("split").asText());
    }

    @Test
    void wandaWithoutDataCalibratesOnTheValidationSplitAndTheReportSaysSo() throws Exception {
        Path out = dir.resolve("w.onnx");
        Run r = InspectCommandTest.cli("prune", DIGITS.toString(), "--out", out.toString(), "--method", "wanda",
                "--sparsity", "0.5");
        assertEquals(0, r.code(), r.err());
        JsonNode report = new ObjectMapper().readTree(PruneExport.reportFile(out).toFile());
        assertEquals("validation", report.get("split").asText());
        assertTrue(report.get("dataset").asText().contains("held out"), report.get("dataset").asText());
    }

    @Test
    void quantizeWithoutDataCalibratesOnTheValidationSplitAndTheReportSaysSo() throws Exception {
        Path out = dir.resolve("q.onnx");
        Run r = InspectCommandTest.cli("quantize", DIGITS.toString(), "--out", out.toString(), "--calibration", "32",
                "--latency-runs", "1");
        assertEquals(0, r.code(), r.err());
        JsonNode report = new ObjectMapper().readTree(dir.resolve("q.onnx.report.json").toFile());
        assertEquals("validation", report.get("calibration").get("split").asText());
        assertEquals("validation", report.get("validation").get("split").asText());
        assertTrue(report.get("calibration").get("data").asText().contains("held out"), report.toString());
    }

    @Test
    void aSweepCsvNamesTheTestSplitOnEveryRow() throws Exception {
        Path json = dir.resolve("s.json");
        Path csv = dir.resolve("s.csv");
        Run r = InspectCommandTest.cli("sweep", DIGITS.toString(), "--levels", "0,0.5", "--methods", "magnitude",
                "--out", json.toString(), "--csv", csv.toString(), "--latency-runs", "1", "--limit", "100");
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.get(0).endsWith(",split"), lines.get(0));
        assertEquals(3, lines.size());
        assertTrue(lines.stream().skip(1).allMatch(l -> l.endsWith(",test")), lines.toString());
        assertEquals("test", new ObjectMapper().readTree(json.toFile()).get("split").asText());
    }
}
