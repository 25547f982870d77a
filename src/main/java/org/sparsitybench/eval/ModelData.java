package org.sparsitybench.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.ModelFormatException;

/** Labelled data opened for a model: refused when its samples do not fit the model's input. */
public final class ModelData {
    private ModelData() {
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
