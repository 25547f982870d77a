package org.sparsitybench.ui.workbench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyObjectProperty;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.prune.CalibrationSpec;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.UndoableConfig;
import org.sparsitybench.ui.reconstruct.ReconstructViewModel;

/**
 * When the workbench hands its frames to reconstruction, and what it does with the result: a new mask is shown at
 * once (reconstruction in flight is dropped); once the gesture has ended and the frame is the configuration in
 * force, reconstruction starts in the background on the card's training split; its weights then replace the mask's
 * in the totals and the accuracy line. Kept apart from {@link ReconstructViewModel}, which knows nothing of frames,
 * gestures or data splits.
 */
final class SettledReconstruction {
    /** How the accuracy line names reconstructed weights. */
    static final String RECONSTRUCTED = "reconstructed";

    private final ReconstructViewModel reconstruct;
    private final UndoableConfig config;
    private final DatasetViewModel data;
    private final Consumer<String> fail;
    /** The configuration last handed to reconstruction (null: the next frame settles again). */
    private PruningConfig settledConfig;
    /** The card's training file, opened for reconstruction's calibration on first need; null before. */
    private LabeledData calibrationData;

    /**
     * Follows the Reconstruct toggle, the end of each gesture and each reconstruction result.
     *
     * @param frame  the workbench's latest frame (not modified)
     * @param totals where the totals line goes
     */
    SettledReconstruction(ReconstructViewModel reconstruct, UndoableConfig config, DatasetViewModel data,
                          EvaluationViewModel evaluation, ReadOnlyObjectProperty<WorkbenchFrame> frame,
                          Consumer<String> totals, Consumer<String> fail) {
        this.reconstruct = Objects.requireNonNull(reconstruct, "reconstruct");
        this.config = Objects.requireNonNull(config, "config");
        this.data = Objects.requireNonNull(data, "data");
        this.fail = Objects.requireNonNull(fail, "fail");
        reconstruct.enabledProperty().addListener((o, was, on) -> {
            settledConfig = null;
            WorkbenchFrame f = frame.get();
            if (f != null) {
                whenSettled(f);
                if (!on) {
                    totals.accept(f.totals());
                    evaluation.request(data.modelUnderTest(), f.result());
                }
            }
        });
        config.addGestureEndListener(() -> {
            if (frame.get() != null) {
                whenSettled(frame.get());
            }
        });
        reconstruct.resultProperty().addListener((o, was, r) -> {
            WorkbenchFrame f = frame.get();
            if (r != null && f != null) {
                totals.accept(f.totals() + "  ·  weights: reconstructed");
                evaluation.request(data.modelUnderTest(), f.result(), r.values(), RECONSTRUCTED);
            }
        });
    }

    /** Another model was opened: nothing of the last one's is settled or loaded. */
    void forget() {
        settledConfig = null;
        calibrationData = null;
    }

    /** The engine was rebuilt: the same configuration may now give other masks, so the next frame settles again. */
    void unsettle() {
        settledConfig = null;
    }

    /**
     * Shows {@code f}'s mask and, when it is settled, reconstructs it. A frame for the same configuration (another
     * layer selected, another heatmap mode) leaves reconstruction as it is.
     */
    void whenSettled(WorkbenchFrame f) {
        PruningConfig c = f.result().config();
        if (c.equals(settledConfig)) {
            return;
        }
        settledConfig = null;
        reconstruct.maskChanged();
        OpenedModel opened = data.openedModel();
        if (config.isDragging() || !c.equals(config.get()) || opened == null || opened.card() == null) {
            return;
        }
        if (!reconstruct.wanted(f.result())) {
            settledConfig = c; // the mask alone is what this configuration shows
            return;
        }
        LabeledData calibration = calibrationData(opened);
        if (calibration == null) {
            return;
        }
        CalibrationSpec spec = c.global().calibration();
        settledConfig = c;
        reconstruct.settled(new ReconstructViewModel.Request(opened.model(), opened.card(), f.result(), calibration,
                Math.min(calibration.count(), spec == null ? WorkbenchViewModel.CALIBRATION_SAMPLES : spec.count()),
                "training"));
    }

    /**
     * Reconstruction calibrates on training data, never on the test set the accuracy line reports: the card's
     * {@code dataset.train} file. Null (with an error shown) when the card names none.
     */
    private LabeledData calibrationData(OpenedModel opened) {
        if (calibrationData == null) {
            Path cardFile = opened.model().file().toAbsolutePath().resolveSibling(ModelCard.FILE_NAME);
            Path train = opened.card().datasetPath(cardFile, "train").filter(Files::exists).orElse(null);
            if (train == null) {
                fail.accept(cardFile + ": reconstruction calibrates on the training split the model card names "
                        + "(dataset.train); this card names none or it is missing");
                return null;
            }
            try {
                calibrationData = OpenedModel.openFitting(train, opened.card());
            } catch (IOException | RuntimeException e) {
                fail.accept(FxTaskExecutor.describe(e));
                return null;
            }
        }
        return calibrationData;
    }
}
