package org.sparsitybench.eval;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.sparsitybench.formats.AtomicFiles;
import java.util.Optional;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.ModelFormatException;

/**
 * What a model expects and what it scored, kept beside it as {@code model-card.json}. Preprocessing is declared
 * here, never guessed: a pixel becomes {@code (value·scale − mean[c]) / std[c]}.
 *
 * @param name       display name
 * @param input      graph input name
 * @param inputShape input shape with batch 1, e.g. [1, 1, 28, 28]
 * @param layout     "NCHW" or "NC"
 * @param scale      factor applied to raw values first (1/255 for bytes)
 * @param mean       per-channel mean (one value for all channels allowed)
 * @param std        per-channel standard deviation
 * @param labels     class names, index = class id
 * @param dataset    where the evaluation data lives (free-form, "test" relative to the card)
 * @param accuracy   top-1 accuracy measured on the full test split, 0–1
 * @param params     parameter count
 * @param architecture layers in one line (free-form)
 * @param training   training recipe (free-form)
 * @param teaches    one sentence: what the sample is for
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "input", "inputShape", "layout", "scale", "mean", "std", "labels", "dataset", "accuracy",
        "params", "architecture", "training", "teaches"})
public record ModelCard(String name, String input, long[] inputShape, String layout, double scale, double[] mean,
                        double[] std, List<String> labels, JsonNode dataset, Double accuracy, Long params,
                        String architecture, JsonNode training, String teaches) {
    /** File name of a card beside its model. */
    public static final String FILE_NAME = "model-card.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes the card as indented JSON, atomically (the sample generator's cards). */
    public void write(Path file) throws IOException {
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        AtomicFiles.writeStream(file, out -> {
            out.write(bytes);
            out.write('\n');
        });
    }

    /**
     * A path the card's {@code dataset} names under {@code key} ("test", "train"), resolved against the folder
     * of {@code cardFile}; empty when the card names none.
     */
    public java.util.Optional<Path> datasetPath(Path cardFile, String key) {
        JsonNode v = dataset == null ? null : dataset.get(key);
        return v == null || !v.isTextual() ? java.util.Optional.empty()
                : java.util.Optional.of(cardFile.toAbsolutePath().getParent().resolve(v.asText()).normalize());
    }

    /** Reads and validates a card (file not modified). */
    public static ModelCard read(Path file) throws IOException {
        ModelCard card;
        try {
            card = JSON.readValue(file.toFile(), ModelCard.class);
        } catch (IOException e) {
            throw new ModelFormatException(file, "", "not a valid model card: " + e.getMessage(), e);
        }
        card.validate(file);
        return card;
    }

    /**
     * The card beside {@code model}; an error that says how to provide one when there is none.
     *
     * @param override a card given with {@code --preprocess}, used instead when not null
     */
    public static ModelCard forModel(Path model, Path override) throws IOException {
        if (override != null) {
            return read(override);
        }
        return beside(model).orElseThrow(() -> new ModelFormatException(model, "", "no " + FILE_NAME + " beside the "
                + "model: write one with at least {\"input\": NAME, \"inputShape\": [1, 1, 28, 28], \"layout\": \"NCHW\", "
                + "\"scale\": 0.00392156862745098, \"mean\": [m], \"std\": [s], \"labels\": [...]} or pass --preprocess FILE"));
    }

    /**
     * The card beside {@code model} ({@value #FILE_NAME} in its folder), when there is one.
     *
     * @throws ModelFormatException naming the card when it is present but not a valid card
     */
    public static Optional<ModelCard> beside(Path model) throws IOException {
        Path file = model.toAbsolutePath().resolveSibling(FILE_NAME);
        return Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
    }

    /**
     * The test split the card names ({@code dataset.test}, relative to the card's folder, the model's), when it
     * names one and it exists.
     *
     * @param model the model file this card lies beside
     */
    public Optional<Path> testData(Path model) {
        return named(model, "test");
    }

    /**
     * The training data the card names ({@code dataset.train}, relative to the model's folder), when it exists:
     * what fine-tuning trains on and what the validation split is held out of ({@link DataSplits}).
     */
    public Optional<Path> trainData(Path model) {
        return named(model, "train");
    }

    /**
     * A validation file of its own the card names ({@code dataset.validation}), when it exists; without one the
     * validation split is a held-out part of {@link #trainData} ({@link DataSplits#validation}).
     */
    public Optional<Path> validationData(Path model) {
        return named(model, "validation");
    }

    private Optional<Path> named(Path model, String key) {
        if (dataset == null || !dataset.hasNonNull(key)) {
            return Optional.empty();
        }
        Path p = model.toAbsolutePath().resolveSibling(dataset.get(key).asText()).normalize();
        return Files.exists(p) ? Optional.of(p) : Optional.empty();
    }

    /**
     * Checks that {@code data}'s samples fit this card's input (the same number of values per sample).
     *
     * @throws ModelFormatException naming the dataset, its sample shape and the model's input shape
     */
    public void requireFits(LabeledData data) throws ModelFormatException {
        if (data.sampleSize() != sampleSize()) {
            throw new ModelFormatException(data.source(), "", "samples of shape " + Arrays.toString(data.sampleShape())
                    + " (" + data.sampleSize() + " values) do not fit the model's input '" + input + "' "
                    + Arrays.toString(inputShape) + " (" + sampleSize() + " values per sample)");
        }
    }

    private void validate(Path file) throws ModelFormatException {
        if (input == null || input.isEmpty()) {
            throw new ModelFormatException(file, "input", "missing: the graph input's name");
        }
        if (inputShape == null || inputShape.length < 2) {
            throw new ModelFormatException(file, "inputShape", "missing or shorter than [1, features]");
        }
        for (long d : inputShape) {
            if (d <= 0) {
                throw new ModelFormatException(file, "inputShape", "dimension " + d + " is not positive");
            }
        }
        if (scale <= 0 || !Double.isFinite(scale)) {
            throw new ModelFormatException(file, "scale", scale + " is not a positive number");
        }
        int channels = channels();
        if (mean == null || std == null || (mean.length != 1 && mean.length != channels)
                || (std.length != 1 && std.length != channels)) {
            throw new ModelFormatException(file, "mean/std", "need 1 or " + channels + " values each");
        }
        for (double s : std) {
            if (s <= 0) {
                throw new ModelFormatException(file, "std", s + " is not positive");
            }
        }
    }

    /** Channels of one sample: inputShape[1] for NCHW, 1 otherwise. */
    public int channels() {
        return "NCHW".equalsIgnoreCase(layout) && inputShape.length == 4 ? (int) inputShape[1] : 1;
    }

    /** Elements of one sample (product of inputShape without the batch). */
    public int sampleSize() {
        long n = 1;
        for (int i = 1; i < inputShape.length; i++) {
            n *= inputShape[i];
        }
        return Math.toIntExact(n);
    }

    /** Number of classes, from the labels or {@code fallback} when none are listed. */
    public int classes(int fallback) {
        return labels == null || labels.isEmpty() ? fallback : labels.size();
    }

    /**
     * Applies the card's preprocessing to {@code count} samples in place ({@code values} modified).
     */
    public void preprocessInPlace(float[] values, int count) {
        int size = sampleSize();
        int channels = channels();
        int perChannel = size / channels;
        for (int s = 0; s < count; s++) {
            int base = s * size;
            for (int c = 0; c < channels; c++) {
                double m = mean.length == 1 ? mean[0] : mean[c];
                double sd = std.length == 1 ? std[0] : std[c];
                int from = base + c * perChannel;
                for (int i = from; i < from + perChannel; i++) {
                    values[i] = (float) ((values[i] * scale - m) / sd);
                }
            }
        }
    }
}
