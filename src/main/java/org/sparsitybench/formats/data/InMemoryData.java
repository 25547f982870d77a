package org.sparsitybench.formats.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.sparsitybench.model.ModelFormatException;

/**
 * A labelled set held in memory (raw values, as {@link LabeledData} gives them), for training: its samples are
 * visited in shuffled order many times. Built by {@link #load}; split into training and validation parts by
 * {@link #holdOut}.
 *
 * @param source      where the samples came from
 * @param role        what the set is for ("train", "validation", "test"), shown with every figure
 * @param values      count × sampleSize raw values, sample after sample
 * @param labels      count class indices
 * @param sampleShape one sample's shape
 */
public record InMemoryData(Path source, String role, float[] values, int[] labels, long[] sampleShape)
        implements LabeledData {
    public InMemoryData {
        sampleShape = sampleShape.clone();
        long size = 1;
        for (long d : sampleShape) {
            size *= d;
        }
        if ((long) labels.length * size != values.length) {
            throw new IllegalArgumentException(labels.length + " samples of " + size + " values need "
                    + labels.length * size + ", got " + values.length);
        }
    }

    /**
     * Reads at most {@code limit} samples of {@code data} into memory.
     *
     * @throws ModelFormatException naming the file when it has no samples or more than fit one array
     */
    public static InMemoryData load(LabeledData data, String role, int limit) throws IOException {
        int count = Math.min(limit, data.count());
        long total = (long) count * data.sampleSize();
        if (count == 0) {
            throw new ModelFormatException(data.source(), "", "no samples");
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(data.source(), "", count + " samples of " + data.sampleSize()
                    + " values do not fit in memory at once; use fewer");
        }
        float[] values = new float[(int) total];
        int[] labels = new int[count];
        int seen = 0;
        try (LabeledData.Cursor c = data.batches(1024)) {
            for (LabeledData.Batch b = c.next(); b != null && seen < count; b = c.next()) {
                int n = Math.min(b.count(), count - seen);
                System.arraycopy(b.values(), 0, values, seen * data.sampleSize(), n * data.sampleSize());
                System.arraycopy(b.labels(), 0, labels, seen, n);
                seen += n;
            }
        }
        if (seen < count) {
            throw new ModelFormatException(data.source(), "record " + seen, "ended early");
        }
        return new InMemoryData(data.source(), role, values, labels, data.sampleShape());
    }

    @Override
    public int count() {
        return labels.length;
    }

    @Override
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    /** The samples at {@code indices}, in that order (copied), with another role. */
    public InMemoryData select(int[] indices, String newRole) {
        int size = sampleSize();
        float[] v = new float[indices.length * size];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(values, indices[i] * size, v, i * size, size);
            l[i] = labels[indices[i]];
        }
        return new InMemoryData(source, newRole, v, l, sampleShape);
    }

    /**
     * A seeded split into a training part and a held-out validation part: the samples are shuffled with
     * {@code new Random(seed)} (Fisher–Yates), the first {@code round(fraction·count)} (at least 1) validate, the
     * rest train. The same seed and data give the same split.
     *
     * @param fraction share held out for validation, in (0, 1)
     * @return {train, validation}
     */
    public InMemoryData[] holdOut(double fraction, long seed) {
        int[] order = shuffled(seed);
        int held = held(fraction);
        return new InMemoryData[] {select(Arrays.copyOfRange(order, held, order.length), "train"),
                select(Arrays.copyOfRange(order, 0, held), "validation")};
    }

    /**
     * Only the validation part of {@link #holdOut}{@code (fraction, seed)} (the same samples in the same order),
     * without copying the training part: what chooses (sensitivity, calibration) reads it.
     */
    public InMemoryData validationPart(double fraction, long seed) {
        return select(Arrays.copyOf(shuffled(seed), held(fraction)), "validation");
    }

    /** Samples held out of {@code count()} for {@code fraction}: round(fraction·count), within [1, count − 1]. */
    private int held(double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation split " + fraction + " is not in (0, 1)");
        }
        if (count() < 2) {
            throw new IllegalArgumentException(source + ": one sample cannot be split into training and validation");
        }
        return (int) Math.max(1, Math.min(count() - 1, Math.round(fraction * count())));
    }

    /** 0 … count−1 shuffled by Fisher–Yates with {@code new Random(seed)}. */
    private int[] shuffled(long seed) {
        int[] order = new int[count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Random rng = new Random(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    @Override
    public Cursor batches(int batchSize) {
        int size = sampleSize();
        return new Cursor() {
            private int at;

            @Override
            public Batch next() {
                if (at >= count()) {
                    return null;
                }
                int n = Math.min(batchSize, count() - at);
                Batch b = new Batch(Arrays.copyOfRange(values, at * size, (at + n) * size),
                        Arrays.copyOfRange(labels, at, at + n), at);
                at += n;
                return b;
            }

            @Override
            public void close() {
                // Nothing to release: the samples stay in memory.
            }
        };
    }
}
