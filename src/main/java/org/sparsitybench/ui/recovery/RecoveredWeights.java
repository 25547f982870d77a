package org.sparsitybench.ui.recovery;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.train.RecoveredModel;
import org.sparsitybench.train.Recovery;
import org.sparsitybench.ui.common.UndoableConfig;

/**
 * Which weights the window shows for its configuration: the one-shot ones (the engine's masked values) or the
 * weights a Recover run produced. A finished (or cancelled, best epoch kept) run becomes the current state as one
 * undoable step; the recovered weights belong to the model and configuration they were trained from, so they are
 * shown while that configuration is in force (a slider moved away shows one-shot weights; Undo back to it shows the
 * recovered ones again; Undo past the step returns to one-shot).
 */
public final class RecoveredWeights {
    /** How the accuracy line names recovered weights. */
    public static final String RECOVERED = "recovered";

    /**
     * Recovered weights.
     *
     * @param source the model as opened (not modified)
     * @param config the configuration whose masks were kept
     * @param model  the model with the recovered values (in memory; same graph and file as {@code source})
     * @param values the trained tensors' recovered values by name (pruned weights exactly 0)
     * @param label  what the accuracy line and the panes say: "recovered: epoch 3 of 3, best on validation"
     * @param training how they were trained: "lr 0.001 step, weight decay 0.01"
     */
    public record State(Model source, PruningConfig config, Model model, Map<String, TensorData> values,
                        String label, String training) {
        public State {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(training, "training");
            values = Map.copyOf(values);
        }

        /** The label with how they were trained: what a snapshot records and an export's report says. */
        public String described() {
            return label + "; " + training;
        }
    }

    private final UndoableConfig history;
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(this, "state");

    /** @param history the window's configuration and its undo history (a recovery is recorded there) */
    public RecoveredWeights(UndoableConfig history) {
        this.history = history;
    }

    /** The last recovery made current (null: one-shot); it applies only to its model and configuration. */
    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    /** The recovered weights for {@code model} pruned by {@code config}, or null when the one-shot ones are shown. */
    public State shown(Model model, PruningConfig config) {
        State s = state.get();
        return s != null && s.source() == model && s.config().equals(config) ? s : null;
    }

    /** What {@code shown} weights are called: {@link #RECOVERED} with its epoch, or null for one-shot. */
    public String label(Model model, PruningConfig config) {
        State s = shown(model, config);
        return s == null ? null : s.label();
    }

    /**
     * Makes {@code o}'s best epoch the current state, as one step of the window's history. An outcome without a
     * completed epoch changes nothing. When the configuration changed while it trained, the recovered weights are
     * kept for that configuration but no step is recorded: an invisible step would make Undo appear to do nothing
     * and then lose them; Undo back to the configuration shows them.
     *
     * @return whether the recovered weights are on screen now
     */
    public boolean apply(RecoveryViewModel.Outcome o) {
        Recovery.Epoch best = o.bestEpoch();
        if (best == null) {
            return false;
        }
        Model recovered = RecoveredModel.inMemory(o.model(), o.net());
        Map<String, TensorData> values = new LinkedHashMap<>();
        for (String name : o.net().tensors().keySet()) {
            values.put(name, recovered.tensor(name).orElseThrow().data());
        }
        String label = String.format(Locale.ROOT, "%s: epoch %d of %d%s, best on validation", RECOVERED,
                best.epoch(), o.result().epochs().size(), o.cancelled() ? " completed before cancel" : "");
        // How they were trained goes with them: into snapshots and an export's report ("weights").
        var c = o.settings();
        String training = String.format(Locale.ROOT, "lr %s %s%s%s", c.lr(), c.schedule().id(),
                c.weightDecay() > 0 ? ", weight decay " + c.weightDecay() : "", c.alpha() < 1 ? ", distilled" : "");
        State before = state.get();
        State next = new State(o.model(), o.config(), recovered, values, label, training);
        state.set(next);
        if (!o.config().equals(history.get())) {
            return false;
        }
        history.record(() -> state.set(before), () -> state.set(next));
        return true;
    }

    /** Forgets the recovered weights (another model opened); records nothing. */
    public void clear() {
        state.set(null);
    }
}
