package org.sparsitybench.ui.common;

import javafx.scene.control.Control;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.StackPane;

/**
 * Tooltips that show on disabled controls. JavaFX delivers no mouse events to a disabled control, so its own
 * tooltip never appears exactly when the user needs to know why the control is off; the wrapper returned here is
 * never disabled and carries the control's tooltip (the same object, so its text can stay bound) while the control
 * is disabled.
 */
public final class DisabledTips {
    private DisabledTips() {
    }

    /**
     * @param control a control with its tooltip set (modified: it is placed in the wrapper)
     * @return the wrapper to lay out in place of the control; its id is the control's id + {@code "Tip"}
     */
    public static StackPane wrap(Control control) {
        StackPane wrapper = new StackPane(control);
        if (control.getId() != null) {
            wrapper.setId(control.getId() + "Tip");
        }
        wrapper.setMaxSize(javafx.scene.layout.Region.USE_PREF_SIZE, javafx.scene.layout.Region.USE_PREF_SIZE);
        Runnable sync = () -> {
            Tooltip tip = control.getTooltip();
            Tooltip.uninstall(wrapper, null);
            if (tip != null && control.isDisabled()) {
                Tooltip.install(wrapper, tip);
            }
        };
        control.disabledProperty().addListener((o, a, b) -> sync.run());
        control.tooltipProperty().addListener((o, a, b) -> sync.run());
        sync.run();
        return wrapper;
    }
}
