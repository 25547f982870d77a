package org.sparsitybench.ui.common;

import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableDoubleValue;
import javafx.scene.control.Slider;

/**
 * A 0–1 slider that shows a view model's value and sends the user's gestures back, the one commit path for the
 * global target and every layer row. A gesture is what the slider's behaviour does for the user: a thumb drag
 * (each move an edit with {@code dragging = true}, its end an edit with {@code false}), a click on the track or
 * a key (one edit with {@code false}). The value the view model shows back arrives through
 * {@link Slider#setValue}, which is no gesture and reaches nobody, so nothing echoes.
 */
public final class EditSlider extends Slider {
    /** Receives the user's gestures. */
    @FunctionalInterface
    public interface Edit {
        /**
         * @param value    the slider's value, 0–1
         * @param dragging whether the gesture goes on (a drag); false for its last edit
         */
        void edit(double value, boolean dragging);
    }

    private static final Edit NOBODY = (v, d) -> { };
    private final ChangeListener<Number> follow = (o, a, b) -> setValue(b.doubleValue());
    private ObservableDoubleValue shown;
    private Edit edit = NOBODY;

    public EditSlider() {
        super(0, 1, 0);
        // The behaviour drags the thumb with setValue while valueChanging is set; program writes never set it.
        valueProperty().addListener((o, a, b) -> {
            if (isValueChanging()) {
                edit.edit(b.doubleValue(), true);
            }
        });
        valueChangingProperty().addListener((o, was, now) -> {
            if (was && !now) {
                edit.edit(getValue(), false);
            }
        });
    }

    /** Track clicks, keys and the end of a thumb drag come through here (SliderBehavior). */
    @Override
    public void adjustValue(double newValue) {
        double before = getValue();
        super.adjustValue(newValue);
        if (!isValueChanging() && getValue() != before) {
            edit.edit(getValue(), false);
        }
    }

    /**
     * Shows {@code value} and sends gestures to {@code onEdit}, replacing an earlier link (a table cell shows
     * another row).
     *
     * @param value  what the view model shows (not modified)
     * @param onEdit receives the user's gestures
     */
    public void link(ObservableDoubleValue value, Edit onEdit) {
        unlink();
        shown = value;
        setValue(value.get());
        value.addListener(follow);
        edit = onEdit;
    }

    /** Shows nothing new and sends nothing (an empty table cell). */
    public void unlink() {
        if (shown != null) {
            shown.removeListener(follow);
            shown = null;
        }
        edit = NOBODY;
    }
}
