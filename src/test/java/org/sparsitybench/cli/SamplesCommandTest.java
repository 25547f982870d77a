package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.samples.SampleGenerator;

/** {@code sparsitybench samples regenerate}: usage errors, and one quick real run of the smallest sample. */
class SamplesCommandTest {
    @TempDir
    Path dir;

    private static InspectCommandTest.Run cli(String... args) {
        return InspectCommandTest.cli(args);
    }

    @Test
    void anUnknownSampleIsAUsageError() {
        InspectCommandTest.Run r = cli("samples", "regenerate", "--out", dir.toString(), "--only", "mnist-vgg");
        assertEquals(SparsityBenchCli.EXIT_USAGE, r.code());
        assertTrue(r.err().startsWith("error: --only mnist-vgg: no such sample; choose from fashion-lenet-300-100"),
                r.err());
        assertEquals("", r.out());
    }

    @Test
    void aNonPositiveEpochScaleIsAUsageError() {
        InspectCommandTest.Run r = cli("samples", "regenerate", "--out", dir.toString(), "--epochs-scale", "0");
        assertEquals(SparsityBenchCli.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("--epochs-scale 0.0: must be a positive number"), r.err());
    }

    @Test
    void samplesWithoutASubcommandIsAUsageError() {
        InspectCommandTest.Run r = cli("samples");
        assertEquals(SparsityBenchCli.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("missing subcommand"), r.err());
    }

    @Test
    void missingTrainingDataIsReportedWithWhereToGetIt() {
        InspectCommandTest.Run r = cli("samples", "regenerate", "--out", dir.toString(), "--only", "fashion-lenet5",
                "--fashion-mnist", dir.resolve("nowhere").toString());
        assertEquals(SparsityBenchCli.EXIT_FAILURE, r.code());
        assertTrue(r.err().contains("dataset-fashion-mnist"), r.err());
    }

    @Test
    void regeneratesTheDigitsSampleWithItsCardDataAndReadme() throws Exception {
        assumeTrue(Files.exists(SampleGenerator.DEFAULT_DIGITS_CSV), "Debian package python3-sklearn is not installed");
        InspectCommandTest.Run r = cli("samples", "regenerate", "--out", dir.toString(), "--only", "digits-mlp", "--epochs-scale", "0.1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("digits-mlp: epoch 6/6"), r.out());
        assertTrue(r.out().contains("digits-mlp: ONNX Runtime agrees with the training code"), r.out());
        assertTrue(r.out().contains("regenerated 1 sample in"), r.out());
        ModelCard card = ModelCard.read(dir.resolve("digits-mlp").resolve(ModelCard.FILE_NAME));
        assertEquals(6, card.training().get("epochs").asInt());
        assertEquals(2410, card.params());
        assertTrue(card.accuracy() > 0.8, "accuracy " + card.accuracy());
        assertTrue(Files.exists(dir.resolve("digits-mlp/model.onnx")));
        assertTrue(Files.exists(dir.resolve("data/digits/digits-test-labels-idx1-ubyte.gz")));
        assertTrue(Files.readString(dir.resolve("README.md")).contains("`digits-mlp`"));
    }
}
