package org.sparsitybench.formats.idx;

/**
 * Consecutive images of an IDX data set with their labels.
 *
 * @param first  index of the first image in the file
 * @param count  images in this batch
 * @param rows   image height
 * @param cols   image width
 * @param pixels {@code count × rows × cols} raw pixel values (0–255 for unsigned bytes), image after image, row
 *               after row; not scaled
 * @param labels {@code count} class labels
 */
public record IdxBatch(int first, int count, int rows, int cols, float[] pixels, int[] labels) {
    public IdxBatch {
        if (pixels.length != (long) count * rows * cols || labels.length != count) {
            throw new IllegalArgumentException("batch of " + count + " images of " + rows + "×" + cols + " needs "
                    + (long) count * rows * cols + " pixels and " + count + " labels, got " + pixels.length
                    + " and " + labels.length);
        }
    }

    /** Values in one image: rows × cols. */
    public int imageSize() {
        return rows * cols;
    }
}
