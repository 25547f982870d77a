package org.sparsitybench.ui.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;
import org.sparsitybench.prune.stats.HeatmapGrid;
import org.sparsitybench.ui.common.ChartExport;
import org.sparsitybench.ui.common.ChartTheme;
import org.sparsitybench.ui.heatmap.Viridis;

/**
 * The heatmap view painted with Java2D (the view's canvas needs a running toolkit): mean |w| per cell in
 * viridis, each cell shaded toward grey by its pruned share exactly as the view does, a colour bar with its
 * range, a title and the grid's size.
 */
final class HeatmapImage {
    private HeatmapImage() {
    }

    /** The colour of one cell: viridis of {@code meanAbs / max}, mixed toward grey by the pruned share. */
    static int cellRgb(float meanAbs, float max, float keptFraction) {
        return Viridis.cellRgb(meanAbs, max, keptFraction);
    }

    static BufferedImage paint(String layer, HeatmapGrid g, ChartTheme theme, int width, int height) {
        BufferedImage img = ChartExport.canvas(width, height);
        Graphics2D gr = ChartExport.graphics(img);
        gr.setColor(theme.background());
        gr.fillRect(0, 0, width, height);
        Font title = ChartTheme.TITLE_FONT;
        Font label = ChartTheme.LABEL_FONT;
        gr.setFont(title);
        gr.setColor(theme.foreground());
        String heading = layer + ": mean |w| per cell, pruned share shaded grey";
        FontMetrics tm = gr.getFontMetrics();
        gr.drawString(heading, (width - tm.stringWidth(heading)) / 2, 24);
        int top = 40;
        int bottom = height - 40;
        int left = 20;
        int barWidth = 18;
        int right = width - 110;
        BufferedImage cells = new BufferedImage(g.gridCols(), g.gridRows(), BufferedImage.TYPE_INT_RGB);
        float max = g.maxMeanAbs();
        for (int r = 0; r < g.gridRows(); r++) {
            for (int c = 0; c < g.gridCols(); c++) {
                cells.setRGB(c, r, cellRgb(g.meanAbs(r, c), max, g.keptFraction(r, c)));
            }
        }
        // Fit as the view does: square cells, rows stretched up to 8× for very elongated matrices.
        double availW = right - left;
        double availH = bottom - top;
        double square = Math.min(availW / g.gridCols(), availH / g.gridRows());
        double aspect = Math.max(1, Math.min(8, availH / g.gridRows() / square * 0.9));
        double scale = Math.min(availW / g.gridCols(), availH / (g.gridRows() * aspect));
        int w = (int) Math.round(g.gridCols() * scale);
        int h = (int) Math.round(g.gridRows() * scale * aspect);
        int x0 = left + (int) ((availW - w) / 2);
        int y0 = top + (int) ((availH - h) / 2);
        gr.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        gr.drawImage(cells, x0, y0, w, h, null);
        gr.setColor(theme.muted());
        gr.drawRect(x0 - 1, y0 - 1, w + 1, h + 1);
        // Colour bar: max at the top, 0 at the bottom.
        int bx = right + 30;
        for (int y = top; y < bottom; y++) {
            double t = 1 - (double) (y - top) / Math.max(1, bottom - top - 1);
            gr.setColor(new Color(Viridis.argb(t) & 0xffffff));
            gr.fillRect(bx, y, barWidth, 1);
        }
        gr.setFont(label);
        gr.setColor(theme.foreground());
        gr.drawString(String.format(Locale.ROOT, "%.3g", g.maxMeanAbs()), bx, top - 4);
        gr.drawString("0", bx, bottom + 14);
        // What grey means: a fully pruned cell of small weights (as magnitude pruning leaves them), labelled.
        String pruned = "pruned cell";
        int sw = 14;
        FontMetrics lm = gr.getFontMetrics();
        int px = width - 20 - lm.stringWidth(pruned) - sw - 6;
        gr.setColor(new Color(cellRgb(0, max, 0)));
        gr.fillRect(px, height - 24, sw, sw);
        gr.setColor(theme.muted());
        gr.drawRect(px, height - 24, sw, sw);
        gr.setColor(theme.foreground());
        gr.drawString(pruned, px + sw + 6, height - 12);
        gr.setColor(theme.muted());
        gr.drawString(String.format(Locale.ROOT, "rows %,d (axis 0) × cols %,d in %d×%d cells", g.rows(), g.cols(),
                g.gridRows(), g.gridCols()), left, height - 12);
        gr.dispose();
        return img;
    }
}
