package org.sparsitybench.ui.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.testing.Fixtures;
import org.sparsitybench.ui.common.ChartTheme;
import org.sparsitybench.ui.common.FxTaskExecutor;
import org.sparsitybench.ui.curves.CurvesViewModel;
import org.sparsitybench.ui.export.ChartExporter;
import org.sparsitybench.ui.export.ChartOptions;
import org.sparsitybench.ui.overview.OverviewViewModel;
import org.sparsitybench.ui.quantize.PrecisionSweepViewModel;

/**
 * Issue 18 item 12: exported charts come at the size and in the theme asked for (light for a paper whatever the
 * window shows), name the model in their title, and the distribution can be written for every layer.
 */
class ChartExportOptionsTest {
    private static final Path LENET5 = Fixtures.projectDir().resolve("sample-models/fashion-lenet5/model.onnx");

    private static List<ChartExporter> charts() {
        WorkbenchViewModel vm = new WorkbenchViewModel(FxTaskExecutor.direct(), null, Duration.ofMillis(50));
        vm.open(LENET5);
        vm.bar().setGlobalTarget(0.5);
        return WindowCharts.of(new WindowCharts.Panes(vm.modelProperty().get(), vm.frameProperty().get().result(),
                vm.distribution(), new OverviewViewModel(), new CurvesViewModel(), vm.sensitivity(),
                new PrecisionSweepViewModel(FxTaskExecutor.direct(), e -> { })));
    }

    private static ChartExporter named(List<ChartExporter> all, String start) {
        return all.stream().filter(c -> c.name().startsWith(start)).findFirst().orElseThrow(() -> new AssertionError(
                start + " not among " + all.stream().map(ChartExporter::name).toList()));
    }

    /** Mean of (r + g + b) / 3 over the image, 0 (black) to 255 (white). */
    static double meanBrightness(BufferedImage img) {
        long sum = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                sum += ((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff);
            }
        }
        return sum / 3.0 / img.getWidth() / img.getHeight();
    }

    @Test
    void aChartIsWrittenAtTheAskedSizeAndThemeWithTheModelInItsTitle(@TempDir Path dir) throws Exception {
        ChartExporter overview = named(charts(), "Overview chart");
        List<Path> light = overview.export(dir, "paper", new ChartOptions(640, 480, ChartTheme.LIGHT));
        BufferedImage img = ImageIO.read(light.get(0).toFile());
        assertEquals(640, img.getWidth());
        assertEquals(480, img.getHeight());
        assertTrue(meanBrightness(img) > 200, "light for a paper: " + meanBrightness(img));
        assertTrue(Files.readString(light.get(1)).contains("fashion-lenet5 — "), "the SVG's title names the model");

        List<Path> dark = overview.export(dir.resolve("dark"), "slides", new ChartOptions(800, 600, ChartTheme.DARK));
        assertTrue(meanBrightness(ImageIO.read(dark.get(0).toFile())) < 90, "dark when asked");
    }

    @Test
    void theDistributionIsWrittenForEveryLayer(@TempDir Path dir) throws Exception {
        List<Path> files = named(charts(), "Distribution of every layer").export(dir, "m", ChartOptions.DEFAULT);
        assertEquals(List.of("m-distribution-conv1-weight.png", "m-distribution-conv1-weight.svg",
                        "m-distribution-conv2-weight.png", "m-distribution-conv2-weight.svg",
                        "m-distribution-fc1-weight.png", "m-distribution-fc1-weight.svg",
                        "m-distribution-fc2-weight.png", "m-distribution-fc2-weight.svg",
                        "m-distribution-fc3-weight.png", "m-distribution-fc3-weight.svg"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        assertTrue(Files.readString(dir.resolve("m-distribution-fc2-weight.svg")).contains("fc2.weight"));
        for (Path p : files) {
            assertTrue(Files.size(p) > 1000, p.toString());
        }
    }

    @Test
    void emptyChartsExportLightNotBlack(@TempDir Path dir) throws Exception {
        List<ChartExporter> all = charts();
        for (String start : List.of("Accuracy vs compressed size", "Accuracy vs sparsity", "Overview")) {
            Path png = named(all, start).export(dir, "e", ChartOptions.DEFAULT).get(0);
            assertTrue(meanBrightness(ImageIO.read(png.toFile())) > 200, start);
        }
    }
}
