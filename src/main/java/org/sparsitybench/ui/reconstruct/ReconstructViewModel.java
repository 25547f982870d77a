package org.sparsitybench.ui.reconstruct;

import java.util.Locale;
import java.util.Objects;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import org.sparsitybench.eval.ModelCard;
import org.sparsitybench.eval.Reconstruction;
import org.sparsitybench.formats.data.LabeledData;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.LayerResult;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.CancelledException;
import org.sparsitybench.ui.common.FxTaskExecutor;

/**
 * The global bar's Reconstruct toggle (least squares with bias correction; {@code sparsegpt} layers always
 * reconstruct): while a slider moves the views show the mask ({@link #maskChanged}); when it settles
 * ({@link #settled}) reconstruction runs in the background with progress and Cancel, and {@link #resultProperty}
 * then holds the weights the views, totals and accuracy should show. {@link #statusProperty} always says which
 * weights are on screen. A newer request cancels the one in flight. No {@code javafx.scene} here: the View binds.
 */
public final class ReconstructViewModel {
    /**
     * What to reconstruct: the engine's current result on {@code model}, calibrated on the first {@code samples}
     * samples of {@code calibration} ({@code split} names it on screen: "validation", or "training file" when the
     * card names no hold-out).
     */
    public record Request(Model model, ModelCard card, PruningResult pruning, LabeledData calibration, int samples,
                          String split) {
        /** A request calibrated on validation data. */
        public Request(Model model, ModelCard card, PruningResult pruning, LabeledData calibration, int samples) {
            this(model, card, pruning, calibration, samples, "validation");
        }

        public Request {
            Objects.requireNonNull(split, "split");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(card, "card");
            Objects.requireNonNull(pruning, "pruning");
            Objects.requireNonNull(calibration, "calibration");
            if (samples < 1) {
                throw new IllegalArgumentException("calibration samples " + samples + " < 1");
            }
        }
    }

    private final FxTaskExecutor executor;
    private final BooleanProperty enabled = new SimpleBooleanProperty(false);
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(MASK_ONLY);
    private final ReadOnlyObjectWrapper<Reconstruction.Result> result = new ReadOnlyObjectWrapper<>();
    private CancellationToken.Source inFlight;
    /** The configuration {@link #result} was computed for. */
    private PruningConfig resultConfig;

    static final String MASK_ONLY = "Weights on screen: mask only";

    public ReconstructViewModel(FxTaskExecutor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
        enabled.addListener((o, was, now) -> {
            if (!now) {
                cancelInFlight();
                result.set(null);
                status.set(MASK_ONLY);
            }
        });
    }

    /** The Reconstruct toggle. */
    public BooleanProperty enabledProperty() {
        return enabled;
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** 0–1 while running. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** Which weights the views show, and what reconstruction is doing. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** The reconstructed masks and values on screen, or null while the views show the mask alone. */
    public ReadOnlyObjectProperty<Reconstruction.Result> resultProperty() {
        return result.getReadOnlyProperty();
    }

    /** Whether the configuration needs reconstruction: the toggle is on, or a layer's method is SparseGPT. */
    public boolean wanted(PruningResult pruning) {
        return enabled.get() || pruning.layers().stream()
                .anyMatch(l -> l.status() != LayerResult.Status.EXCLUDED && Reconstruction.isSparseGpt(l.method()));
    }

    /** A slider moved: the views show the new mask at once; stale reconstruction is cancelled and dropped. */
    public void maskChanged() {
        cancelInFlight();
        result.set(null);
        status.set(MASK_ONLY + (enabled.get() ? " (reconstruction runs when the sliders settle)" : ""));
    }

    /** The sliders settled: reconstruct {@code request} in the background if it is {@link #wanted}. */
    public void settled(Request request) {
        cancelInFlight();
        result.set(null);
        if (!wanted(request.pruning())) {
            status.set(MASK_ONLY);
            return;
        }
        CancellationToken.Source token = CancellationToken.newSource();
        inFlight = token;
        running.set(true);
        progress.set(0);
        status.set(MASK_ONLY + "; reconstructing on " + request.samples() + " " + request.split() + " samples …");
        Reconstruction.Options options = Reconstruction.Options.of(enabled.get(), enabled.get(), false);
        executor.submit((p, c) -> Reconstruction.run(request.model(), request.card(), request.pruning(),
                        request.pruning().prunedValues(request.model()), request.calibration(), request.samples(),
                        request.pruning().config().global().nmPattern(), options, p, c), token,
                (fraction, text) -> executor.onFx(() -> {
                    if (inFlight == token) {
                        status.set(MASK_ONLY + "; reconstructing: " + text); // first: the bar's listeners read it
                        progress.set(fraction);
                    }
                }),
                r -> {
                    if (inFlight != token) {
                        return;
                    }
                    inFlight = null;
                    running.set(false);
                    progress.set(1);
                    resultConfig = request.pruning().config();
                    result.set(r);
                    status.set(describe(r, request.split()));
                },
                e -> {
                    if (inFlight != token) {
                        return;
                    }
                    inFlight = null;
                    running.set(false);
                    status.set(MASK_ONLY + (e instanceof CancelledException ? " (reconstruction cancelled)"
                            : " (reconstruction failed: " + e.getMessage() + ")"));
                });
    }

    /** The Cancel button: stops the reconstruction in flight; the views keep showing the mask alone. */
    public void cancel() {
        if (inFlight != null) {
            cancelInFlight();
            status.set(MASK_ONLY + " (reconstruction cancelled)");
        }
    }

    /**
     * The reconstruction on screen when it was computed for {@code config} (the frame the views show is for that
     * configuration), else null: the views then show the engine's mask over the original weights.
     */
    public Reconstruction.Result onScreenFor(PruningConfig config) {
        return result.get() != null && config.equals(resultConfig) ? result.get() : null;
    }

    private void cancelInFlight() {
        CancellationToken.Source t = inFlight;
        inFlight = null;
        if (t != null) {
            t.cancel();
        }
        running.set(false);
        progress.set(0);
    }

    private static String describe(Reconstruction.Result r, String split) {
        long sgpt = r.layers().stream().filter(l -> l.mode().equals("sparsegpt")).count();
        long ls = r.layers().stream().filter(l -> l.mode().equals("least-squares")).count();
        return String.format(Locale.ROOT, "Weights on screen: reconstructed (%d SparseGPT, %d least-squares layer(s)"
                + "%s) on %d %s samples", sgpt, ls,
                r.layers().stream().anyMatch(l -> l.bias() != null) ? ", biases corrected" : "", r.samples(), split);
    }
}
