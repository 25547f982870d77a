package org.sparsitybench.prune.select;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.ScoreFunction;
import org.sparsitybench.task.CancellationToken;

/**
 * Level 1 of the exact selector: how many of a tensor's scores fall in each of the 65,536 bins given by the top
 * 16 bits of their bit patterns, with the sum of the <em>weights'</em> squares in each bin:
 * <pre>
 *   count[b]      = #{ i : score_i &gt;&gt;&gt; 16 == b }
 *   sumSquares[b] = Σ { (double) w_i² : score_i &gt;&gt;&gt; 16 == b, w_i finite }
 * </pre>
 * For |w| scores a bin spans a relative width of 2<sup>-7</sup>. Built in one chunked pass, split into
 * {@link Parts} that run in parallel and are merged in part order, so the result is the same on any machine.
 * Only non-empty bins are stored (typically a few thousand), plus each part's counts, which the
 * {@link ExactSelector} needs to split ties between parts. Immutable; independent of any sparsity, so the engine
 * caches one per tensor and score function.
 *
 * <p>For |w| over BF16 and FP16 tensors in buffers the pass counts the raw 16-bit patterns (see {@link HalfBits})
 * instead of decoding floats. Such a tensor has at most 2<sup>15</sup> distinct scores, so the histogram also keeps
 * the count of every distinct score per part ({@link #hasValueCounts()}): the level 2 of any bin is then known
 * without reading the weights again. The sums of squares are the same doubles as the decoding pass gives: all
 * weights of one bin are multiples of one power of two whose squares have at most 22 significant bits, so for
 * fewer than 2<sup>31</sup> elements every partial sum is exact, in any order.
 */
public final class ScoreHistogram {
    /** Number of level-1 bins: one per value of the top 16 score bits. */
    public static final int BINS = 1 << 16;

    private static final long LANES = 0x0000000100000001L;
    private static final long ABS = 0x7fffffffL * LANES;
    private static final long TOP0 = 0x80000000L;
    private static final long TOPS = TOP0 * LANES;

    /** Most elements one part of {@link #buildMarking} gathers (8 bytes each). */
    static final int GATHER_LIMIT = 1 << 20;

    /** First bin of non-finite scores ({@code +Inf} and NaN). */
    public static final int FIRST_NON_FINITE_BIN = ScoreFunction.INF_BITS >>> 16;

    private final long size;
    private final long[] partStart;
    private final int[] bins;
    private final long[] counts;
    private final double[] sumSquares;
    private final long[] cumulative;
    private final long[][] partCounts;
    private final double totalSumSquares;
    private final String scoreKey;
    private final boolean magnitude;
    private final int[] values;
    /** Per part, per distinct value: a part of a raw-pattern tensor holds fewer than 2^31 elements (an int each). */
    private final int[][] partValueCounts;

    private ScoreHistogram(long size, long[] partStart, int[] bins, long[] counts, double[] sumSquares,
                           long[][] partCounts, String scoreKey, boolean magnitude, int[] values,
                           int[][] partValueCounts) {
        this.values = values;
        this.partValueCounts = partValueCounts;
        this.size = size;
        this.partStart = partStart;
        this.bins = bins;
        this.counts = counts;
        this.sumSquares = sumSquares;
        this.partCounts = partCounts;
        this.scoreKey = scoreKey;
        this.magnitude = magnitude;
        this.cumulative = new long[bins.length + 1];
        double total = 0;
        for (int j = 0; j < bins.length; j++) {
            cumulative[j + 1] = cumulative[j] + counts[j];
            total += sumSquares[j];
        }
        this.totalSumSquares = total;
    }

