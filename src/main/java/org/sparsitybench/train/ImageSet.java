package org.sparsitybench.train;

/**
 * Grayscale images with class labels, held in memory.
 *
 * @param values {@code count × rows × cols} pixel values, image after image (raw or normalised)
 * @param labels {@code count} class indices
 */
public record ImageSet(float[] values, int[] labels, int count, int rows, int cols) {
    public ImageSet {
        if (values.length != (long) count * rows * cols || labels.length != count) {
            throw new IllegalArgumentException(count + " images of " + rows + "×" + cols + ": got "
                    + values.length + " values and " + labels.length + " labels");
        }
    }

    public int imageSize() {
        return rows * cols;
    }

    /** The images at {@code indices}, in that order (copied). */
    public ImageSet select(int[] indices) {
        int size = imageSize();
        float[] v = new float[indices.length * size];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(values, indices[i] * size, v, i * size, size);
            l[i] = labels[indices[i]];
        }
        return new ImageSet(v, l, indices.length, rows, cols);
    }

    /** A copy normalised with {@code p}. */
    public ImageSet normalised(Preprocessing p) {
        float[] v = values.clone();
        p.applyInPlace(v);
        return new ImageSet(v, labels, count, rows, cols);
    }
}
