package org.sparsitybench.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.train.ImageSet;

/**
 * Reads scikit-learn's copy of the UCI 8×8 digits ({@code digits.csv.gz}): one image per line, 64 pixel values
 * 0–16 then the label 0–9, comma-separated, no header.
 */
final class DigitsCsv {
    static final int SIDE = 8;
    static final int MAX_VALUE = 16;

    private DigitsCsv() {
    }

    /** All images with raw pixel values 0–16. */
    static ImageSet read(Path file) throws IOException {
        List<int[]> rows = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(",");
                if (parts.length != SIDE * SIDE + 1) {
                    throw new ModelFormatException(file, "line " + lineNo, parts.length
                            + " values; expected 64 pixels and a label");
                }
                int[] v = new int[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    try {
                        v[i] = (int) Double.parseDouble(parts[i].trim());
                    } catch (NumberFormatException e) {
                        throw new ModelFormatException(file, "line " + lineNo, "value " + (i + 1) + " is not a number: "
                                + parts[i], e);
                    }
                    int max = i < SIDE * SIDE ? MAX_VALUE : 9;
                    if (v[i] < 0 || v[i] > max) {
                        throw new ModelFormatException(file, "line " + lineNo, "value " + (i + 1) + " is " + v[i]
                                + ", outside 0.." + max);
                    }
                }
                rows.add(v);
            }
        }
        float[] pixels = new float[rows.size() * SIDE * SIDE];
        int[] labels = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            int[] v = rows.get(i);
            for (int j = 0; j < SIDE * SIDE; j++) {
                pixels[i * SIDE * SIDE + j] = v[j];
            }
            labels[i] = v[SIDE * SIDE];
        }
        return new ImageSet(pixels, labels, rows.size(), SIDE, SIDE);
    }
}
