package org.sparsitybench.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.sparsitybench.formats.data.Datasets;
import org.sparsitybench.formats.data.InMemoryData;
import org.sparsitybench.formats.data.LabeledData;

/**
 * A model's data splits, from its card: the one place that says which data plays which role. <b>train</b> trains
 * (fine-tuning); <b>validation</b> is read by everything that chooses (sensitivity analysis, sensitivity-guided
 * allocation, Wanda/SparseGPT/quantization calibration, the best epoch); <b>test</b> only gives reported figures.
 * Validation is the card's own validation file when it names one, else a seeded held-out part
 * ({@value #DEFAULT_VALIDATION_SHARE} of the samples, seed {@value #DEFAULT_SEED}) of the card's training data —
 * the same samples {@code finetune --train} holds out with its default split and seed.
 */
public final class DataSplits {
    /** Split name of the training data. */
    public static final String TRAIN = "train";
    /** Split name of the data that chooses. */
    public static final String VALIDATION = "validation";
    /** Split name of the data reported figures come from. */
    public static final String TEST = "test";
    /** Role of data the user gave that the model card does not name for any split. */
    public static final String GIVEN = "given";
    /** Share of the training data held out for validation when the card names no validation file. */
    public static final double DEFAULT_VALIDATION_SHARE = 0.1;
    /** Seed of the held-out validation part (finetune's default {@code --seed}). */
    public static final long DEFAULT_SEED = 0;

    private DataSplits() {
    }

    /**
     * Data with the split it plays.
     *
     * @param name        {@link #TRAIN}, {@link #VALIDATION} or {@link #TEST}
     * @param data        the samples
     * @param description where they come from, for reports and the window: a file, or "10 % of FILE held out
     *                    (seed 0)"
     */
    public record Split(String name, LabeledData data, String description) {
    }

    /**
     * The validation split of {@code model}: the card's validation file, else {@value #DEFAULT_VALIDATION_SHARE}
     * of its training data held out with seed {@value #DEFAULT_SEED} (loaded into memory); empty when the card
     * names neither or the files are missing.
     *
     * @throws org.sparsitybench.model.ModelFormatException naming the file when it is unreadable or its samples do
     *                                                      not fit the card's input
     */
    public static Optional<Split> validation(ModelCard card, Path model) throws IOException {
        Optional<Path> own = card.validationData(model);
        if (own.isPresent()) {
            LabeledData d = Datasets.open(own.get());
            card.requireFits(d);
            return Optional.of(new Split(VALIDATION, d, own.get().toString()));
        }
        Optional<Path> train = card.trainData(model);
        if (train.isEmpty()) {
            return Optional.empty();
        }
        LabeledData all = Datasets.open(train.get());
        card.requireFits(all);
        InMemoryData held = InMemoryData.load(all, TRAIN, Integer.MAX_VALUE)
                .validationPart(DEFAULT_VALIDATION_SHARE, DEFAULT_SEED);
        return Optional.of(new Split(VALIDATION, held, String.format(Locale.ROOT, "%.0f %% of %s held out (seed %d)",
                100 * DEFAULT_VALIDATION_SHARE, train.get(), DEFAULT_SEED)));
    }

    /** The test split of {@code model}: the card's test file, when it names one that exists. */
    public static Optional<Split> test(ModelCard card, Path model) throws IOException {
        Optional<Path> test = card.testData(model);
        if (test.isEmpty()) {
            return Optional.empty();
        }
        LabeledData d = Datasets.open(test.get());
        card.requireFits(d);
        return Optional.of(new Split(TEST, d, test.get().toString()));
    }

    /**
     * Whether {@code data} is the test file the card names for {@code model} (the same file, however the path is
     * spelled): choosing on it would leak the test split into what is chosen.
     */
    public static boolean isTestFile(ModelCard card, Path model, Path data) {
        return sameFile(card.testData(model), data);
    }

    /**
     * The split {@code data} plays for {@code model}: {@link #TEST} or {@link #VALIDATION} when it is the card's own
     * file for that split, else {@link #GIVEN}.
     */
    public static String roleOf(ModelCard card, Path model, Path data) {
        return isTestFile(card, model, data) ? TEST : sameFile(card.validationData(model), data) ? VALIDATION : GIVEN;
    }

    private static boolean sameFile(Optional<Path> named, Path data) {
        if (named.isEmpty() || data == null || !Files.exists(data)) {
            return false;
        }
        try {
            return Files.isSameFile(named.get(), data);
        } catch (IOException e) {
            return named.get().equals(data.toAbsolutePath().normalize());
        }
    }
}
