package org.sparsitybench.formats.idx;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.sparsitybench.formats.AtomicFiles;

/**
 * Writes IDX files of unsigned bytes, gzip-compressed when the name ends in {@code .gz} (with a zero timestamp,
 * so the same data gives the same bytes). Files are written atomically.
 */
public final class IdxWriter {
    private IdxWriter() {
    }

    /**
     * Writes an images file (rank 3).
     *
     * @param file   target, {@code .gz} for compressed (replaced atomically)
     * @param pixels {@code count × rows × cols} values 0–255, image after image (not modified)
     * @throws IllegalArgumentException when the pixel count does not match the dimensions
     */
    public static void writeImages(Path file, byte[] pixels, int count, int rows, int cols) throws IOException {
        if (count < 0 || rows <= 0 || cols <= 0 || (long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException(count + " images of " + rows + "×" + cols + " need "
                    + (long) count * rows * cols + " pixels, got " + pixels.length);
        }
        write(file, new int[] {count, rows, cols}, pixels);
    }

    /**
     * Writes a labels file (rank 1) of unsigned bytes.
     *
     * @param labels one value 0–255 per image (not modified)
     */
    public static void writeLabels(Path file, byte[] labels) throws IOException {
        write(file, new int[] {labels.length}, labels);
    }

    /** Writes any unsigned-byte IDX file: header for {@code dims}, then {@code data} as it is. */
    public static void write(Path file, int[] dims, byte[] data) throws IOException {
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d);
            }
            n *= d;
        }
        if (n != data.length || dims.length == 0 || dims.length > 255) {
            throw new IllegalArgumentException("dimensions need " + n + " values, got " + data.length);
        }
        boolean gzip = file.getFileName().toString().endsWith(".gz");
        AtomicFiles.writeStream(file, os -> {
            OutputStream target = gzip ? new GZIPOutputStream(os, 1 << 16) : os;
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(target, 1 << 16));
            out.writeInt((IdxHeader.UBYTE << 8) | dims.length);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
            out.flush();
            if (target instanceof GZIPOutputStream g) {
                g.finish();
            }
        });
    }
}