    /**
     * Builds the histogram of {@code score} over {@code data} in one pass (data not modified).
     *
     * @throws org.sparsitybench.task.CancelledException if cancelled
     */
    public static ScoreHistogram build(TensorData data, ScoreFunction score, CancellationToken cancel) {
        long n = data.elementCount();
        if (score.isMagnitude() && n <= Integer.MAX_VALUE) {
            HalfBits raw = HalfBits.of(data);
            if (raw != null) {
                return buildFromPatterns(n, raw, score, cancel);
            }
        }
        long[] bounds = Parts.boundaries(n);
        int parts = bounds.length - 1;
        // Count and sum of squares side by side, so one element touches one cache line.
        double[][] partHist = new double[parts][];
        Parts.run(parts, p -> {
            double[] h = new double[2 * BINS];
            ChunkScan.scan(data, score, bounds[p], bounds[p + 1], cancel, (first, w, bits, len) -> {
                if (bits == null) {
                    // |w| scores: non-finite weights land in the non-finite bins, whose sums are dropped below.
                    for (int i = 0; i < len; i++) {
                        int at = (ScoreFunction.magnitudeBits(w[i]) >>> 16) << 1;
                        h[at] += 1.0;
                        h[at + 1] += (double) w[i] * w[i];
                    }
                } else {
                    for (int i = 0; i < len; i++) {
                        int at = (bits[i] >>> 16) << 1;
                        double sq = (double) w[i] * w[i];
                        h[at] += 1.0;
                        if (sq < Double.POSITIVE_INFINITY) { // NaN and Inf add nothing
                            h[at + 1] += sq;
                        }
                    }
                }
            });
            partHist[p] = h;
        });
        return fromParts(n, bounds, partHist, score);
    }

    /**
     * {@link #build} for |w| scores of several tensors (null entries skipped), with two more results of the same pass (for {@link OnePassSelect}): the mask
     * words "score bits {@code >= lo}" (64 elements a word, element {@code i} at bit {@code i & 63} of word
     * {@code i >>> 6}), and per part the score bits and indexes, in element order, of the elements scoring in
     * {@code [lo, hi)}. The histogram is the same object {@link #build} gives: the same sums in the same order.
     *
     * @param words      receives the mask words, {@code BitMask.wordCount(n)} of them
     * @param gathered   receives per part {@code {bits, indexes}}
     * @param gatheredLength receives per part the number of gathered elements, or -1 when there were more than
     *                       {@link #GATHER_LIMIT} (the gathered ones are then incomplete)
     */
    static ScoreHistogram[] buildMarking(TensorData[] data, ScoreFunction[] score, int lo, int hi, long[][] words,
                                         int[][][][] gathered, int[][] gatheredLength, CancellationToken cancel) {
        int m = data.length;
        FloatBits[] raw = new FloatBits[m];
        long[][] bounds = new long[m][];
        double[][][] partHist = new double[m][][];
        List<int[]> tasks = new ArrayList<>(); // {tensor, part}: all tensors' parts in one run, no barrier between
        for (int i = 0; i < m; i++) {
            if (data[i] == null) {
                continue;
            }
            raw[i] = FloatBits.of(data[i]);
            if (!score[i].isMagnitude() || raw[i] == null || lo < 0 || hi < lo || hi > ScoreFunction.INF_BITS) {
                throw new IllegalArgumentException("marking pass needs |w| scores over float32 buffers and finite "
                        + "0 <= lo <= hi");
            }
            bounds[i] = Parts.boundaries(data[i].elementCount());
            partHist[i] = new double[bounds[i].length - 1][];
            for (int p = 0; p < bounds[i].length - 1; p++) {
                tasks.add(new int[] {i, p});
            }
        }
        Parts.run(tasks.size(), t -> {
            int i = tasks.get(t)[0];
            int p = tasks.get(t)[1];
            long[] w = words[i];
            double[] h = new double[2 * BINS];
            int[][] g = {new int[Parts.CHUNK], new int[Parts.CHUNK]};
            int[] count = {0};
            boolean[] overflow = {false};
            raw[i].scanLongs(bounds[i][p], bounds[i][p + 1], cancel, (first, x, len) -> {
                int c = count[0];
                if (c + len > g[0].length) {
                    int size = Math.max(c + len, 2 * g[0].length);
                    g[0] = Arrays.copyOf(g[0], size);
                    g[1] = Arrays.copyOf(g[1], size);
                }
                c = markChunk(x, len, first, h, w, lo, hi, g[0], g[1], c);
                if (c > GATHER_LIMIT) {
                    overflow[0] = true; // the window is too full: the caller takes a second pass
                    c = 0;
                }
                count[0] = c;
            });
            partHist[i][p] = h;
            gathered[i][p] = g;
            gatheredLength[i][p] = overflow[0] ? -1 : count[0];
        });
        ScoreHistogram[] out = new ScoreHistogram[m];
        for (int i = 0; i < m; i++) {
            if (data[i] != null) {
                out[i] = fromParts(data[i].elementCount(), bounds[i], partHist[i], score[i]);
            }
        }
        return out;
    }

