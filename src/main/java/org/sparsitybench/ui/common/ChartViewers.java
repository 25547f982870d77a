package org.sparsitybench.ui.common;

import java.util.Locale;
import javafx.scene.Node;
import javafx.scene.Parent;
import org.jfree.chart.fx.ChartViewer;

/**
 * Keeps the window's chart viewers painted in the theme: each viewer's own background is the chart theme's, so a
 * canvas not yet drawn (a tab first shown, a chart built before the stylesheet or the size arrived) shows the
 * theme's background and never black; and a viewer redraws its canvas when its tab comes to the front.
 */
public final class ChartViewers {
    private ChartViewers() {
    }

    /** Every {@link ChartViewer} under {@code root} (inclusive): background set to {@code theme}'s, canvas redrawn. */
    public static void repaint(Node root, ChartTheme theme) {
        if (root instanceof ChartViewer v) {
            java.awt.Color c = theme.background();
            v.setStyle(String.format(Locale.ROOT, "-fx-background-color: #%02x%02x%02x;", c.getRed(), c.getGreen(),
                    c.getBlue()));
            v.getCanvas().draw();
        }
        if (root instanceof Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) {
                repaint(child, theme);
            }
        }
        if (root instanceof javafx.scene.control.ScrollPane s && s.getContent() != null) {
            repaint(s.getContent(), theme);
        }
        if (root instanceof javafx.scene.control.SplitPane s) {
            s.getItems().forEach(n -> repaint(n, theme));
        }
    }
}
