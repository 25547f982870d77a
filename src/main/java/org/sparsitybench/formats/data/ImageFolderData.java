package org.sparsitybench.formats.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.sparsitybench.model.ModelFormatException;

/**
 * A folder with one sub-folder per class (class index = position of the sub-folder name in sorted order), PNG,
 * JPEG or BMP images inside. Grayscale images give samples of shape [H, W]; colour images [3, H, W] (RGB,
 * channels first). Images are decoded batch by batch; every image must have the first image's size and kind.
 */
public final class ImageFolderData implements LabeledData {
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp");

    private final Path folder;
    private final List<Path> files;
    private final int[] labels;
    private final List<String> classes;
    private final long[] shape;

    private ImageFolderData(Path folder, List<Path> files, int[] labels, List<String> classes, long[] shape) {
        this.folder = folder;
        this.files = files;
        this.labels = labels;
        this.classes = classes;
        this.shape = shape;
    }

    /** Lists the classes and images, and reads the first image for the sample shape. */
    public static ImageFolderData open(Path folder) throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(folder)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        if (dirs.isEmpty()) {
            throw new ModelFormatException(folder, "", "no class sub-folders: expected one folder of images per class");
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < dirs.size(); c++) {
            classes.add(dirs.get(c).getFileName().toString());
            try (Stream<Path> s = Files.list(dirs.get(c))) {
                for (Path f : s.filter(Files::isRegularFile).filter(ImageFolderData::isImage).sorted().toList()) {
                    files.add(f);
                    labels.add(c);
                }
            }
        }
        if (files.isEmpty()) {
            throw new ModelFormatException(folder, "", "no PNG, JPEG or BMP images in its class folders");
        }
        BufferedImage first = decode(files.get(0), 0);
        long[] shape = gray(first) ? new long[] {first.getHeight(), first.getWidth()}
                : new long[] {3, first.getHeight(), first.getWidth()};
        return new ImageFolderData(folder, List.copyOf(files), labels.stream().mapToInt(Integer::intValue).toArray(),
                List.copyOf(classes), shape);
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    private static boolean gray(BufferedImage img) {
        return img.getColorModel().getNumColorComponents() == 1;
    }

    private static BufferedImage decode(Path file, int record) throws ModelFormatException {
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new ModelFormatException(file, "record " + record, "not a readable PNG, JPEG or BMP image");
            }
            return img;
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(file, "record " + record, "cannot decode the image: " + e.getMessage(), e);
        }
    }

    /** Class names in label order. */
    public List<String> classes() {
        return classes;
    }

    @Override
    public Path source() {
        return folder;
    }

    @Override
    public int count() {
        return files.size();
    }

    @Override
    public long[] sampleShape() {
        return shape.clone();
    }

    @Override
    public Cursor batches(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize + " < 1");
        }
        return new Cursor() {
            private int at;

            @Override
            public Batch next() throws IOException {
                if (at >= files.size()) {
                    return null;
                }
                int n = Math.min(batchSize, files.size() - at);
                int size = sampleSize();
                float[] v = new float[n * size];
                for (int i = 0; i < n; i++) {
                    int record = at + i;
                    BufferedImage img = decode(files.get(record), record);
                    int h = (int) shape[shape.length - 2];
                    int w = (int) shape[shape.length - 1];
                    if (img.getHeight() != h || img.getWidth() != w || gray(img) != (shape.length == 2)) {
                        throw new ModelFormatException(files.get(record), "record " + record, "image is "
                                + img.getWidth() + "×" + img.getHeight() + (gray(img) ? " grayscale" : " colour")
                                + ", the set's first image is " + w + "×" + h + (shape.length == 2 ? " grayscale" : " colour"));
                    }
                    int base = i * size;
                    if (shape.length == 2) {
                        Raster r = img.getRaster();
                        for (int y = 0; y < h; y++) {
                            for (int x = 0; x < w; x++) {
                                v[base + y * w + x] = r.getSample(x, y, 0);
                            }
                        }
                    } else {
                        for (int y = 0; y < h; y++) {
                            for (int x = 0; x < w; x++) {
                                int rgb = img.getRGB(x, y);
                                v[base + y * w + x] = (rgb >> 16) & 0xff;
                                v[base + h * w + y * w + x] = (rgb >> 8) & 0xff;
                                v[base + 2 * h * w + y * w + x] = rgb & 0xff;
                            }
                        }
                    }
                }
                Batch b = new Batch(v, java.util.Arrays.copyOfRange(labels, at, at + n), at);
                at += n;
                return b;
            }

            @Override
            public void close() {
            }
        };
    }
}