    /**
     * One chunk of {@link #buildMarking}: elements {@code [first, first + len)} with {@code first} a multiple of
     * 64. Gathers into {@code bits} and {@code index} from {@code c} on (room for {@code len} more) and returns the
     * new count. Branch-free: every element is written at {@code c}, which advances only when it is in the window.
     */
    private static int markChunk(long[] x, int len, long first, double[] h, long[] words, int lo, int hi,
                                 int[] bits, int[] index, int c) {
        long addLo = (0x80000000L - lo) * LANES;
        long addHi = (0x80000000L - hi) * LANES;
        int word = (int) (first >>> 6);
        int base = (int) first;
        for (int i = 0; i < len; i += 64) {
            int end = Math.min(len, i + 64);
            long keep = 0;
            for (int j = i >>> 1, pairsEnd = (end + 1) >>> 1; j < pairsEnd; j++) {
                int q = 2 * j;
                long pair = x[j] & ABS;
                // Sign cleared, each half is at most 0x7fffffff: adding 2^31 - bound sets the half's top bit
                // exactly when it is >= bound, and never carries into the other half.
                long atOrAboveLo = (pair + addLo) & TOPS;
                long inWindow = atOrAboveLo & ~(pair + addHi);
                keep |= ((atOrAboveLo >>> 31) & 1 | atOrAboveLo >>> 62) << (q - i);
                int v0 = Math.min((int) pair, ScoreFunction.NAN_BITS);
                int at = (v0 >>> 16) << 1;
                float w0 = Float.intBitsToFloat(v0);
                h[at] += 1.0;
                h[at + 1] += (double) w0 * w0;
                // An odd last element has a zero high half, counted in bin 0 and taken out after the loop.
                int v1 = Math.min((int) (pair >>> 32), ScoreFunction.NAN_BITS);
                at = (v1 >>> 16) << 1;
                float w1 = Float.intBitsToFloat(v1);
                h[at] += 1.0;
                h[at + 1] += (double) w1 * w1;
                if (inWindow != 0) { // hi is finite, so the window's patterns are their own score bits
                    if ((inWindow & TOP0) != 0) {
                        bits[c] = (int) pair;
                        index[c++] = base + q;
                    }
                    if (inWindow < 0 && q + 1 < end) {
                        bits[c] = (int) (pair >>> 32);
                        index[c++] = base + q + 1;
                    }
                }
            }
            words[word++] = keep & (-1L >>> (64 - (end - i)));
        }
        if ((len & 1) != 0) {
            h[0] -= 1.0; // the zero high half after an odd last element (adding 0.0 left the sum unchanged)
        }
        return c;
    }

