package org.sparsitybench.prune.select;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.ScoreFunction;
import org.sparsitybench.prune.select.BinIndex.Slice;
import org.sparsitybench.prune.select.ExactSelector.Candidate;
import org.sparsitybench.prune.select.ExactSelector.Selection;
import org.sparsitybench.task.CancellationToken;

/**
 * A selection from scratch (no cached histograms) with materialised masks that reads each large float32 |w|
 * tensor once instead of twice. The cut's level-1 bin is estimated from a small sample first (64 blocks of
 * {@value #BLOCK} weights per tensor, about 0.8 % of a 4096×4096 tensor); the histogram pass then also writes the
 * mask words for "bin at or above the window" and gathers the elements whose bin lies in a window around the
 * estimate (about {@value #WINDOW_PERCENT} % of all ranks on either side: the sample's error is some 0.05 %
 * on random weights). When the exact cut's bin falls inside
 * the window, the gathered elements give level 2 and fix up the masks; otherwise (a sample far off) the selection
 * takes the usual second pass. Either way the histograms, cuts and masks are bit-identical to
 * {@link ScoreHistogram#build} followed by {@link ExactSelector#selectMaterialisingWhereRead}: the histogram pass
 * adds the same numbers in the same order, and only the speed depends on the sample. Stateless.
 *
 * <p>Tensors that take part: |w| scores, no cached histogram, float32 in buffers ({@link FloatBits}: two patterns
 * compared per {@code long}; BF16/FP16 buffers have their own one-pass path), between {@link Parts#PARALLEL_MIN} and 2<sup>31</sup> - 1 elements. The others are handled as before.
 */
public final class OnePassSelect {
    /** Weights per sample block. */
    static final int BLOCK = 2048;
    /** Sample blocks per tensor. */
    static final int BLOCKS = 64;
    /** Half-width of the gathered window, in percent of all elements. */
    static final double WINDOW_PERCENT = 0.5;

    private OnePassSelect() {
    }

    /**
     * Histograms and selections of one selection from scratch.
     *
     * @param histograms one per tensor: the given ones, else built
     * @param selections as {@link ExactSelector#selectMaterialisingWhereRead}
     * @param onePass    whether the estimated window held the cut (no second pass over the sampled tensors)
     */
    public record Result(List<ScoreHistogram> histograms, List<Selection> selections, boolean onePass) {
    }

    /** Whether a tensor without a cached histogram takes the one-pass path. */
    static boolean eligible(TensorData data, ScoreFunction score) {
        long n = data.elementCount();
        return score.isMagnitude() && n >= Parts.PARALLEL_MIN && n <= Integer.MAX_VALUE && FloatBits.of(data) != null;
    }

    /**
     * The cuts pruning the {@code k} smallest scores over all tensors together, with masks materialised where the
     * cut reads the weights; see the class comment.
     *
     * @param data   the tensors (not modified)
     * @param scores their score functions
     * @param known  their cached histograms, null where there is none
     * @param k      elements to prune, {@code 0 <= k <= Σ sizes}
     */
    public static Result select(List<TensorData> data, List<ScoreFunction> scores, List<ScoreHistogram> known, long k,
                                CancellationToken cancel) {
        int m = data.size();
        if (scores.size() != m || known.size() != m) {
            throw new IllegalArgumentException(m + " tensors, " + scores.size() + " scores, " + known.size()
                    + " histograms");
        }
        long total = 0;
        for (TensorData d : data) {
            total += d.elementCount();
        }
        ScoreHistogram[] h = new ScoreHistogram[m];
        boolean[] fused = new boolean[m];
        boolean any = false;
        for (int i = 0; i < m; i++) {
            h[i] = known.get(i);
            fused[i] = h[i] == null && k > 0 && k < total && eligible(data.get(i), scores.get(i));
            any |= fused[i];
        }
        buildMissing(data, scores, h, fused, cancel);
        if (!any) {
            List<Selection> s = ExactSelector.selectMaterialisingWhereRead(candidates(data, scores, h), k, cancel);
            return new Result(List.of(h), s, false);
        }

        // The estimated count of each bin: exact where a histogram is known, else a sample scaled up.
        double[] estimate = new double[ScoreHistogram.BINS];
        for (int i = 0; i < m; i++) {
            if (fused[i]) {
                sample(data.get(i), estimate, cancel);
            } else {
                for (int j = 0; j < h[i].binCount(); j++) {
                    estimate[h[i].bin(j)] += h[i].count(j);
                }
            }
        }
        double delta = Math.max(1.0, total * (WINDOW_PERCENT / 100.0));
        int lowBin = binOfRank(estimate, Math.max(1.0, k - delta));
        int highBin = Math.max(lowBin, binOfRank(estimate, Math.min((double) total, k + delta)));
        if (highBin >= ScoreHistogram.FIRST_NON_FINITE_BIN) {
            // A cut near the non-finite scores (mostly NaN or Inf weights): no window, the usual two passes.
            for (int i = 0; i < m; i++) {
                if (fused[i]) {
                    h[i] = ScoreHistogram.build(data.get(i), scores.get(i), cancel);
                }
            }
            return new Result(List.of(h),
                    ExactSelector.selectMaterialisingWhereRead(candidates(data, scores, h), k, cancel), false);
        }
        int lo = lowBin << 16;
        int hi = (highBin + 1) << 16;

        long[][] words = new long[m][];
        int[][][][] gathered = new int[m][][][];
        int[][] gatheredLength = new int[m][];
        TensorData[] marked = new TensorData[m];
        for (int i = 0; i < m; i++) {
            if (fused[i]) {
                TensorData d = data.get(i);
                int parts = Parts.boundaries(d.elementCount()).length - 1;
                marked[i] = d;
                words[i] = new long[BitMask.wordCount(d.elementCount())];
                gathered[i] = new int[parts][][];
                gatheredLength[i] = new int[parts];
            }
        }
        ScoreHistogram[] built = ScoreHistogram.buildMarking(marked, scores.toArray(ScoreFunction[]::new), lo, hi,
                words, gathered, gatheredLength, cancel);
        for (int i = 0; i < m; i++) {
            if (fused[i]) {
                h[i] = built[i];
            }
        }
        List<Candidate> pool = candidates(data, scores, h);
        int b = ExactSelector.cutBin(pool, k);
        boolean complete = true;
        for (int[] lengths : gatheredLength) {
            for (int len : lengths == null ? new int[0] : lengths) {
                complete &= len >= 0;
            }
        }
        if (!complete || b < lowBin || b > highBin) {
            // The sample was far off, or the window too full: the usual second pass over the cut's bin (the histograms are kept).
            return new Result(List.of(h), ExactSelector.selectMaterialisingWhereRead(pool, k, cancel), false);
        }
        Slice[][] slices = new Slice[m][];
        for (int i = 0; i < m; i++) {
            if (fused[i]) {
                slices[i] = slicesOfBin(b, words[i], gathered[i], gatheredLength[i]);
            }
        }

        return new Result(List.of(h), ExactSelector.selectWithPresets(pool, k, cancel, slices, words), true);
    }

