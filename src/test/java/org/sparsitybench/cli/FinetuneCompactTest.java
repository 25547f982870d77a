package org.sparsitybench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparsitybench.eval.TemporaryModels;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.testing.Fixtures;

/**
 * {@code finetune --compact} on fashion-resnet-mini (residual Adds tie its channels into groups) with 1,200 of the
 * bundled training images: the channels are removed before training, the smaller model trains (distilled from the
 * dense MODEL, whose shapes differ) and is written, and the options that cannot go with it are refused.
 */
class FinetuneCompactTest {
    private static final Path SAMPLES = Fixtures.projectDir().resolve("sample-models");
    private static final Path RESNET = SAMPLES.resolve("fashion-resnet-mini/model.onnx");
    private static final Path TRAIN = SAMPLES.resolve("data/fashion-mnist/train-12k-images-idx3-ubyte.gz");

    @TempDir
    Path dir;

    @Test
    void compactRemovesTheChannelsThenTrainsTheSmallerModelDistilledFromTheDenseOne() throws Exception {
        Path out = dir.resolve("compact.onnx");
        InspectCommandTest.Run r = InspectCommandTest.cli("finetune", RESNET.toString(), "--train", TRAIN.toString(),
                "--limit", "1200", "--out", out.toString(), "--method", "l1-structured", "--sparsity", "0.5",
                "--compact", "--distill", "--epochs", "2", "--lr", "3e-3", "--batch", "32", "--lr-schedule", "step",
                "--weight-decay", "1e-4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("compaction check passed"), r.err());
        assertTrue(r.out().contains("compacted, 24,730 → "), r.out());

        Model dense = ModelFiles.read(RESNET);
        Model small = ModelFiles.read(out);
        assertEquals(16, dense.tensor("stem.conv.weight").orElseThrow().shape()[0]);
        assertEquals(8, small.tensor("stem.conv.weight").orElseThrow().shape()[0], "half the stem's channels go");
        assertTrue(small.totalParams() < dense.totalParams() / 2, small.totalParams() + " of " + dense.totalParams());

        JsonNode rep = new ObjectMapper().readTree(out.resolveSibling("compact.onnx.report.json").toFile());
        assertTrue(rep.get("compaction").get("compactionCheck").get("passed").asBoolean(), rep.toString());
        assertEquals(small.totalParams() - FinetuneCommand.zeros(small),
                rep.get("compaction").get("totals").get("paramsAfter").asLong(), "the pruned zeros stayed frozen");
        JsonNode config = rep.get("config");
        assertTrue(config.get("compact").asBoolean());
        assertEquals(8, config.get("pruning").get("global").get("roundChannels").asInt(), "prune's default rounding");
        assertEquals("step", config.get("lrSchedule").asText());
        assertEquals(1e-4, config.get("weightDecay").asDouble());
        assertEquals(RESNET.toString(), config.get("distillation").get("teacher").asText());
        // One-shot, the compacted model scores 10 % (every image one class); trained, it classifies.
        assertTrue(rep.get("validation").get("accuracy").asDouble() > 0.5, rep.get("validation").toString());

        long pid = ProcessHandle.current().pid();
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertTrue(tmp.noneMatch(p -> p.getFileName().toString().startsWith(TemporaryModels.TEMP_PREFIX
                    + "compact-pid" + pid + "-")), "the compacted scratch model is deleted");
        }
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            16, 8,  true
            32, 16, false
            16, 0,  false
            48, 16, false
            24, 8,  false
            """)
    void aGroupCutToACountThatIsNotAMultipleOfSixteenIsFlaggedForAvx512(int channels, int removed, boolean flagged)
            throws Exception {
        JsonNode groups = new ObjectMapper().readTree("[{\"channels\": 32, \"removed\": 0}, {\"channels\": " + channels
                + ", \"removed\": " + removed + "}]");
        assertEquals(flagged, ChannelAlignment.unalignedForAvx512(groups));
    }

    @Test
    void compactWithAnUnstructuredMethodIsAUsageError() {
        Path out = dir.resolve("never.onnx");
        InspectCommandTest.Run r = InspectCommandTest.cli("finetune", RESNET.toString(), "--train", TRAIN.toString(),
                "--out", out.toString(), "--method", "magnitude", "--compact");
        assertEquals(SparsityBenchCli.EXIT_USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--compact removes whole channels"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void compactWithGradualPruningIsAUsageError() {
        InspectCommandTest.Run r = InspectCommandTest.cli("finetune", RESNET.toString(), "--train", TRAIN.toString(),
                "--out", dir.resolve("never.onnx").toString(), "--method", "l1-structured", "--compact", "--gradual",
                "2");
        assertEquals(SparsityBenchCli.EXIT_USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--gradual"), r.err());
    }

    @Test
    void anUnknownScheduleOrANegativeWeightDecayIsAUsageError() {
        InspectCommandTest.Run schedule = InspectCommandTest.cli("finetune", RESNET.toString(), "--train",
                TRAIN.toString(), "--out", dir.resolve("never.onnx").toString(), "--lr-schedule", "linear");
        assertEquals(SparsityBenchCli.EXIT_USAGE, schedule.code(), schedule.err());
        assertTrue(schedule.err().contains("unknown learning-rate schedule 'linear'"), schedule.err());
        InspectCommandTest.Run decay = InspectCommandTest.cli("finetune", RESNET.toString(), "--train",
                TRAIN.toString(), "--out", dir.resolve("never.onnx").toString(), "--weight-decay", "-1");
        assertEquals(SparsityBenchCli.EXIT_USAGE, decay.code(), decay.err());
    }
}