    /**
     * {@link #build} for several tensors at once ({@code data[i]} with {@code score[i]}), the same histograms.
     * The BF16/FP16 |w| tensors are counted in one parallel run over all their parts, each tensor merged by
     * whichever thread counts its last part, so no thread waits at a tensor's end and at most a few tensors' part
     * tables are alive at once; the other tensors are built one after the other, each in parallel.
     *
     * @param done called with {@code i} once {@code data[i]}'s histogram is built (from any thread), may be null
     * @throws org.sparsitybench.task.CancelledException if cancelled
     */
    public static ScoreHistogram[] buildAll(TensorData[] data, ScoreFunction[] score, IntConsumer done,
                                            CancellationToken cancel) {
        if (data.length != score.length) {
            throw new IllegalArgumentException(data.length + " tensors, " + score.length + " score functions");
        }
        int m = data.length;
        ScoreHistogram[] out = new ScoreHistogram[m];
        HalfBits[] raw = new HalfBits[m];
        long[][] bounds = new long[m][];
        int[][][] counts = new int[m][][];
        AtomicInteger[] left = new AtomicInteger[m];
        List<int[]> tasks = new ArrayList<>(); // {tensor, part}, tensor-major
        for (int i = 0; i < m; i++) {
            long n = data[i].elementCount();
            raw[i] = score[i].isMagnitude() && n <= Integer.MAX_VALUE ? HalfBits.of(data[i]) : null;
            if (raw[i] != null) {
                bounds[i] = Parts.boundaries(n);
                counts[i] = new int[bounds[i].length - 1][];
                left[i] = new AtomicInteger(bounds[i].length - 1);
                for (int p = 0; p < bounds[i].length - 1; p++) {
                    tasks.add(new int[] {i, p});
                }
            }
        }
        // Part tables go round: a merged tensor's are cleared and counted into again, so the pass allocates a few
        // (the tensors in flight) instead of 128 KB per part.
        java.util.Queue<int[]> tables = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Parts.run(tasks.size(), t -> {
            int i = tasks.get(t)[0];
            int p = tasks.get(t)[1];
            int[] table = tables.poll();
            table = table != null ? table : new int[HalfBits.PATTERNS];
            raw[i].countPatterns(bounds[i][p], bounds[i][p + 1], table, cancel);
            counts[i][p] = table;
            if (left[i].decrementAndGet() == 0) { // every part of tensor i is counted: merge them, in part order
                out[i] = fromPatternCounts(data[i].elementCount(), bounds[i], counts[i], raw[i], score[i]);
                for (int[] c : counts[i]) {
                    java.util.Arrays.fill(c, 0);
                    tables.add(c);
                }
                counts[i] = null;
                if (done != null) {
                    done.accept(i);
                }
            }
        });
        for (int i = 0; i < m; i++) {
            if (raw[i] == null) {
                out[i] = build(data[i], score[i], cancel);
                if (done != null) {
                    done.accept(i);
                }
            }
        }
        return out;
    }

    /** The |w| histogram of a BF16/FP16 tensor of fewer than 2^31 elements from its raw patterns, with value counts. */
    private static ScoreHistogram buildFromPatterns(long n, HalfBits raw, ScoreFunction score,
                                                    CancellationToken cancel) {
        long[] bounds = Parts.boundaries(n);
        int parts = bounds.length - 1;
        int[][] patternCounts = new int[parts][];
        Parts.run(parts, p -> {
            patternCounts[p] = raw.countPatterns(bounds[p], bounds[p + 1], cancel);
        });
        return fromPatternCounts(n, bounds, patternCounts, raw, score);
    }

