package org.sparsitybench.ui.workbench;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.ModelUnderTest;

/**
 * The open model's data: the data set reported figures are measured on (the card's test split, or one the user
 * opened) and the validation split what chooses reads, with why nothing can be measured when that is so. The data
 * splits live here apart from the workbench view model so that every pane asks one place which split it gets.
 */
final class DatasetViewModel {
    private static final String NO_MODEL = "open a model first";

    private final FxTaskExecutor executor;
    private final Consumer<String> fail;
    private final ReadOnlyStringWrapper cannotMeasure = new ReadOnlyStringWrapper(this, "cannotMeasure", NO_MODEL);
    private OpenedModel opened;
    private LabeledData data;

    DatasetViewModel(FxTaskExecutor executor, Consumer<String> fail) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.fail = Objects.requireNonNull(fail, "fail");
    }

    /** A model was opened: its data (the one asked for, else the card's test split) is what reports now. */
    void opened(OpenedModel o) {
        opened = o;
        data = o.data();
    }

    /** The model opened last with its card, cache and splits, or null before the first. */
    OpenedModel openedModel() {
        return opened;
    }

    /** The data accuracy is measured on, or null. */
    LabeledData data() {
        return data;
    }

    /** See {@link WorkbenchViewModel#cannotMeasureProperty()}. */
    ReadOnlyStringProperty cannotMeasureProperty() {
        return cannotMeasure.getReadOnlyProperty();
    }

    /** Says again why nothing can be measured (after the model or the data changed). */
    void updateCannotMeasure() {
        Model m = opened == null ? null : opened.model();
        if (m == null) {
            cannotMeasure.set(NO_MODEL);
        } else if (m.format() != ModelFormat.ONNX || m.graph() == null || m.graph().nodes().isEmpty()) {
            cannotMeasure.set(m.file().getFileName() + " holds weights only (" + m.format().id()
                    + "): there is no graph to run, so accuracy cannot be measured");
        } else if (opened.card() == null) {
            cannotMeasure.set("no model card (model-card.json beside the model) says how to feed it samples");
        } else if (data == null) {
            cannotMeasure.set("no data to measure on: File ▸ Open dataset");
        } else {
            cannotMeasure.set("");
        }
    }

    /** The model, its card and the data in use (for the panes that measure). */
    ModelUnderTest modelUnderTest() {
        return opened == null ? ModelUnderTest.NONE : new ModelUnderTest(opened.model(), opened.card(), data);
    }

    /**
     * The model, its card and its validation split: what chooses (sensitivity, the guided allocation, Wanda's
     * calibration) measures on, never the test data.
     */
    ModelUnderTest validationUnderTest() {
        return opened == null || opened.validation() == null ? ModelUnderTest.NONE
                : new ModelUnderTest(opened.model(), opened.card(), opened.validation().data());
    }

    /** Where the validation split comes from ("10 % of FILE held out (seed 0)", a file), or null when none. */
    String validationSource() {
        return opened == null || opened.validation() == null ? null : opened.validation().description();
    }

    /** The dataset accuracy is measured on, or null. */
    Path datasetPath() {
        return data == null ? null : data.source();
    }

    /** Whether a validation split is there for {@code what}; reports why not (the test data never stands in). */
    boolean validationReady(String what) {
        if (opened != null && opened.card() != null && opened.validation() != null) {
            return true;
        }
        fail.accept(what + " chooses, so it reads the validation split, never the test data: it needs a model with "
                + "a model card naming its training data (dataset.train, 10 % held out) or a validation file "
                + "(dataset.validation)");
        return false;
    }

    /**
     * See {@link WorkbenchViewModel#openDataset(Path)}; {@code then} runs on the FX thread once the set is in use.
     *
     * @return false when no model with a card is open or another long task runs
     */
    boolean open(Path file, Runnable then) {
        if (opened == null) {
            fail.accept(file + ": open a model before its dataset");
            return false;
        }
        var card = opened.card();
        if (card == null) {
            fail.accept(file + ": the model has no model card (model-card.json beside it) saying how to preprocess "
                    + "samples; see README, 'Model cards'");
            return false;
        }
        return executor.foreground("Opening " + file.getFileName(), (progress, cancel) -> OpenedModel.openFitting(file, card))
                .onSucceeded(d -> {
                    data = d;
                    updateCannotMeasure();
                    then.run();
                })
                .onFailed(e -> fail.accept(FxTaskExecutor.describe(e)))
                .start();
    }
}
