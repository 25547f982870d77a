package org.sparsitybench.ui.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.ui.common.ChartTheme;

/** Every view rendered headless from real measurements of the digits MLP, in both themes. */
class ViewRendererTest {
    @TempDir
    Path dir;

    @Test
    void measuringPrunesTheShownLayerAndMeasuresTheCurvesAndTheTable() throws Exception {
        ViewRenderer.Measured m = DigitsMeasurements.atHalf();
        assertEquals("digits-mlp", m.model());
        assertEquals(0.5, m.result().achievedSparsity(), 1e-3);
        assertTrue(Double.isFinite(m.threshold()), "magnitude pruning has a threshold");
        assertEquals(6, m.sweep().size(), "two methods at three levels");
        assertNotNull(m.current());
        assertTrue(m.current().latencyMs() > 0);
        assertEquals(m.result().layers().size(), m.sensitivity().size());
        long shown = m.histogram().kept()[0] + m.histogram().all()[0];
        assertTrue(shown > 0);
    }

    @Test
    void everyViewIsWrittenInBothThemesWithTheThemesBackground() throws Exception {
        ViewRenderer.Measured m = DigitsMeasurements.atHalf();
        List<Path> light = ViewRenderer.write(m, ChartTheme.LIGHT, dir);
        List<Path> dark = ViewRenderer.write(m, ChartTheme.DARK, dir);
        assertEquals(ViewRenderer.VIEWS.size(), light.size());
        for (int i = 0; i < light.size(); i++) {
            assertEquals(ViewRenderer.VIEWS.get(i) + "-light.png", light.get(i).getFileName().toString());
            BufferedImage l = ImageIO.read(light.get(i).toFile());
            BufferedImage d = ImageIO.read(dark.get(i).toFile());
            assertEquals(ViewRenderer.WIDTH, l.getWidth(), light.get(i).toString());
            assertTrue(l.getHeight() >= 400, light.get(i) + " height " + l.getHeight());
            assertEquals(ChartTheme.LIGHT.background().getRGB(), l.getRGB(2, 2), light.get(i).toString());
            assertEquals(ChartTheme.DARK.background().getRGB(), d.getRGB(2, 2), dark.get(i).toString());
        }
    }

    @Test
    void aModelWithoutCardOrDataStillRendersEveryViewAndMeasuresNothing() throws Exception {
        Path model = org.sparsitybench.testing.Fixtures.torch("cnn_bn.onnx");
        ViewRenderer.Measured m = ViewRenderer.measure(model, DigitsMeasurements.options(0.7), ProgressListener.NONE,
                CancellationToken.NONE);
        assertEquals(List.of(), m.sweep());
        assertEquals(null, m.current());
        assertEquals(List.of(), m.sensitivity());
        List<Path> files = ViewRenderer.write(m, ChartTheme.LIGHT, dir);
        assertEquals(ViewRenderer.VIEWS.size(), files.size());
        for (Path f : files) {
            assertEquals(ViewRenderer.WIDTH, ImageIO.read(f.toFile()).getWidth(), f.toString());
        }
    }

    @Test
    void theHeatmapPaintsPrunedCellsGreyerThanKeptOnes() {
        int kept = HeatmapImage.cellRgb(0.5f, 1f, 1f);
        int pruned = HeatmapImage.cellRgb(0.5f, 1f, 0f);
        assertTrue(saturation(kept) > 2 * saturation(pruned), Integer.toHexString(kept) + " vs " + Integer.toHexString(pruned));
    }

    @Test
    void aLayerTheModelLacksIsNamedWithTheOnesItHas() {
        ViewRenderer.Options base = DigitsMeasurements.options(0.5);
        ViewRenderer.Options o = new ViewRenderer.Options(0.5, "no.such.weight", base.limit(), 0, base.sweepMethods(),
                base.sweepLevels(), base.sensitivityLevels());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ViewRenderer.measure(DigitsMeasurements.model(), o, ProgressListener.NONE, CancellationToken.NONE));
        assertTrue(e.getMessage().contains("no.such.weight"), e.getMessage());
        assertFalse(e.getMessage().endsWith("[]"), e.getMessage());
    }

    private static int saturation(int rgb) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b));
    }
}
