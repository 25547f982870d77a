package org.sparsitybench.ui.heatmap;

import java.util.Locale;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.geometry.Pos;
import javafx.scene.Group;
import javafx.geometry.Insets;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.image.PixelWriter;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Pane;
import javafx.scene.paint.Color;
import org.sparsitybench.prune.stats.HeatmapGrid;
import org.sparsitybench.ui.common.Styles;

/**
 * Paints the engine's {@link HeatmapGrid}: mean |w| in viridis, pruned weights shaded toward grey in proportion
 * to the cell's pruned share, a colour bar, zoom (wheel, +/−) and pan (drag, arrow keys), and a hover readout of
 * row, column, mean |w| and kept share. It computes nothing itself.
 */
public final class HeatmapView extends BorderPane {
    private final ObjectProperty<HeatmapGrid> grid = new SimpleObjectProperty<>(this, "grid");
    private final StringProperty layer = new SimpleStringProperty(this, "layer", "");
    private final StringProperty caption = new SimpleStringProperty(this, "caption", "mean |w| per cell");
    private final Label title = new Label(" ");
    private final Label rowAxis = new Label(" ");
    private final Label colAxis = new Label(" ");
    private final Canvas canvas = new Canvas();
    private final Canvas colorBar = new Canvas(18, 10);
    private final Label readout = new Label(" ");
    private final Label axes = new Label(" ");
    private final Label maxLabel = new Label(" ");
    private WritableImage image;
    /** Screen = (tx, ty) + scale · cell; fitted until the user zooms or pans. */
    private double tx;
    private double ty;
    private double scale = 1;
    private double aspect = 1;
    private boolean fitted = true;
    private double dragX;
    private double dragY;

    public HeatmapView() {
        getStyleClass().add(Styles.HEATMAP);
        getStylesheets().add(HeatmapView.class.getResource("heatmap.css").toExternalForm());
        setId("heatmapView");
        canvas.setId("heatmapCanvas");
        readout.setId("heatmapReadout");
        Pane holder = new Pane(canvas);
        holder.setMinSize(50, 50);
        canvas.widthProperty().bind(holder.widthProperty());
        canvas.heightProperty().bind(holder.heightProperty());
        canvas.widthProperty().addListener(o -> paint());
        canvas.heightProperty().addListener(o -> paint());
        BorderPane bar = new BorderPane(colorBar);
        bar.setPadding(new Insets(0, 0, 0, 6));
        maxLabel.getStyleClass().add(Styles.CAPTION);
        Label zero = new Label("0");
        zero.getStyleClass().add(Styles.CAPTION);
        bar.setTop(maxLabel);
        bar.setBottom(zero);
        colorBar.heightProperty().bind(holder.heightProperty().subtract(40));
        colorBar.heightProperty().addListener(o -> paintColorBar());
        setCenter(holder);
        setRight(bar);
        BorderPane bottom = new BorderPane();
        bottom.setLeft(readout);
        bottom.setRight(axes);
        readout.getStyleClass().add(Styles.CAPTION);
        axes.getStyleClass().add(Styles.CAPTION);
        colAxis.setId("heatmapColumnAxis");
        colAxis.getStyleClass().add(Styles.CAPTION);
        rowAxis.setId("heatmapRowAxis");
        rowAxis.getStyleClass().add(Styles.CAPTION);
        rowAxis.setRotate(-90);
        title.setId("heatmapTitle");
        title.setMaxWidth(Double.MAX_VALUE);
        title.setAlignment(Pos.CENTER);
        title.setTextOverrun(javafx.scene.control.OverrunStyle.LEADING_ELLIPSIS);
        BorderPane.setAlignment(colAxis, Pos.CENTER);
        bottom.setTop(colAxis);
        setBottom(bottom);
        setTop(title);
        // A rotated label inside a Group takes its rotated bounds, so the left column is as wide as the text is tall.
        Group rows = new Group(rowAxis);
        BorderPane.setAlignment(rows, Pos.CENTER);
        setLeft(rows);
        layer.addListener((o, a, b) -> {
            resetView();
            retitle();
        });
        caption.addListener(o -> retitle());
        Tooltip.install(canvas, new Tooltip("Mean |w| per cell; grey shows the pruned share. Wheel or +/- zooms, drag or arrows pan, 0 resets."));
        grid.addListener((o, a, b) -> {
            // Another layer, cell mode or model: a zoom into the old matrix would show an empty corner of the new.
            if (a == null || b == null || a.rows() != b.rows() || a.cols() != b.cols() || a.gridRows() != b.gridRows()
                    || a.gridCols() != b.gridCols()) {
                fitted = true;
            }
            rebuild();
        });
        canvas.setOnScroll(e -> zoomAt(e.getDeltaY() > 0 ? 1.25 : 0.8, e.getX(), e.getY()));
        canvas.setOnMousePressed(e -> {
            dragX = e.getX();
            dragY = e.getY();
            canvas.requestFocus();
            // The tab pane takes the focus on a press that reaches it, and then its arrow keys switch tabs.
            e.consume();
        });
        canvas.setOnMouseDragged(e -> {
            pan(e.getX() - dragX, e.getY() - dragY);
            dragX = e.getX();
            dragY = e.getY();
        });
        canvas.setOnMouseMoved(e -> hover(e.getX(), e.getY()));
        canvas.setFocusTraversable(true);
        canvas.setOnKeyPressed(e -> {
            KeyCode k = e.getCode();
            switch (k) {
                case PLUS, ADD, EQUALS -> zoomAt(1.25, canvas.getWidth() / 2, canvas.getHeight() / 2);
                case MINUS, SUBTRACT -> zoomAt(0.8, canvas.getWidth() / 2, canvas.getHeight() / 2);
                case LEFT -> pan(40, 0);
                case RIGHT -> pan(-40, 0);
                case UP -> pan(0, 40);
                case DOWN -> pan(0, -40);
                case DIGIT0, NUMPAD0 -> resetView();
                default -> {
                    return;
                }
            }
            e.consume();
        });
    }

