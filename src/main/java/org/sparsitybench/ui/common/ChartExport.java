package org.sparsitybench.ui.common;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;
import org.sparsitybench.formats.AtomicFiles;

/**
 * Writes charts to PNG and SVG, atomically (a failed export leaves an existing file as it was). Works headless:
 * JFreeChart draws through Java2D, no window needed.
 */
public final class ChartExport {
    private ChartExport() {
    }

    /** The format a file name asks for. */
    public enum Format { PNG, SVG }

    /** The format of {@code file} by its extension (.png or .svg, any case). */
    public static Format formatOf(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".png")) {
            return Format.PNG;
        }
        if (n.endsWith(".svg")) {
            return Format.SVG;
        }
        throw new IllegalArgumentException(file + ": a chart exports to .png or .svg");
    }

    /** Writes {@code chart} (not modified) to {@code file} in the format its extension names. */
    public static void write(JFreeChart chart, int width, int height, Path file) throws IOException {
        if (formatOf(file) == Format.PNG) {
            png(chart, width, height, file);
        } else {
            svg(chart, width, height, file);
        }
    }

    /** A {@code width} × {@code height} PNG of {@code chart}. */
    public static void png(JFreeChart chart, int width, int height, Path file) throws IOException {
        check(width, height);
        AtomicFiles.writeStream(file, out -> ChartUtils.writeChartAsPNG(out, chart, width, height));
    }

    /** A {@code width} × {@code height} SVG of {@code chart}, text as text, UTF-8, without a DOCTYPE. */
    public static void svg(JFreeChart chart, int width, int height, Path file) throws IOException {
        check(width, height);
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        // No DOCTYPE: SVG needs none, and a DTD reference makes strict XML readers fetch it from the network.
        byte[] bytes = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + g.getSVGElement() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        AtomicFiles.writeStream(file, out -> out.write(bytes));
    }

    /** Writes an image the caller drew (several charts composed, a heatmap) as PNG. */
    public static void png(BufferedImage image, Path file) throws IOException {
        AtomicFiles.writeStream(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException(file + ": no PNG writer for this image type");
            }
        });
    }

    /** An RGB canvas with antialiased shapes and text, for composing charts. */
    public static BufferedImage canvas(int width, int height) {
        check(width, height);
        return new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    }

    /** A Graphics2D on {@code image} with antialiasing on. */
    public static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        return g;
    }

    private static void check(int width, int height) {
        if (width < 1 || height < 1 || (long) width * height > 100_000_000L) {
            throw new IllegalArgumentException("image of " + width + " × " + height + " pixels: need 1 to 100 million pixels");
        }
    }
}