    /** The histogram, with value counts, from each part's count of every 15-bit pattern. */
    private static ScoreHistogram fromPatternCounts(long n, long[] bounds, int[][] patternCounts, HalfBits raw,
                                                    ScoreFunction score) {
        int parts = bounds.length - 1;
        // Distinct scores: the patterns below the NaN ones present in any part, then NaN (all NaN patterns).
        int nan = raw.nanPattern();
        int[] any = new int[nan];
        long[] nanCounts = new long[parts];
        for (int p = 0; p < parts; p++) {
            int[] c = patternCounts[p];
            for (int q = 0; q < nan; q++) {
                any[q] |= c[q];
            }
            for (int q = nan; q < HalfBits.PATTERNS; q++) {
                nanCounts[p] += c[q];
            }
        }
        // The present patterns in order: blocks of 16 absent ones skipped at once (most of the 32,768 for a small
        // tensor), the others compacted without a branch (which would mispredict on scattered patterns).
        int[] present = new int[nan];
        int found = 0;
        for (int q0 = 0; q0 < nan; q0 += 16) {
            int end = Math.min(nan, q0 + 16);
            int or = 0;
            for (int q = q0; q < end; q++) {
                or |= any[q];
            }
            if (or == 0) {
                continue;
            }
            for (int q = q0; q < end; q++) {
                present[found] = q;
                found += any[q] != 0 ? 1 : 0;
            }
        }
        boolean anyNan = false;
        for (long c : nanCounts) {
            anyNan |= c != 0;
        }
        int distinct = found + (anyNan ? 1 : 0);
        int[] values = new int[distinct];
        int[][] partValueCounts = new int[parts][distinct];
        int binCount = 0;
        for (int v = 0; v < distinct; v++) {
            int q = v < found ? present[v] : nan;
            for (int p = 0; p < parts; p++) {
                partValueCounts[p][v] = q < nan ? patternCounts[p][q] : (int) nanCounts[p];
            }
            values[v] = raw.scoreBits(q);
            binCount += v == 0 || values[v] >>> 16 != values[v - 1] >>> 16 ? 1 : 0;
        }
        // Level 1 from the values, bin by bin (the same numbers the decoding pass sums, see the class comment).
        int[] bins = new int[binCount];
        long[] counts = new long[binCount];
        double[] sums = new double[binCount];
        long[][] partCounts = new long[parts][binCount];
        int j = -1;
        for (int v = 0; v < distinct; v++) {
            int bin = values[v] >>> 16;
            if (j < 0 || bins[j] != bin) {
                bins[++j] = bin;
            }
            double x = Float.intBitsToFloat(values[v]);
            for (int p = 0; p < parts; p++) {
                long c = partValueCounts[p][v];
                partCounts[p][j] += c;
                counts[j] += c;
                if (bin < FIRST_NON_FINITE_BIN) {
                    sums[j] += c * (x * x);
                }
            }
        }
        return new ScoreHistogram(n, bounds, bins, counts, sums, partCounts, score.key(), true, values,
                partValueCounts);
    }

