package org.sparsitybench.train;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How the learning rate moves over a run of {@code total} optimiser steps, from its initial value {@code lr}.
 * Recovery after a large cut (a compacted network starts far from any minimum) wants a high rate first and a
 * small one last; which decay does that best depends on the model, so the choice is the user's.
 */
public enum LrSchedule {
    /** {@code lr·(1 + cos(π·step/total))/2}: from lr to 0 (Loshchilov &amp; Hutter 2017, without restarts). */
    COSINE("cosine", "cosine decay to 0 over all steps"),
    /** {@code lr}, then {@code lr/10} from half the steps, {@code lr/100} from three quarters. */
    STEP("step", "step decay: ×0.1 at 50 % and at 75 % of the steps"),
    /** {@code lr} throughout. */
    CONSTANT("constant", "constant");

    private final String id;
    private final String description;

    LrSchedule(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** The name on the command line ({@code --lr-schedule}). */
    public String id() {
        return id;
    }

    /** What the schedule does, for reports. */
    public String description() {
        return description;
    }

    /**
     * The learning rate at {@code step} of {@code total} (0-based step, {@code 0 ≤ step < total}).
     *
     * @param lr the initial learning rate
     */
    public double at(double lr, long step, long total) {
        return switch (this) {
            case COSINE -> Trainer.cosine(lr, step, total);
            case STEP -> 4 * step < 2 * total ? lr : 4 * step < 3 * total ? lr / 10 : lr / 100;
            case CONSTANT -> lr;
        };
    }

    /** Every id, in declaration order. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(LrSchedule::id).toList();
    }

    /**
     * The schedule named {@code id} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the ids when there is none
     */
    public static LrSchedule parse(String id) {
        for (LrSchedule s : values()) {
            if (s.id.equals(id.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown learning-rate schedule '" + id + "'; one of " + ids());
    }
}
