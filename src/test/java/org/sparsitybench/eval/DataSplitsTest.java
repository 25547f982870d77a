package org.sparsitybench.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.InMemoryData;
import org.sparsitybench.testing.Fixtures;

/** The one place a model's splits come from: validation held out of the card's training data, test the card's. */
class DataSplitsTest {
    private static final Path DIGITS = Fixtures.projectDir().resolve("sample-models/digits-mlp/model.onnx");

    @Test
    void validationIsTheSeededTenthOfTheCardsTrainingDataThatFinetuneHoldsOut() throws Exception {
        ModelCard card = ModelCard.beside(DIGITS).orElseThrow();
        DataSplits.Split v = DataSplits.validation(card, DIGITS).orElseThrow();
        Path train = card.trainData(DIGITS).orElseThrow();
        InMemoryData all = InMemoryData.load(Datasets.open(train), "train", Integer.MAX_VALUE);
        InMemoryData expected = all.holdOut(0.1, 0)[1];
        assertEquals(DataSplits.VALIDATION, v.name());
        assertEquals(Math.round(0.1 * all.count()), v.data().count());
        InMemoryData got = (InMemoryData) v.data();
        assertArrayEquals(expected.values(), got.values(), "the samples finetune --train holds out by default");
        assertArrayEquals(expected.labels(), got.labels());
        assertTrue(v.description().contains("held out") && v.description().contains(train.getFileName().toString()),
                v.description());
    }

    @Test
    void testIsTheCardsTestFileAndIsRecognisedHoweverItIsSpelled() throws Exception {
        ModelCard card = ModelCard.beside(DIGITS).orElseThrow();
        DataSplits.Split t = DataSplits.test(card, DIGITS).orElseThrow();
        Path file = card.testData(DIGITS).orElseThrow();
        assertEquals(DataSplits.TEST, t.name());
        assertEquals(450, t.data().count());
        Path spelledOtherwise = DIGITS.getParent().resolve("../data/digits").resolve(file.getFileName());
        assertTrue(DataSplits.isTestFile(card, DIGITS, spelledOtherwise));
        assertFalse(DataSplits.isTestFile(card, DIGITS, card.trainData(DIGITS).orElseThrow()));
    }

    @Test
    void aFileIsTheSplitTheCardNamesItForElseGiven(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path data = Fixtures.projectDir().resolve("sample-models/data/digits");
        Path model = dir.resolve("model.onnx");
        java.nio.file.Files.copy(DIGITS, model);
        java.nio.file.Files.writeString(model.resolveSibling(ModelCard.FILE_NAME), java.nio.file.Files
                .readString(DIGITS.resolveSibling(ModelCard.FILE_NAME))
                .replace("\"test\" : \"../data/digits/", "\"test\" : \"" + data + "/")
                .replace("\"train\" : \"../data/digits/digits-train-images-idx3-ubyte.gz\"",
                        "\"validation\" : \"" + data + "/digits-train-images-idx3-ubyte.gz\""));
        ModelCard card = ModelCard.beside(model).orElseThrow();
        assertEquals(DataSplits.TEST, DataSplits.roleOf(card, model, data.resolve("digits-test-images-idx3-ubyte.gz")));
        assertEquals(DataSplits.VALIDATION, DataSplits.roleOf(card, model,
                data.resolve("../digits/digits-train-images-idx3-ubyte.gz")));
        assertEquals(DataSplits.GIVEN, DataSplits.roleOf(card, model, dir.resolve("elsewhere.csv")));
    }
}