    /**
     * Part by part, the gathered elements of bin {@code b} as level-2 slices with their positions; the gathered
     * elements of lower bins are cleared in {@code words} (pruned), those of higher bins stay kept.
     */
    private static Slice[] slicesOfBin(int b, long[] words, int[][][] gathered, int[] length) {
        Slice[] out = new Slice[gathered.length];
        Parts.run(gathered.length, p -> { // parts own disjoint mask words
            int[] bits = gathered[p][0];
            int[] index = gathered[p][1];
            int len = length[p];
            int inBin = 0;
            for (int g = 0; g < len; g++) {
                inBin += bits[g] >>> 16 == b ? 1 : 0;
            }
            char[] low = new char[inBin];
            long[] positions = new long[inBin];
            int at = 0;
            for (int g = 0; g < len; g++) {
                int bin = bits[g] >>> 16;
                if (bin < b) {
                    words[index[g] >>> 6] &= ~(1L << index[g]);
                } else if (bin == b) {
                    low[at] = (char) bits[g];
                    positions[at++] = index[g];
                }
            }
            out[p] = new Slice(low, 0, inBin, positions);
        });
        return out;
    }

    /** Builds {@code h[i]} where it is null and the tensor is not {@code fused}, all in one run. */
    private static void buildMissing(List<TensorData> data, List<ScoreFunction> scores, ScoreHistogram[] h,
                                     boolean[] fused, CancellationToken cancel) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < h.length; i++) {
            if (h[i] == null && !fused[i]) {
                missing.add(i);
            }
        }
        TensorData[] d = new TensorData[missing.size()];
        ScoreFunction[] s = new ScoreFunction[missing.size()];
        for (int j = 0; j < d.length; j++) {
            d[j] = data.get(missing.get(j));
            s[j] = scores.get(missing.get(j));
        }
        ScoreHistogram[] built = ScoreHistogram.buildAll(d, s, null, cancel);
        for (int j = 0; j < d.length; j++) {
            h[missing.get(j)] = built[j];
        }
    }

    /** Adds a scaled-up sample of the tensor's |w| bins to {@code estimate}. */
    private static void sample(TensorData data, double[] estimate, CancellationToken cancel) {
        long n = data.elementCount();
        int len = (int) Math.min(BLOCK, n / BLOCKS);
        double weight = (double) n / ((long) len * BLOCKS);
        float[] w = new float[len];
        for (int s = 0; s < BLOCKS; s++) {
            cancel.throwIfCancelled();
            data.readFloats(n / BLOCKS * s, FloatBuffer.wrap(w));
            for (int i = 0; i < len; i++) {
                estimate[ScoreFunction.magnitudeBits(w[i]) >>> 16] += weight;
            }
        }
    }

    /** The first bin at which the estimated cumulative count reaches {@code rank} (the last non-empty one if never). */
    private static int binOfRank(double[] estimate, double rank) {
        double cum = 0;
        int last = 0;
        for (int b = 0; b < estimate.length; b++) {
            if (estimate[b] > 0) {
                last = b;
                cum += estimate[b];
                if (cum >= rank) {
                    return b;
                }
            }
        }
        return last;
    }

    private static List<Candidate> candidates(List<TensorData> data, List<ScoreFunction> scores, ScoreHistogram[] h) {
        List<Candidate> out = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            out.add(new Candidate(data.get(i), scores.get(i), h[i], null));
        }
        return out;
    }
}
