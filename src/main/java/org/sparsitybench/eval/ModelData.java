package org.sparsitybench.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.ModelFormatException;

/** The labelled data a model is measured on: its card's test split, or a dataset the user opens for it. */
public final class ModelData {
    private ModelData() {
    }

    /**
     * The test split the card beside {@code model} names ({@code "dataset": {"test": PATH}}, relative to the card),
     * or null when there is no card, the card names no test split, or the file is missing.
     *
     * @throws IOException when the card or the data cannot be read
     */
    public static LabeledData testSplitBeside(Path model, ModelCard card) throws IOException {
        if (card == null || card.dataset() == null || !card.dataset().hasNonNull("test")) {
            return null;
        }
        Path cardFile = model.toAbsolutePath().resolveSibling(ModelCard.FILE_NAME);
        Path test = cardFile.resolveSibling(card.dataset().get("test").asText()).normalize();
        return Files.exists(test) ? Datasets.open(test) : null;
    }

    /** The card beside {@code model} ({@link ModelCard#FILE_NAME}), or null when there is none. */
    public static ModelCard cardBeside(Path model) throws IOException {
        Path cardFile = model.toAbsolutePath().resolveSibling(ModelCard.FILE_NAME);
        return Files.exists(cardFile) ? ModelCard.read(cardFile) : null;
    }

    /**
     * Opens {@code file} (IDX, NPZ, image folder, CSV) as data for a model with {@code card}.
     *
     * @throws ModelFormatException naming the file, the sample shape and the input shape when a sample does not
     *                              have as many values as the model's input
     */
    public static LabeledData openFitting(Path file, ModelCard card) throws IOException {
        LabeledData d = Datasets.open(file);
        if (d.sampleSize() != card.sampleSize()) {
            throw new ModelFormatException(file, "", "samples of shape " + Arrays.toString(d.sampleShape()) + " ("
                    + d.sampleSize() + " values) do not fit the model's input '" + card.input() + "' "
                    + Arrays.toString(card.inputShape()) + " (" + card.sampleSize() + " values per sample)");
        }
        return d;
    }
}