    /**
     * The histogram from per-part accumulators: {@code partHist[p][2 b]} counts and {@code partHist[p][2 b + 1]}
     * sums of squares of part {@code p}, bin {@code b} (for |w| scores the sums of the non-finite bins are
     * ignored, so that those may accumulate Inf and NaN). Merged in part order.
     */
    private static ScoreHistogram fromParts(long n, long[] bounds, double[][] partHist, ScoreFunction score) {
        int parts = bounds.length - 1;
        if (score.isMagnitude()) {
            for (double[] h : partHist) {
                for (int b = FIRST_NON_FINITE_BIN; b < BINS; b++) {
                    h[2 * b + 1] = 0.0;
                }
            }
        }
        int nonEmpty = 0;
        for (int b = 0; b < BINS; b++) {
            for (int p = 0; p < parts; p++) {
                if (partHist[p][2 * b] != 0) {
                    nonEmpty++;
                    break;
                }
            }
        }
        int[] bins = new int[nonEmpty];
        long[] counts = new long[nonEmpty];
        double[] sums = new double[nonEmpty];
        long[][] partCounts = new long[parts][nonEmpty];
        int j = 0;
        for (int b = 0; b < BINS; b++) {
            long c = 0;
            double s = 0;
            for (int p = 0; p < parts; p++) {
                c += (long) partHist[p][2 * b];
                s += partHist[p][2 * b + 1];
            }
            if (c != 0) {
                for (int p = 0; p < parts; p++) {
                    partCounts[p][j] = (long) partHist[p][2 * b];
                }
                bins[j] = b;
                counts[j] = c;
                sums[j] = s;
                j++;
            }
        }
        return new ScoreHistogram(n, bounds, bins, counts, sums, partCounts, score.key(), score.isMagnitude(), null,
                null);
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    /** Key of the score function it was built with. */
    public String scoreKey() {
        return scoreKey;
    }

    /** Whether the scores are |w|, so that bin values are the weights' magnitudes. */
    public boolean isMagnitude() {
        return magnitude;
    }

    /** Number of non-empty bins. */
    public int binCount() {
        return bins.length;
    }

    /** The bin (top 16 score bits) of the {@code j}-th non-empty bin, ascending in {@code j}. */
    public int bin(int j) {
        return bins[j];
    }

    /** Elements in the {@code j}-th non-empty bin. */
    public long count(int j) {
        return counts[j];
    }

    /** Σ w² over the finite weights in the {@code j}-th non-empty bin. */
    public double sumSquares(int j) {
        return sumSquares[j];
    }

    /** Σ w² over all finite weights. */
    public double totalSumSquares() {
        return totalSumSquares;
    }

    /** Elements whose score lies in a bin below {@code bin}. */
    public long countBelowBin(int bin) {
        return cumulative[indexAtOrAbove(bin)];
    }

    /** Elements whose score lies in bin {@code bin}. */
    public long countInBin(int bin) {
        int j = indexOf(bin);
        return j < 0 ? 0 : counts[j];
    }

    /** Elements with non-finite scores (bins from {@link #FIRST_NON_FINITE_BIN}). */
    public long nonFiniteCount() {
        return size - countBelowBin(FIRST_NON_FINITE_BIN);
    }

    /** Index {@code j} of {@code bin} among the non-empty bins, or a negative number when the bin is empty. */
    public int indexOf(int bin) {
        return Arrays.binarySearch(bins, bin);
    }

    /** Smallest {@code j} with {@code bin(j) >= bin} ({@link #binCount()} when there is none). */
    public int indexAtOrAbove(int bin) {
        int j = Arrays.binarySearch(bins, bin);
        return j >= 0 ? j : -j - 1;
    }

    /** Number of parts the tensor was split into; see {@link Parts#boundaries}. */
    public int partCount() {
        return partStart.length - 1;
    }

    /** First element of part {@code p}; {@code partStart(partCount())} is the size. */
    public long partStart(int p) {
        return partStart[p];
    }

    /** Elements of part {@code p} in the {@code j}-th non-empty bin. */
    public long partCount(int p, int j) {
        return partCounts[p][j];
    }

    /** All 65,536 counts, for views. */
    public long[] denseCounts() {
        long[] out = new long[BINS];
        for (int j = 0; j < bins.length; j++) {
            out[bins[j]] = counts[j];
        }
        return out;
    }

    /**
     * Whether the histogram knows how many elements of each part score each distinct value ({@link #value}), so
     * that the exact cut needs no further pass over the weights.
     */
    public boolean hasValueCounts() {
        return values != null;
    }

    /** Number of distinct scores; 0 without {@link #hasValueCounts() value counts}. */
    public int valueCount() {
        return values == null ? 0 : values.length;
    }

    /** Score bits of the {@code v}-th distinct score, ascending in {@code v}. */
    public int value(int v) {
        return values[v];
    }

    /** Elements of part {@code p} scoring exactly {@link #value(int) value(v)}. */
    public long partValueCount(int p, int v) {
        return partValueCounts[p][v];
    }

    /** Smallest {@code v} with {@code value(v) >= bits} ({@link #valueCount()} when there is none). */
    public int valueAtOrAbove(int bits) {
        int v = Arrays.binarySearch(values, bits);
        return v >= 0 ? v : -v - 1;
    }

    /** Heap bytes held, roughly. */
    public long memoryBytes() {
        return 64L + bins.length * (4L + 8 + 8 + 8 + 8L * partCounts.length)
                + valueCount() * (4L + 8L * partCounts.length);
    }
}