    public ObjectProperty<HeatmapGrid> gridProperty() {
        return grid;
    }

    /** The shown tensor's name, for the title; a new name resets zoom and pan. */
    public StringProperty layerProperty() {
        return layer;
    }

    /** What a cell's colour is and of which weights (mask only or reconstructed), for the title. */
    public StringProperty captionProperty() {
        return caption;
    }

    /** Whether the whole matrix is shown (no zoom or pan in force). */
    public boolean isFitted() {
        return fitted;
    }

    /** Screen pixels per cell column now. */
    public double zoom() {
        fit();
        return scale;
    }

    /** Horizontal and vertical offset of the matrix on the canvas now, in pixels. */
    public double[] offset() {
        fit();
        return new double[] {tx, ty};
    }

    private void retitle() {
        String name = layer.get() == null || layer.get().isEmpty() ? "" : layer.get() + ": ";
        title.setText(grid.get() == null ? " " : name + caption.get() + ", pruned share in light grey");
    }

    /** The painted image (for tests and PNG export). */
    public WritableImage image() {
        return image;
    }

    public Canvas canvas() {
        return canvas;
    }

    public void resetView() {
        fitted = true;
        paint();
    }

    private void pan(double dx, double dy) {
        fit();
        fitted = false;
        tx += dx;
        ty += dy;
        paint();
    }

    private void zoomAt(double factor, double x, double y) {
        if (image == null) {
            return;
        }
        fit();
        double min = fitScale() * 0.5;
        double s = Math.max(min, Math.min(min * 64, scale * factor));
        double f = s / scale;
        tx = x - (x - tx) * f;
        ty = y - (y - ty) * f;
        scale = s;
        fitted = false;
        paint();
    }

    private double fitScale() {
        return Math.min(canvas.getWidth() / image.getWidth(), canvas.getHeight() / (image.getHeight() * aspect));
    }

    /**
     * While fitted, the image fills the canvas, centred. Cells stay square unless the matrix is very elongated
     * (a 5×216 classifier), when rows are stretched up to 8× so the pattern stays readable.
     */
    private void fit() {
        if (fitted && image != null) {
            double square = Math.min(canvas.getWidth() / image.getWidth(), canvas.getHeight() / image.getHeight());
            double fill = canvas.getHeight() / image.getHeight();
            aspect = Math.max(1, Math.min(8, fill / square * 0.9));
            scale = fitScale();
            tx = (canvas.getWidth() - image.getWidth() * scale) / 2;
            ty = (canvas.getHeight() - image.getHeight() * scale * aspect) / 2;
        }
    }

