package org.sparsitybench.prune.stats;

import java.nio.FloatBuffer;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.select.Parts;
import org.sparsitybench.task.CancellationToken;

/**
 * A tensor seen as a matrix {@code [rows = dim 0, cols = product of the other dims]} (a Conv kernel
 * {@code [out, in·kh·kw]}), reduced to at most {@code gridRows × gridCols} cells: each cell holds the mean
 * |w| and the kept fraction of the weights it covers. Cells split rows and columns as evenly as integers allow;
 * with {@code gridCols = in} a Conv kernel is one cell per (out, in) kernel.
 *
 * @param rows       matrix rows
 * @param cols       matrix columns
 * @param gridRows   cell rows
 * @param gridCols   cell columns
 * @param meanAbs    mean |w| per cell, row-major (NaN/Inf weights skipped)
 * @param keptFraction kept weights / weights per cell, row-major
 * @param maxMeanAbs largest cell mean, for the colour scale
 */
public record HeatmapGrid(long rows, long cols, int gridRows, int gridCols, float[] meanAbs, float[] keptFraction,
                          float maxMeanAbs) {
    /**
     * One pass over {@code data} (not modified), split over the engine's worker threads by cell rows.
     *
     * @param mask kept weights (not modified); null = all kept
     */
    public static HeatmapGrid of(TensorData data, long[] shape, Mask mask, int maxRows, int maxCols,
                                 CancellationToken cancel) {
        if (maxRows < 1 || maxCols < 1) {
            throw new IllegalArgumentException("grid " + maxRows + "×" + maxCols + " must be at least 1×1");
        }
        long rows = shape.length == 0 ? 1 : shape[0];
        long cols = rows == 0 ? 0 : data.elementCount() / Math.max(1, rows);
        if (rows * cols != data.elementCount()) {
            throw new IllegalArgumentException("shape does not match " + data.elementCount() + " elements");
        }
        int gr = (int) Math.max(1, Math.min(maxRows, rows));
        int gc = (int) Math.max(1, Math.min(maxCols, cols));
        int cells = gr * gc;
        double[] sum = new double[cells];
        long[] count = new long[cells];
        long[] kept = new long[cells];
        BitMask bits = mask == null ? null : mask.toBitMask();
        // Column c of the matrix falls in cell column colCell(c); cell column j covers [colStart[j], colStart[j+1]).
        long[] colStart = new long[gc + 1];
        for (int j = 0; j <= gc; j++) {
            colStart[j] = (j * cols + gc - 1) / gc;
        }
        int parts = data.elementCount() >= Parts.PARALLEL_MIN ? Math.min(Parts.MAX_PARTS, gr) : 1;
        Parts.run(parts, p -> {
            int cellRowFrom = gr * p / parts;
            int cellRowTo = gr * (p + 1) / parts;
            long rowFrom = firstRow(cellRowFrom, gr, rows);
            long rowTo = firstRow(cellRowTo, gr, rows);
            float[] chunk = new float[(int) Math.min(1 << 16, Math.max(1, cols))];
            if (cols > 0 && cols <= chunk.length && cols % gc == 0) {
                evenCells(data, bits, cols, rows, gr, gc, rowFrom, rowTo, chunk, sum, count, kept, cancel);
                return;
            }
            for (long r = rowFrom; r < rowTo; r++) {
                cancel.throwIfCancelled();
                int base = (int) (r * gr / rows) * gc;
                int j = 0;
                for (long c0 = 0; c0 < cols; c0 += chunk.length) {
                    int len = (int) Math.min(chunk.length, cols - c0);
                    long first = r * cols + c0;
                    data.readFloats(first, FloatBuffer.wrap(chunk, 0, len));
                    // Walk the chunk cell by cell: a tight sum per block, one bit count per block.
                    int i = 0;
                    while (i < len) {
                        while (colStart[j + 1] <= c0 + i) {
                            j++;
                        }
                        int end = (int) Math.min(len, colStart[j + 1] - c0);
                        float s = 0f;
                        for (int q = i; q < end; q++) {
                            float v = Math.abs(chunk[q]);
                            if (v < Float.POSITIVE_INFINITY) {
                                s += v;
                            }
                        }
                        int cell = base + j;
                        sum[cell] += s;
                        count[cell] += end - i;
                        kept[cell] += bits == null ? end - i : countKept(bits, first + i, first + end);
                        i = end;
                    }
                }
            }
        });
        float[] mean = new float[cells];
        float[] frac = new float[cells];
        float max = 0f;
        for (int i = 0; i < cells; i++) {
            mean[i] = count[i] == 0 ? 0f : (float) (sum[i] / count[i]);
            frac[i] = count[i] == 0 ? 1f : (float) kept[i] / count[i];
            max = Math.max(max, mean[i]);
        }
        return new HeatmapGrid(rows, cols, gr, gc, mean, frac, max);
    }

    /**
     * The common case of cells of equal width {@code bw = cols / gc} over rows that fit one chunk: per row one
     * read, then per cell a sum over four independent accumulators (a single chain of dependent float adds is
     * what bounds the general loop) and the kept bits counted straight from the mask's words.
     */
    private static void evenCells(TensorData data, BitMask bits, long cols, long rows, int gr, int gc, long rowFrom,
                                  long rowTo, float[] chunk, double[] sum, long[] count, long[] kept,
                                  CancellationToken cancel) {
        int n = (int) cols;
        int bw = n / gc;
        for (long r = rowFrom; r < rowTo; r++) {
            cancel.throwIfCancelled();
            int base = (int) (r * gr / rows) * gc;
            long first = r * cols;
            data.readFloats(first, FloatBuffer.wrap(chunk, 0, n));
            for (int j = 0, q = 0; j < gc; j++) {
                int end = q + bw;
                float s0 = 0f;
                float s1 = 0f;
                for (; q + 7 < end; q += 8) {
                    s0 += (finiteAbs(chunk[q]) + finiteAbs(chunk[q + 1])) + (finiteAbs(chunk[q + 2]) + finiteAbs(chunk[q + 3]));
                    s1 += (finiteAbs(chunk[q + 4]) + finiteAbs(chunk[q + 5])) + (finiteAbs(chunk[q + 6]) + finiteAbs(chunk[q + 7]));
                }
                for (; q < end; q++) {
                    s0 += finiteAbs(chunk[q]);
                }
                sum[base + j] += s0 + s1;
                count[base + j] += bw;
            }
            if (bits == null) {
                for (int j = 0; j < gc; j++) {
                    kept[base + j] += bw;
                }
            } else {
                for (int j = 0; j < gc; j++) {
                    long from = first + (long) j * bw;
                    int lo = (int) (from & 63);
                    kept[base + j] += lo + bw <= 64
                            ? Long.bitCount((bits.word((int) (from >>> 6)) >>> lo) & (bw == 64 ? -1L : (1L << bw) - 1))
                            : countKept(bits, from, from + bw);
                }
            }
        }
    }

    /** |v| for a finite v, 0 for NaN and ±Inf (skipped by the means). */
    private static float finiteAbs(float v) {
        float a = Math.abs(v);
        return a < Float.POSITIVE_INFINITY ? a : 0f;
    }

    /** Kept elements in [from, to) of a bit mask, counted a word at a time. */
    static long countKept(BitMask bits, long from, long to) {
        long n = 0;
        long at = from;
        while (at < to) {
            int w = (int) (at >>> 6);
            int lo = (int) (at & 63);
            int hi = (int) Math.min(64, lo + (to - at));
            long word = bits.word(w) >>> lo;
            if (hi - lo < 64) {
                word &= (1L << (hi - lo)) - 1;
            }
            n += Long.bitCount(word);
            at += hi - lo;
        }
        return n;
    }

    /** First matrix row whose cell row is {@code cellRow}: ceil(cellRow·rows/gridRows). */
    private static long firstRow(int cellRow, int gridRows, long rows) {
        return (cellRow * rows + gridRows - 1) / gridRows;
    }

    public float meanAbs(int row, int col) {
        return meanAbs[row * gridCols + col];
    }

    public float keptFraction(int row, int col) {
        return keptFraction[row * gridCols + col];
    }
}
