package org.sparsitybench.ui.workbench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.prune.ScoreCache;
import org.sparsitybench.prune.stats.FlopCounter;

/**
 * A model as the background task that opens it returns it: read, with its score cache, FLOP counter, card and data.
 *
 * @param model the model read
 * @param cache the engine's score cache (kept when the engine is rebuilt with calibration or sensitivity)
 * @param uses  FLOPs per weight
 * @param card  the card beside an ONNX model, or null
 * @param data  the data set reported figures are measured on (the one asked for, else the card's test split), or null
 * @param validation the card's validation split ({@link DataSplits#validation}): what chooses reads it, or null
 */
record OpenedModel(Model model, ScoreCache cache, FlopCounter uses, ModelCard card, LabeledData data,
                   DataSplits.Split validation) {
    /**
     * Reads {@code file} and what belongs to it (runs off the FX thread).
     *
     * @param dataset a data set to use instead of the card's test split (a project's), or null
     */
    static OpenedModel read(Path file, Path dataset) throws IOException {
        Model m = ModelFiles.read(file);
        ModelCard card = m.format() == ModelFormat.ONNX ? ModelCard.beside(file).orElse(null) : null;
        LabeledData data = null;
        if (card != null && dataset != null && Files.exists(dataset)) {
            data = openFitting(dataset, card);
        } else if (card != null) {
            Path test = card.testData(file).orElse(null);
            data = test == null ? null : Datasets.open(test);
        }
        DataSplits.Split validation = card == null ? null : DataSplits.validation(card, file).orElse(null);
        return new OpenedModel(m, new ScoreCache(true), FlopCounter.of(m), card, data, validation);
    }

    /**
     * Opens {@code file} (IDX, NPZ, image folder, CSV) as data for a model with {@code card}.
     *
     * @throws org.sparsitybench.model.ModelFormatException naming the file, the sample shape and the input shape
     *                                                      when a sample does not fit the model's input
     */
    static LabeledData openFitting(Path file, ModelCard card) throws IOException {
        LabeledData data = Datasets.open(file);
        card.requireFits(data);
        return data;
    }
}