    private void rebuild() {
        HeatmapGrid g = grid.get();
        if (g == null) {
            image = null;
            axes.setText(" ");
            rowAxis.setText(" ");
            colAxis.setText(" ");
            retitle();
            paint();
            return;
        }
        image = new WritableImage(g.gridCols(), g.gridRows());
        PixelWriter w = image.getPixelWriter();
        float max = g.maxMeanAbs() > 0 ? g.maxMeanAbs() : 1;
        for (int r = 0; r < g.gridRows(); r++) {
            for (int c = 0; c < g.gridCols(); c++) {
                w.setArgb(c, r, 0xff000000 | Viridis.cellRgb(g.meanAbs(r, c), max, g.keptFraction(r, c)));
            }
        }
        axes.setText(String.format(Locale.ROOT, "rows %,d (axis 0) × cols %,d in %d×%d cells", g.rows(), g.cols(),
                g.gridRows(), g.gridCols()));
        maxLabel.setText(String.format(Locale.ROOT, "%.3g", g.maxMeanAbs()));
        rowAxis.setText(String.format(Locale.ROOT, "← rows 0 … %,d (output)", g.rows() - 1));
        colAxis.setText(String.format(Locale.ROOT, "columns 0 … %,d (input) →", g.cols() - 1));
        retitle();
        paint();
        paintColorBar();
    }

    /** Where the image lies on the canvas: x, y, width, height. */
    private double[] placement() {
        fit();
        return new double[] {tx, ty, image.getWidth() * scale, image.getHeight() * scale * aspect};
    }

    private void paint() {
        GraphicsContext gc = canvas.getGraphicsContext2D();
        gc.setImageSmoothing(false);
        gc.clearRect(0, 0, canvas.getWidth(), canvas.getHeight());
        if (image == null || canvas.getWidth() <= 0 || canvas.getHeight() <= 0) {
            return;
        }
        double[] p = placement();
        gc.drawImage(image, p[0], p[1], p[2], p[3]);
    }

    private void paintColorBar() {
        GraphicsContext gc = colorBar.getGraphicsContext2D();
        double h = colorBar.getHeight();
        gc.clearRect(0, 0, colorBar.getWidth(), h);
        for (int y = 0; y < h; y++) {
            int argb = Viridis.argb(1 - y / Math.max(1, h - 1));
            gc.setFill(Color.rgb((argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff));
            gc.fillRect(0, y, colorBar.getWidth(), 1);
        }
        HeatmapGrid g = grid.get();
        Tooltip.install(colorBar, new Tooltip(g == null ? quantity() : String.format(Locale.ROOT,
                "%s from 0 (bottom) to %.4g (top)", quantity(), g.maxMeanAbs())));
    }

    /** What a cell's colour measures, for the readout and colour bar: "mean |w|" or "mean |Ŵ − W|". */
    private String quantity() {
        return caption.get().startsWith("mean |Ŵ − W|") ? "mean |Ŵ − W|" : "mean |w|";
    }

    private void hover(double x, double y) {
        HeatmapGrid g = grid.get();
        if (g == null || image == null) {
            return;
        }
        double[] p = placement();
        int c = (int) Math.floor((x - p[0]) / p[2] * g.gridCols());
        int r = (int) Math.floor((y - p[1]) / p[3] * g.gridRows());
        if (r < 0 || c < 0 || r >= g.gridRows() || c >= g.gridCols()) {
            readout.setText(" ");
            return;
        }
        long row0 = (long) Math.ceil((double) r * g.rows() / g.gridRows());
        long col0 = (long) Math.ceil((double) c * g.cols() / g.gridCols());
        readout.setText(String.format(Locale.ROOT, "row %,d  col %,d  %s %.4g  kept %.0f%%", row0, col0, quantity(),
                g.meanAbs(r, c), 100.0 * g.keptFraction(r, c)));
    }
}
