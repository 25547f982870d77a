package org.sparsitybench.samples;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.model.ModelFormatException;

/**
 * What a sample model is and how to feed it: the {@code model-card.json} beside each bundled {@code model.onnx}.
 * A pixel becomes {@code (value·scale − mean)/std} before it enters the network.
 *
 * @param name         folder name, e.g. {@code fashion-lenet5}
 * @param input        name of the ONNX input
 * @param inputShape   shape of one sample with a batch of 1, e.g. [1, 1, 28, 28]
 * @param layout       {@code NCHW} for images, {@code NC} for flat vectors
 * @param scale        raw pixel value to [0, 1]
 * @param mean         per-channel mean of scaled training pixels
 * @param std          per-channel standard deviation of scaled training pixels
 * @param labels       class names by index
 * @param dataset      what it was trained on and where the bundled test split is
 * @param accuracy     top-1 accuracy (0–1) measured with ONNX Runtime on the whole bundled test split
 * @param params       values stored in the model's initializers (batch-norm running statistics included), as
 *                     {@code inspect} counts them
 * @param architecture layers in one line
 * @param training     how it was trained
 * @param teaches      what pruning it is good for showing, in one sentence
 */
@JsonPropertyOrder({"name", "input", "inputShape", "layout", "scale", "mean", "std", "labels", "dataset", "accuracy",
        "params", "architecture", "training", "teaches"})
public record ModelCard(String name, String input, long[] inputShape, String layout, double scale, double[] mean,
                        double[] std, List<String> labels, Dataset dataset, double accuracy, long params,
                        String architecture, Training training, String teaches) {
    /** The file name beside {@code model.onnx}. */
    public static final String FILE_NAME = "model-card.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * @param name        data set name
     * @param test        bundled test images, relative to the card's folder (labels lie beside them)
     * @param description provenance, licence and split
     */
    @JsonPropertyOrder({"name", "test", "description"})
    public record Dataset(String name, String test, String description) {
    }

    /**
     * @param epochs       passes over the training split
     * @param batch        images per step
     * @param optimizer    e.g. "Adam"
     * @param lr           initial learning rate
     * @param schedule     how the learning rate changes
     * @param seed         the seed that fixes initial weights and batch order
     * @param trainSeconds wall-clock training time
     * @param trainedOn    CPU, OS, JVM and numeric library
     * @param date         ISO date of training (UTC)
     */
    @JsonPropertyOrder({"epochs", "batch", "optimizer", "lr", "schedule", "seed", "trainSeconds", "trainedOn", "date"})
    public record Training(int epochs, int batch, String optimizer, double lr, String schedule, long seed,
                           double trainSeconds, String trainedOn, String date) {
    }

    /** The card's input preprocessing (single channel). */
    public Preprocessing preprocessing() {
        return new Preprocessing(scale, mean[0], std[0]);
    }

    /** The bundled test images, resolved against the folder of {@code cardFile}. */
    public Path testImages(Path cardFile) {
        return cardFile.toAbsolutePath().getParent().resolve(dataset.test()).normalize();
    }

    /** Writes the card as indented JSON, atomically. */
    public void write(Path file) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(this);
        AtomicFiles.writeStream(file, out -> {
            out.write(bytes);
            out.write('\n');
        });
    }

    /**
     * Reads a card.
     *
     * @throws ModelFormatException when the file is not a card
     */
    public static ModelCard read(Path file) throws IOException {
        try {
            return JSON.readValue(file.toFile(), ModelCard.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ModelFormatException(file, e.getLocation() == null ? "" : "offset "
                    + e.getLocation().getCharOffset(), "not a model card: " + e.getOriginalMessage(), e);
        }
    }
}
