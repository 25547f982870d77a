package org.sparsitybench.ui.common;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import org.sparsitybench.prune.PruningConfig;

/**
 * The pruning configuration every pane edits, with undo and redo. An edit is either a step (recorded at once) or
 * part of a drag: a drag's edits show at once but record nothing until the edit that ends it, which records the
 * whole drag as one step from where it started. An edit that leaves the configuration as it was does nothing,
 * so a control that is told the value it just sent changes nothing here. A pane may also record a step that
 * changes what the window shows without changing the configuration ({@link #record(Runnable, Runnable)}: recovered
 * weights replacing the one-shot ones); undo and redo walk both kinds in order.
 */
public final class UndoableConfig {
    private final ReadOnlyObjectWrapper<PruningConfig> config;
    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper(this, "canUndo", false);
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper(this, "canRedo", false);
    private final Deque<Step> undo = new ArrayDeque<>();
    private final Deque<Step> redo = new ArrayDeque<>();
    private final List<Runnable> stepListeners = new ArrayList<>();
    private final List<Runnable> gestureEndListeners = new ArrayList<>();
    /** Where the drag in progress started; null between drags. */
    private PruningConfig dragStart;

    /** One entry of the history: the configuration to go back to, or a pane's own step. */
    private sealed interface Step permits Back, Own {
    }

    private record Back(PruningConfig config) implements Step {
    }

    private record Own(Runnable undo, Runnable redo) implements Step {
    }

    public UndoableConfig(PruningConfig initial) {
        config = new ReadOnlyObjectWrapper<>(this, "config", Objects.requireNonNull(initial, "initial"));
    }

    /** The configuration now shown; it changes with every edit, drags included. */
    public ReadOnlyObjectProperty<PruningConfig> configProperty() {
        return config.getReadOnlyProperty();
    }

    public PruningConfig get() {
        return config.get();
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }

    /** Runs {@code listener} after every recorded step, undo and redo (the session changed: autosave). */
    public void addStepListener(Runnable listener) {
        stepListeners.add(listener);
    }

    /** A step: {@code change} applied to the configuration shown. */
    public void edit(UnaryOperator<PruningConfig> change) {
        edit(change, false);
    }

    /**
     * An edit; while {@code dragging}, shown but not recorded. The first non-dragging edit after a drag records
     * the drag as one step from its start (none when it ends where it started).
     *
     * @param change   the new configuration from the one shown (not modified: configurations are values)
     * @param dragging whether more edits of the same gesture follow
     */
    public void edit(UnaryOperator<PruningConfig> change, boolean dragging) {
        PruningConfig next = Objects.requireNonNull(change.apply(config.get()), "configuration");
        if (dragging) {
            if (dragStart == null) {
                dragStart = config.get();
            }
            config.set(next);
            return;
        }
        boolean endsDrag = dragStart != null;
        PruningConfig from = endsDrag ? dragStart : config.get();
        dragStart = null;
        config.set(next);
        if (endsDrag) {
            gestureEndListeners.forEach(Runnable::run);
        }
        if (!next.equals(from)) {
            undo.push(new Back(from));
            redo.clear();
            stepped();
        }
    }

    /**
     * Records a step a pane has just taken that leaves the configuration as it is (e.g. recovered weights now
     * shown): Undo runs {@code undo}, Redo runs {@code redo} again. Clears what could be redone, as an edit does.
     */
    public void record(Runnable undoStep, Runnable redoStep) {
        dragStart = null;
        undo.push(new Own(Objects.requireNonNull(undoStep, "undo"), Objects.requireNonNull(redoStep, "redo")));
        redo.clear();
        stepped();
    }

    /**
     * Runs {@code listener} when a drag ends, after its last configuration is set, even when that equals the one
     * shown (then no frame follows; work that waits for the sliders to settle starts here).
     */
    public void addGestureEndListener(Runnable listener) {
        gestureEndListeners.add(listener);
    }

    /** Whether a drag is under way (its edits are shown but the gesture has not ended). */
    public boolean isDragging() {
        return dragStart != null;
    }

    /** Starts afresh at {@code start} (a model or project opened): no history. */
    public void reset(PruningConfig start) {
        undo.clear();
        redo.clear();
        dragStart = null;
        config.set(Objects.requireNonNull(start, "start"));
        updateFlags();
    }

    public void undo() {
        if (!undo.isEmpty()) {
            dragStart = null;
            redo.push(walk(undo.pop(), false));
            stepped();
        }
    }

    public void redo() {
        if (!redo.isEmpty()) {
            dragStart = null;
            undo.push(walk(redo.pop(), true));
            stepped();
        }
    }

    /** Takes {@code s} (forward: a pane's step is redone, else undone); returns the step that takes it back. */
    private Step walk(Step s, boolean forward) {
        if (s instanceof Own own) {
            (forward ? own.redo() : own.undo()).run();
            return own;
        }
        Back back = new Back(config.get());
        config.set(((Back) s).config());
        return back;
    }

    private void stepped() {
        updateFlags();
        for (Runnable r : List.copyOf(stepListeners)) {
            r.run();
        }
    }

    private void updateFlags() {
        canUndo.set(!undo.isEmpty());
        canRedo.set(!redo.isEmpty());
    }
}
