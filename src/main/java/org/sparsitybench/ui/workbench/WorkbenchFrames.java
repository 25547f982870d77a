package org.sparsitybench.ui.workbench;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.ui.recovery.RecoveredWeights;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.LatestWins;
import org.sparsitybench.ui.common.UndoableConfig;
import org.sparsitybench.ui.distribution.DistributionViewModel;
import org.sparsitybench.ui.heatmap.HeatmapViewModel;
import org.sparsitybench.ui.layers.LayerRow;
import org.sparsitybench.ui.layers.LayerTableViewModel;
import org.sparsitybench.ui.reconstruct.ReconstructViewModel;

/**
 * The engine's frames for the workbench: each {@link #request} asks for one frame of the configuration in force and
 * of what the panes show (selected layer, heatmap mode, histogram options) through a latest-wins coalescer, so
 * dragging a slider never queues work. The newest frame goes to the layer table, the distribution and the heatmap,
 * with the totals and the engine's messages (of the reconstructed weights once reconstruction has run for the
 * configuration); then to {@code shown} (reconstruction and the accuracy line).
 */
final class WorkbenchFrames {
    private final ReadOnlyObjectWrapper<WorkbenchFrame> frame = new ReadOnlyObjectWrapper<>(this, "frame");
    private final ReadOnlyStringWrapper totals = new ReadOnlyStringWrapper(this, "totals", "");
    private final ReadOnlyStringWrapper messages = new ReadOnlyStringWrapper(this, "messages", "");
    private final LatestWins<WorkbenchFrame.Request, WorkbenchFrame> frames;
    private final UndoableConfig config;
    private final CalibratedEngine engine;
    private final DatasetViewModel data;
    private final LayerTableViewModel layers;
    private final DistributionViewModel distribution;
    private final HeatmapViewModel heatmap;
    private final Consumer<WorkbenchFrame> shown;
    private final ReconstructViewModel reconstruct;
    private final Function<PruningConfig, RecoveredWeights.State> recovered;

    /**
     * @param reconstruct gives each frame the reconstruction on screen for its configuration (panes then show Ŵ)
     * @param recovered   the recovered weights on screen for a configuration, or null (panes then show them)
     * @param shown       runs after the panes show a frame that is still the newest
     */
    WorkbenchFrames(FxTaskExecutor executor, Consumer<String> fail, UndoableConfig config, CalibratedEngine engine,
                    DatasetViewModel data, LayerTableViewModel layers, DistributionViewModel distribution,
                    HeatmapViewModel heatmap, ReconstructViewModel reconstruct,
                    Function<PruningConfig, RecoveredWeights.State> recovered, Consumer<WorkbenchFrame> shown) {
        this.recovered = Objects.requireNonNull(recovered, "recovered");
        this.reconstruct = Objects.requireNonNull(reconstruct, "reconstruct");
        this.config = Objects.requireNonNull(config, "config");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.data = Objects.requireNonNull(data, "data");
        this.layers = Objects.requireNonNull(layers, "layers");
        this.distribution = Objects.requireNonNull(distribution, "distribution");
        this.heatmap = Objects.requireNonNull(heatmap, "heatmap");
        this.shown = Objects.requireNonNull(shown, "shown");
        this.frames = new LatestWins<>(executor, WorkbenchFrame::compute, this::show,
                e -> fail.accept(FxTaskExecutor.describe(e)), LatestWins.Policy.FINISH);
    }

    /** The latest frame (null before the first). */
    ReadOnlyObjectProperty<WorkbenchFrame> frameProperty() {
        return frame.getReadOnlyProperty();
    }

    ReadOnlyStringProperty totalsProperty() {
        return totals.getReadOnlyProperty();
    }

    ReadOnlyStringProperty messagesProperty() {
        return messages.getReadOnlyProperty();
    }

    /** Frames finished so far (applied or superseded). */
    long computedCount() {
        return frames.computedCount();
    }

    /** Whether no frame is computed or waits. */
    boolean isIdle() {
        return frames.isIdle();
    }

    /** Asks for a frame of what is in force now; nothing while no engine is ready. */
    void request() {
        if (engine.get() == null) {
            return;
        }
        LayerRow selected = layers.selectedProperty().get();
        frames.request(new WorkbenchFrame.Request(config.get(), engine.get(), data.openedModel().uses(),
                selected == null ? null : selected.tensor(), heatmap.modeProperty().get(),
                distribution.signedProperty().get(), distribution.allLayersProperty().get(),
                reconstruct.onScreenFor(config.get()), recovered.apply(config.get())));
    }

    private void show(WorkbenchFrame f) {
        frame.set(f);
        totals.set(f.totals());
        messages.set(f.messages());
        layers.showResult(f.result());
        layers.showReconstruction(f.reconstructed());
        if (frame.get() != f) {
            return; // a newer frame was shown while this one was (a listener asked for it): it has the last word
        }
        distribution.show(f.layer(), f.histogram(), f.threshold(), f.tiles(), f.weights());
        heatmap.show(f.heatmap(), f.mode(), f.weights());
        if (frame.get() == f) {
            shown.accept(f);
        }
    }
}
