package org.sparsitybench.ui.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jfree.chart.JFreeChart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.ui.curves.CurvePoint;
import org.sparsitybench.ui.curves.CurveKind;
import org.sparsitybench.ui.curves.CurveSeries;
import org.sparsitybench.ui.curves.CurvesCharts;
import org.sparsitybench.ui.curves.CurvesViewModel;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Charts exported to PNG and SVG, read back with ImageIO and an XML parser. */
class ChartExportTest {
    @TempDir
    Path dir;

    private static JFreeChart chart(ChartTheme theme) {
        CurvesViewModel vm = new CurvesViewModel();
        vm.setSeries(List.of(new CurveSeries("magnitude / uniform", List.of(new CurvePoint(0, 0.9, 0.3, 1),
                new CurvePoint(0.5, 0.85, 0.4, 1), new CurvePoint(0.9, 0.3, 2.0, 1)))));
        return CurvesCharts.chart(CurveKind.ACCURACY_VS_SPARSITY, vm, theme);
    }

    @Test
    void aPngHasTheAskedSizeAndTheThemesBackground() throws Exception {
        Path light = dir.resolve("light.png");
        Path dark = dir.resolve("dark.png");
        ChartExport.write(chart(ChartTheme.LIGHT), 640, 400, light);
        ChartExport.write(chart(ChartTheme.DARK), 640, 400, dark);
        BufferedImage l = ImageIO.read(light.toFile());
        BufferedImage d = ImageIO.read(dark.toFile());
        assertEquals(640, l.getWidth());
        assertEquals(400, l.getHeight());
        assertEquals(ChartTheme.LIGHT.background().getRGB(), l.getRGB(1, 1));
        assertEquals(ChartTheme.DARK.background().getRGB(), d.getRGB(1, 1));
        assertTrue(distinctColours(l) > 20, "the chart drew lines and text, not an empty canvas");
    }

    @Test
    void anSvgIsWellFormedXmlWithTheSizeAndTheTitleAsText() throws Exception {
        Path svg = dir.resolve("chart.SVG");
        ChartExport.write(chart(ChartTheme.LIGHT), 800, 500, svg);
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        // Readable offline and safely: no DOCTYPE allowed, nothing fetched.
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = f.newDocumentBuilder().parse(svg.toFile());
        Element root = doc.getDocumentElement();
        assertEquals("svg", root.getLocalName());
        assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI());
        assertEquals(800, Double.parseDouble(root.getAttribute("width").replace("px", "")));
        assertEquals(500, Double.parseDouble(root.getAttribute("height").replace("px", "")));
        String text = root.getTextContent();
        assertTrue(text.contains(CurveKind.ACCURACY_VS_SPARSITY.title()), "title as text");
        assertTrue(text.contains("magnitude / uniform"), "legend as text");
        assertTrue(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "path").getLength() > 3, "the curve and axes");
    }

    @Test
    void aFailedExportLeavesTheExistingFileAndNoTemporaryFile() throws Exception {
        Path png = dir.resolve("keep.png");
        byte[] before = {1, 2, 3};
        Files.write(png, before);
        assertThrows(IllegalArgumentException.class, () -> ChartExport.write(chart(ChartTheme.LIGHT), 0, 400, png));
        assertArrayEquals(before, Files.readAllBytes(png));
        assertThrows(IllegalArgumentException.class, () -> ChartExport.write(chart(ChartTheme.LIGHT), 10, 10,
                dir.resolve("chart.jpg")));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(png), files.toList());
        }
    }

    private static int distinctColours(BufferedImage img) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                seen.add(img.getRGB(x, y));
            }
        }
        return seen.size();
    }
}
