package org.sparsitybench.ui.workbench;

import java.util.Objects;
import javafx.beans.property.ReadOnlyObjectProperty;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.prune.CalibrationSpec;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.ui.common.UndoableConfig;
import org.sparsitybench.ui.reconstruct.ReconstructViewModel;

/**
 * When the workbench hands its frames to reconstruction, and what it does with the result: a new mask is shown at
 * once (reconstruction in flight is dropped); once the gesture has ended and the frame is the configuration in
 * force, reconstruction starts in the background on the first samples of the validation split; when it is done a
 * new frame shows its weights in every pane, the totals and the accuracy line ({@link WorkbenchFrame#reconstructed}).
 * Kept apart from {@link ReconstructViewModel}, which knows nothing of frames, gestures or data splits.
 */
final class SettledReconstruction {
    private final ReconstructViewModel reconstruct;
    private final UndoableConfig config;
    private final DatasetViewModel data;
    /** The configuration last handed to reconstruction (null: the next frame settles again). */
    private PruningConfig settledConfig;

    /**
     * Follows the Reconstruct toggle, the end of each gesture and each reconstruction result.
     *
     * @param frame        the workbench's latest frame (not modified)
     * @param requestFrame asks for a frame of the configuration in force, with the reconstruction on screen
     */
    SettledReconstruction(ReconstructViewModel reconstruct, UndoableConfig config, DatasetViewModel data,
                          ReadOnlyObjectProperty<WorkbenchFrame> frame, Runnable requestFrame) {
        this.reconstruct = Objects.requireNonNull(reconstruct, "reconstruct");
        this.config = Objects.requireNonNull(config, "config");
        this.data = Objects.requireNonNull(data, "data");
        reconstruct.enabledProperty().addListener((o, was, on) -> {
            settledConfig = null;
            requestFrame.run();
        });
        config.addGestureEndListener(() -> {
            if (frame.get() != null) {
                whenSettled(frame.get());
            }
        });
        // Reconstruction done: a frame of Ŵ for every pane (a dropped one goes with the frame that dropped it).
        reconstruct.resultProperty().addListener((o, was, r) -> {
            if (r != null) {
                requestFrame.run();
            }
        });
    }

    /** Another model was opened: nothing of the last one's is settled or loaded. */
    void forget() {
        settledConfig = null;
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
        settledConfig = c;
        // Calibration chooses the weights, so it reads the validation split, never the test set the accuracy line
        // reports (nor the training samples fine-tuning would train on).
        if (!data.validationReady("reconstruction's calibration")) {
            return;
        }
        LabeledData calibration = opened.validation().data();
        CalibrationSpec spec = c.global().calibration();
        reconstruct.settled(new ReconstructViewModel.Request(opened.model(), opened.card(), f.result(), calibration,
                Math.min(calibration.count(), spec == null ? WorkbenchViewModel.CALIBRATION_SAMPLES : spec.count())));
    }
}
