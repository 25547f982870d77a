package org.sparsitybench.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.UnsupportedModelException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The model, data and preprocessing every measuring command (sweep, sensitivity) takes. */
final class MeasuredModelOptions {
    @Parameters(index = "0", paramLabel = "MODEL", description = "An .onnx model.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DATASET",
            description = "IDX images file, NPZ, image folder or CSV.")
    Path data;

    @Option(names = "--preprocess", paramLabel = "FILE", description = "A model card to use instead of the one beside the model.")
    Path preprocess;

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
        return ModelCard.forModel(model, preprocess);
    }

    LabeledData dataset() throws IOException {
        return Datasets.open(data);
    }
}
