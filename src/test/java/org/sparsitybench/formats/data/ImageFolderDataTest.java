package org.sparsitybench.formats.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.model.ModelFormatException;

/** Image folders: one sub-folder per class, decoded batch by batch. */
class ImageFolderDataTest {
    @TempDir
    Path dir;

    private void gray(String cls, String name, int w, int h, int base) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, base + y * w + x);
            }
        }
        Files.createDirectories(dir.resolve(cls));
        ImageIO.write(img, "png", dir.resolve(cls).resolve(name).toFile());
    }

    @Test
    void classesAreSortedFolderNamesAndPixelsKeepTheirValues() throws Exception {
        gray("b-trouser", "1.png", 3, 2, 10);
        gray("a-shirt", "2.png", 3, 2, 20);
        gray("a-shirt", "1.png", 3, 2, 30);
        Files.writeString(dir.resolve("a-shirt").resolve("notes.txt"), "not an image");
        LabeledData d = Datasets.open(dir);
        assertEquals(3, d.count());
        assertArrayEquals(new long[] {2, 3}, d.sampleShape());
        try (LabeledData.Cursor c = d.batches(2)) {
            LabeledData.Batch first = c.next();
            assertArrayEquals(new int[] {0, 0}, first.labels());
            assertEquals(30f, first.values()[0], "a-shirt/1.png comes first");
            assertEquals(35f, first.values()[5]);
            assertEquals(20f, first.values()[6]);
            LabeledData.Batch second = c.next();
            assertArrayEquals(new int[] {1}, second.labels());
            assertEquals(2, second.first());
            assertNull(c.next());
        }
    }

    @Test
    void colourImagesAreChannelsFirst() throws Exception {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x102030);
        img.setRGB(1, 0, 0x405060);
        Files.createDirectories(dir.resolve("c"));
        ImageIO.write(img, "png", dir.resolve("c/x.png").toFile());
        LabeledData d = Datasets.open(dir);
        assertArrayEquals(new long[] {3, 1, 2}, d.sampleShape());
        try (LabeledData.Cursor c = d.batches(8)) {
            assertArrayEquals(new float[] {0x10, 0x40, 0x20, 0x50, 0x30, 0x60}, c.next().values());
        }
    }

    @Test
    void aCorruptOrMismatchedImageIsATypedErrorNamingIt() throws Exception {
        gray("a", "1.png", 3, 2, 0);
        gray("a", "2.png", 4, 2, 0);
        Files.write(dir.resolve("a/3.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        LabeledData d = Datasets.open(dir);
        ModelFormatException size = assertThrows(ModelFormatException.class, () -> {
            try (LabeledData.Cursor c = d.batches(1)) {
                while (c.next() != null) {
                    // read all
                }
            }
        });
        assertTrue(size.getMessage().contains("2.png") && size.getMessage().contains("record 1"), size.getMessage());
        Files.delete(dir.resolve("a/2.png"));
        ModelFormatException corrupt = assertThrows(ModelFormatException.class, () -> {
            try (LabeledData.Cursor c = Datasets.open(dir).batches(4)) {
                c.next();
            }
        });
        assertTrue(corrupt.getMessage().contains("3.png"), corrupt.getMessage());
    }
}
