package org.sparsitybench.ui.workbench;

import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.StringProperty;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.common.UndoableConfig;

/**
 * The global bar's state: the target sparsity (slider and typed field), method, N:M pattern, allocation and
 * seed, all read from and written to the shared configuration. The target is a property the slider and the
 * field show; the typed text is validated here.
 */
public final class GlobalBarViewModel {
    /** Chooses a method once what it needs is ready (Wanda's calibration): runs {@code apply} then, or now. */
    @FunctionalInterface
    interface MethodGate {
        void choose(String method, Runnable apply);
    }

    private final UndoableConfig config;
    private final Consumer<String> errors;
    private final BooleanSupplier hasSensitivity;
    private final MethodGate gate;
    private final ReadOnlyDoubleWrapper target = new ReadOnlyDoubleWrapper(this, "target", 0);
    private final ReadOnlyStringWrapper nmProblem = new ReadOnlyStringWrapper(this, "nmProblem", "");
    private final StringProperty targetText = new SimpleStringProperty(this, "targetText", format(0));

    /**
     * @param config         the configuration edited
     * @param errors         hears a refused edit, phrased for a dialog
     * @param hasSensitivity whether a sensitivity analysis of the open model ran (for the guided allocation)
     * @param gate           runs a method change once its prerequisites are ready
     */
    GlobalBarViewModel(UndoableConfig config, Consumer<String> errors, BooleanSupplier hasSensitivity,
                       MethodGate gate) {
        this.config = config;
        this.errors = errors;
        this.hasSensitivity = hasSensitivity;
        this.gate = gate;
        target.set(config.get().global().target());
        config.configProperty().addListener((o, a, b) -> target.set(b.global().target()));
        target.addListener((o, a, b) -> targetText.set(format(b.doubleValue())));
    }

    /** The global target sparsity, 0–1, as the configuration holds it. */
    public ReadOnlyDoubleProperty targetProperty() {
        return target.getReadOnlyProperty();
    }

    /** The target as the user types it ("0.85" or "85%"); {@link #commitTargetText()} applies it. */
    public StringProperty targetTextProperty() {
        return targetText;
    }

    /** Sets the global target sparsity (clamped to 0–1); layers with overrides or locks keep theirs. */
    public void setGlobalTarget(double value) {
        setGlobalTarget(value, false);
    }

    /**
     * As {@link #setGlobalTarget(double)}; while {@code dragging}, the views follow but no undo step is recorded
     * until the drag ends (a call with {@code dragging = false}).
     */
    public void setGlobalTarget(double value, boolean dragging) {
        double t = Math.max(0, Math.min(1, value));
        config.edit(c -> c.withTarget(t), dragging);
    }

    /**
     * Applies the typed target: a share ("0.85") or a percentage ("85%"), 0 to 1. Anything else is refused and
     * the text shows the target in force again.
     *
     * @return whether the text was a valid target
     */
    public boolean commitTargetText() {
        Double t = parseTarget(targetText.get());
        if (t != null) {
            setGlobalTarget(t);
        }
        targetText.set(format(target.get()));
        return t != null;
    }

    /** A typed target as a share, or null when it is no number in 0–1 (or 0–100 %). */
    static Double parseTarget(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        try {
            double v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100
                    : Double.parseDouble(t);
            return v >= 0 && v <= 1 ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String format(double target) {
        return String.format(Locale.ROOT, "%.3f", target);
    }

    /** Chooses the method; Wanda first captures its calibration (a background task) if it has none yet. */
    public void setMethod(String method) {
        gate.choose(method, () -> global(g -> new GlobalSettings(g.target(), method, g.allocation(), g.nmPattern(),
                g.seed(), g.calibration())));
    }

    /**
     * The N:M pattern for the {@code nm} method, e.g. "2:4". A malformed one changes nothing and is reported
     * inline through {@link #nmProblemProperty()} (the field shows the pattern in effect again), not as a dialog.
     *
     * @return whether the pattern was taken
     */
    public boolean setNmPattern(String pattern) {
        try {
            global(g -> new GlobalSettings(g.target(), g.method(), g.allocation(), pattern, g.seed(), g.calibration()));
            nmProblem.set("");
            return true;
        } catch (IllegalArgumentException e) {
            nmProblem.set("'" + pattern + "' refused: " + e.getMessage() + "; "
                    + config.get().global().nmPattern() + " stays in effect");
            return false;
        }
    }

    /** Why the last typed N:M pattern was refused; empty when it was taken. */
    public ReadOnlyStringProperty nmProblemProperty() {
        return nmProblem.getReadOnlyProperty();
    }

    /** Whether the sensitivity-guided allocation can be chosen (a sensitivity analysis of this model ran). */
    public boolean canUseSensitivity() {
        return hasSensitivity.getAsBoolean();
    }

    /** The seed of the random method (and of any random tie-breaking a method uses). */
    public void setSeed(long seed) {
        global(g -> new GlobalSettings(g.target(), g.method(), g.allocation(), g.nmPattern(), seed, g.calibration()));
    }

    /**
     * Applies a typed seed (a whole number).
     *
     * @return false when the text is no whole number (nothing changes)
     */
    public boolean commitSeedText(String text) {
        try {
            setSeed(Long.parseLong(text.trim()));
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** How the target is shared among layers; the sensitivity-guided one needs an analysis first. */
    public void setAllocation(Allocation allocation) {
        if (allocation == Allocation.SENSITIVITY && !hasSensitivity.getAsBoolean()) {
            errors.accept("the sensitivity-guided allocation needs a sensitivity analysis of this model first: "
                    + "Run ▸ Sensitivity analysis");
            return;
        }
        global(g -> new GlobalSettings(g.target(), g.method(), allocation, g.nmPattern(), g.seed(), g.calibration()));
    }

    /** Replaces the whole configuration in one undoable step (a snapshot brought back). */
    public void setConfiguration(PruningConfig next) {
        config.edit(c -> next);
    }

    private void global(UnaryOperator<GlobalSettings> change) {
        config.edit(c -> new PruningConfig(change.apply(c.global()), c.layers()));
    }
}
