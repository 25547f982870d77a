package org.sparsitybench.ui.distribution;

import java.util.List;
import java.util.Locale;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Insets;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.TilePane;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import org.sparsitybench.prune.stats.WeightHistogram;
import org.sparsitybench.ui.common.ChartTheme;

/**
 * Every layer's weight histogram side by side, small: all weights as a pale ghost, kept weights solid, in the
 * distribution chart's {@link ChartTheme} colours. For seeing at a glance which layers a global threshold empties. Each tile is
 * one canvas; the engine computes the histograms, this only paints them.
 */
public final class SmallMultiplesView extends ScrollPane {
    /** LayerHistogram size in pixels. */
    public static final double TILE_WIDTH = 200;
    public static final double TILE_HEIGHT = 118;

    private final ObjectProperty<List<LayerHistogram>> tiles = new SimpleObjectProperty<>(this, "tiles", List.of());
    private final BooleanProperty dark = new SimpleBooleanProperty(this, "dark", false);
    private final TilePane pane = new TilePane(8, 8);
    private java.util.function.Consumer<String> onSelect = name -> { };

    public SmallMultiplesView() {
        setId("smallMultiples");
        pane.setPadding(new Insets(8));
        pane.setPrefColumns(3);
        setContent(pane);
        setFitToWidth(true);
        tiles.addListener((o, a, b) -> rebuild());
        dark.addListener((o, a, b) -> rebuild());
    }

    public ObjectProperty<List<LayerHistogram>> tilesProperty() {
        return tiles;
    }

    /** What a click on a tile does with its layer's name (the window selects that layer). */
    public void setOnSelect(java.util.function.Consumer<String> action) {
        onSelect = action == null ? name -> { } : action;
    }

    public BooleanProperty darkProperty() {
        return dark;
    }

    /** The painted tiles, in layer order (for tests and export). */
    public List<Canvas> canvases() {
        return pane.getChildren().stream().filter(Canvas.class::isInstance).map(Canvas.class::cast).toList();
    }

    private void rebuild() {
        pane.getChildren().clear();
        for (LayerHistogram t : tiles.get()) {
            Canvas c = new Canvas(TILE_WIDTH, TILE_HEIGHT);
            paint(c.getGraphicsContext2D(), t);
            Tooltip.install(c, new Tooltip(String.format(Locale.ROOT, "%s: %,d of %,d weights kept (%.1f%% sparse)",
                    t.name(), t.histogram().keptTotal(), t.histogram().total(), 100 * t.achieved())
                    + "\nClick to select this layer."));
            c.setUserData(t.name());
            c.setCursor(javafx.scene.Cursor.HAND);
            c.setOnMouseClicked(e -> onSelect.accept(t.name()));
            pane.getChildren().add(c);
        }
    }

    private static double textWidth(String s, Font font) {
        javafx.scene.text.Text t = new javafx.scene.text.Text(s);
        t.setFont(font);
        return t.getLayoutBounds().getWidth();
    }

    /** {@code name}, or "…" and as much of its end as fits in {@code width}. */
    public static String fitFromEnd(String name, Font font, double width) {
        if (textWidth(name, font) <= width) {
            return name;
        }
        int lo = 0;
        int hi = name.length();
        while (lo < hi) { // the longest suffix that fits after the ellipsis
            int mid = (lo + hi + 1) >>> 1;
            if (textWidth("…" + name.substring(name.length() - mid), font) <= width) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return "…" + name.substring(name.length() - lo);
    }

    private void paint(GraphicsContext g, LayerHistogram t) {
        ChartTheme theme = dark.get() ? ChartTheme.DARK : ChartTheme.LIGHT;
        Color fg = ChartTheme.fx(theme.foreground());
        Color ghost = ChartTheme.fx(theme.ghost());
        Color kept = ChartTheme.fx(theme.accent());
        g.setFill(ChartTheme.fx(theme.background()));
        g.fillRect(0, 0, TILE_WIDTH, TILE_HEIGHT);
        g.setStroke(ChartTheme.fx(theme.grid()));
        g.strokeRect(0.5, 0.5, TILE_WIDTH - 1, TILE_HEIGHT - 1);
        Font font = Font.font(11);
        g.setFont(font);
        String percent = String.format(Locale.ROOT, "%.0f%%", 100 * t.achieved());
        double percentWidth = textWidth(percent, font);
        g.setFill(fg);
        // The name's end tells layers apart (…layers.7.mlp.up_proj.weight): drop its start until it fits
        // beside the percentage.
        g.fillText(fitFromEnd(t.name(), font, TILE_WIDTH - 6 - 6 - 8 - percentWidth), 6, 14);
        g.setFill(ChartTheme.fx(theme.muted()));
        g.fillText(percent, TILE_WIDTH - 6 - percentWidth, 14);
        WeightHistogram h = t.histogram();
        double x0 = 6;
        double y0 = 22;
        double w = TILE_WIDTH - 12;
        double hgt = TILE_HEIGHT - y0 - 6;
        long max = 1;
        for (long v : h.all()) {
            max = Math.max(max, v);
        }
        double bw = w / h.bins();
        for (int i = 0; i < h.bins(); i++) {
            double ha = hgt * h.all()[i] / max;
            double hk = hgt * h.kept()[i] / max;
            g.setFill(ghost);
            g.fillRect(x0 + i * bw, y0 + hgt - ha, Math.max(1, bw - 0.5), ha);
            g.setFill(kept);
            g.fillRect(x0 + i * bw, y0 + hgt - hk, Math.max(1, bw - 0.5), hk);
        }
    }
}
