package org.sparsitybench.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.sparsitybench.eval.DataSplits;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.UnsupportedModelException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The model, data and preprocessing every measuring command (sweep, sensitivity) takes. */
final class MeasuredModelOptions {
    @Parameters(index = "0", paramLabel = "MODEL", description = "An .onnx model.")
    Path model;

    @Option(names = "--data", paramLabel = "DATASET", description = "IDX images file, NPZ, image folder or CSV "
            + "(default: the model card's split for the command: validation for what chooses, test for what reports).")
    Path data;

    @Mixin
    ModelCardOption modelCard;

    @Option(names = "--limit", defaultValue = "2147483647", description = "Samples evaluated per point.")
    int limit;

    /** The model, which must be ONNX: measuring runs it. */
    Model readModel() throws IOException {
        Model m = ModelFiles.read(model);
        if (m.format() != ModelFormat.ONNX) {
            throw new UnsupportedModelException(model + ": measuring runs the model; " + m.format().id()
                    + " holds weights only");
        }
        return m;
    }

    ModelCard card() throws IOException {
        return modelCard.card(model);
    }

    /**
     * The data a command that chooses (sensitivity) measures on: {@code --data} when given — with a warning on
     * {@code err} when it is the card's own test file — else the card's validation split.
     *
     * @throws SparsityBenchCli.UsageException naming the model when neither is there
     */
    DataSplits.Split validation(ModelCard card, PrintWriter err) throws IOException {
        return choosingData(model, card, data, err);
    }

    /**
     * The data a command that reports (sweep) measures on: {@code --data} as given, else the card's test split.
     *
     * @throws ModelFormatException naming the model when neither is there (exit 3, as a card without data is)
     */
    DataSplits.Split test(ModelCard card) throws IOException {
        if (data != null) {
            return new DataSplits.Split(DataSplits.TEST, Datasets.open(data), data.toString());
        }
        return DataSplits.test(card, model).orElseThrow(() -> new ModelFormatException(model, "", "the model card "
                + "names no test data (dataset.test): give --data DATASET"));
    }

    /**
     * What chooses reads, for every command: {@code given} (warned about on {@code err} when it is the card's test
     * file: choosing on it leaks the test split into the result) or the card's validation split.
     */
    static DataSplits.Split choosingData(Path model, ModelCard card, Path given, PrintWriter err) throws IOException {
        if (given != null) {
            boolean test = DataSplits.isTestFile(card, model, given);
            if (test) {
                err.println("warning: " + given + " is the model card's test split; sensitivity, allocation and "
                        + "calibration choose, so they should read validation data (omit --data to use the card's "
                        + "validation split)");
                err.flush();
            }
            return new DataSplits.Split(test ? DataSplits.TEST : DataSplits.VALIDATION, Datasets.open(given),
                    given.toString());
        }
        return DataSplits.validation(card, model).orElseThrow(() -> new SparsityBenchCli.UsageException(model
                + ": its model card names no training data (dataset.train) to hold validation out of, nor a "
                + "validation file (dataset.validation): give --data DATASET (validation data, never the test set)"));
    }
}
