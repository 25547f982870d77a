package org.sparsitybench.prune.select;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.prune.BitMask;
import org.sparsitybench.prune.ScoreFunction;
import org.sparsitybench.prune.select.BinIndex.Slice;
import org.sparsitybench.task.CancellationToken;

/**
 * The one threshold selector: finds the exact k-th smallest score over one or several tensors without sorting.
 * <ol>
 *   <li>Level 1: the cumulative counts of the (cached) {@link ScoreHistogram}s, summed over the tensors, give the
 *       bin {@code b} of the k-th smallest score and its rank {@code r} inside that bin.</li>
 *   <li>Level 2: the low 16 bits of the elements in bin {@code b} (read from a {@link BinIndex} when there is one,
 *       otherwise gathered in one pass over the tensors that have elements in {@code b}) give the exact bits
 *       {@code T = b << 16 | t} and the number {@code m} of ties ({@code score == T}) to prune.</li>
 *   <li>Ties are pruned in tensor order, then element order, until exactly k elements are pruned.</li>
 * </ol>
 * Scores are canonical (see {@link ScoreFunction}): NaN is the largest score, then {@code +Inf}. Stateless.
 */
public final class ExactSelector {
    private ExactSelector() {
    }

    /**
     * One tensor taking part in a selection.
     *
     * @param data      the weights (not modified)
     * @param score     the score function the histogram was built with
     * @param histogram level-1 histogram of {@code score} over {@code data}
     * @param index     bin index of the same, or null to gather level 2 from the data
     */
    public record Candidate(TensorData data, ScoreFunction score, ScoreHistogram histogram, BinIndex index) {
        public Candidate {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(score, "score");
            Objects.requireNonNull(histogram, "histogram");
            if (data.elementCount() != histogram.size()) {
                throw new IllegalArgumentException("data holds " + data.elementCount() + " elements, histogram "
                        + histogram.size());
            }
            if (!score.key().equals(histogram.scoreKey())) {
                throw new IllegalArgumentException("score '" + score.key() + "' does not match histogram of '"
                        + histogram.scoreKey() + "'");
            }
            if (index != null && index.histogram() != histogram) {
                throw new IllegalArgumentException("bin index belongs to another histogram");
            }
        }
    }

    /** A cut and, when asked for, its mask. */
    public record Selection(Threshold threshold, BitMask mask) {
    }

    /**
     * Largest number of elements of one tensor in the cut's bin for which {@link #selectAndMaterialise} gathers
     * their positions (10 bytes each) to build the mask in the same pass; above it (tensors of a few distinct
     * values) the mask takes a pass of its own.
     */
    public static final long FUSE_LIMIT = 1L << 22;

    /** The cut pruning the {@code k} smallest scores of one tensor; see {@link #select(List, long, CancellationToken)}. */
    public static Threshold select(Candidate candidate, long k, CancellationToken cancel) {
        return select(List.of(candidate), k, cancel).get(0);
    }

    /**
     * The cuts pruning the {@code k} smallest scores over all of {@code pool} together (ties in pool order, then
     * element order), one per candidate, in pool order. {@code Σ prunedCount() == k} exactly. Reads the weights
     * once (the cut's bin only) unless every candidate has a bin index.
     *
     * @param pool   the tensors (not modified)
     * @param k      how many elements to prune, {@code 0 <= k <= Σ sizes}
     * @param cancel checked once per chunk
     * @throws IllegalArgumentException if {@code k} is out of range or the pool is empty
     */
    public static List<Threshold> select(List<Candidate> pool, long k, CancellationToken cancel) {
        List<Selection> s = run(pool, k, cancel, Masks.NONE);
        List<Threshold> out = new ArrayList<>(s.size());
        s.forEach(x -> out.add(x.threshold()));
        return out;
    }

    /**
     * As {@link #select(List, long, CancellationToken)}, with each candidate's mask materialised. Candidates
     * without a bin index get their mask from the same pass that gathers the cut's bin (marking that bin kept and
     * fixing its elements up once the cut is known), so a selection from scratch reads each tensor twice: once
     * for its histogram, once here.
     */
    public static List<Selection> selectAndMaterialise(List<Candidate> pool, long k, CancellationToken cancel) {
        return run(pool, k, cancel, Masks.ALL);
    }

    /**
     * As {@link #selectAndMaterialise}, except that the candidates whose cut reads none of their weights (their
     * histogram {@linkplain ScoreHistogram#hasValueCounts() has value counts}) get a null mask: a selection from
     * scratch then reads those tensors once, for their histograms, and a mask costs one raw pass when it is
     * wanted ({@link #materialise}).
     */
    public static List<Selection> selectMaterialisingWhereRead(List<Candidate> pool, long k,
                                                               CancellationToken cancel) {
        return run(pool, k, cancel, Masks.WHERE_READ);
    }

    /** Which masks a selection materialises. */
    private enum Masks {
        NONE, ALL, WHERE_READ
    }

    private static List<Selection> run(List<Candidate> pool, long k, CancellationToken cancel, Masks masks) {
        return run(pool, k, cancel, masks, null, null);
    }

    /**
     * As {@link #selectMaterialisingWhereRead}, except that candidate {@code i} with {@code presetSlices[i]}
     * non-null takes those as its cut bin's low bits (with positions) and {@code presetWords[i]} as its mask words
     * with that bin provisionally kept and every other bin final: {@link OnePassSelect} gathered both in the
     * histogram pass. The caller has checked that the cut falls in the bin the slices hold.
     */
    static List<Selection> selectWithPresets(List<Candidate> pool, long k, CancellationToken cancel,
                                             Slice[][] presetSlices, long[][] presetWords) {
        return run(pool, k, cancel, Masks.WHERE_READ, presetSlices, presetWords);
    }

    /** The level-1 bin of the k-th smallest score over the pool ({@code 1 <= k <= total}). */
    static int cutBin(List<Candidate> pool, long k) {
        return (int) cutBinAndBelow(pool, k)[0];
    }

    /** {bin, count of scores in lower bins} of the k-th smallest score over the pool's level-1 histograms. */
    private static long[] cutBinAndBelow(List<Candidate> pool, long k) {
        long[] level1 = new long[ScoreHistogram.BINS];
        for (Candidate c : pool) {
            ScoreHistogram h = c.histogram();
            for (int j = 0; j < h.binCount(); j++) {
                level1[h.bin(j)] += h.count(j);
            }
        }
        int b = 0;
        long cum = 0;
        while (cum + level1[b] < k) {
            cum += level1[b];
            b++;
        }
        return new long[] {b, cum};
    }

    private static List<Selection> run(List<Candidate> pool, long k, CancellationToken cancel, Masks masks,
                                       Slice[][] presetSlices, long[][] presetWords) {
        boolean materialise = masks != Masks.NONE;
        if (pool.isEmpty()) {
            throw new IllegalArgumentException("empty pool (k = " + k + ")");
        }
        long total = 0;
        for (Candidate c : pool) {
            total += c.histogram().size();
        }
        if (k < 0 || k > total) {
            throw new IllegalArgumentException("k = " + k + " outside [0, " + total + "]");
        }
        List<Selection> out = new ArrayList<>(pool.size());
        if (k == 0 || k == total) {
            for (Candidate c : pool) {
                ScoreHistogram h = c.histogram();
                long[] parts = partStarts(h);
                Threshold th = k == 0 ? Threshold.keepAll(h.size(), parts) : Threshold.pruneAll(h.size(), parts);
                BitMask mask = !materialise ? null : k == 0 ? BitMask.allKept(h.size()) : BitMask.allPruned(h.size());
                out.add(new Selection(th, mask));
            }
            return out;
        }

        long[] cut = cutBinAndBelow(pool, k);
        int b = (int) cut[0];
        long cum = cut[1];
        long rank = k - cum; // 1 <= rank <= level1[b]

        Slice[][] slices = new Slice[pool.size()][];
        long[][] words = new long[pool.size()][];
        for (int i = 0; i < pool.size(); i++) {
            Candidate c = pool.get(i);
            if (presetSlices != null && presetSlices[i] != null) {
                slices[i] = presetSlices[i];
                words[i] = presetWords[i];
                continue;
            }
            if (c.histogram().hasValueCounts()) {
                continue; // level 2 is in the histogram; the mask, when asked for, takes one raw pass
            }
            if (materialise && c.index() == null && c.histogram().countInBin(b) <= FUSE_LIMIT) {
                words[i] = new long[BitMask.wordCount(c.histogram().size())];
            }
            slices[i] = level2(c, b, words[i], cancel);
        }
        long[] level2 = new long[ScoreHistogram.BINS];
        for (int i = 0; i < pool.size(); i++) {
            if (slices[i] == null) {
                ScoreHistogram h = pool.get(i).histogram();
                for (int v = h.valueAtOrAbove(b << 16); v < h.valueCount() && h.value(v) >>> 16 == b; v++) {
                    for (int p = 0; p < h.partCount(); p++) {
                        level2[h.value(v) & 0xffff] += h.partValueCount(p, v);
                    }
                }
                continue;
            }
            for (Slice s : slices[i]) {
                char[] a = s.array();
                for (int q = s.offset(), end = s.offset() + s.length(); q < end; q++) {
                    level2[a[q]]++;
                }
            }
        }
        int t = 0;
        long cum2 = 0;
        while (cum2 + level2[t] < rank) {
            cum2 += level2[t];
            t++;
        }
        long tieBudget = rank - cum2;
        int bits = (b << 16) | t;
        float value = Float.intBitsToFloat(bits);
        boolean finiteT = bits < ScoreFunction.INF_BITS;

        for (int i = 0; i < pool.size(); i++) {
            Candidate c = pool.get(i);
            ScoreHistogram h = c.histogram();
            int parts = h.partCount();
            long below = h.countBelowBin(b);
            long[] ties = new long[parts];
            long[] tiesPruned = new long[parts];
            boolean magnitude = c.score().isMagnitude();
            double keptSquares = 0;
            for (int p = 0; p < parts; p++) {
                long lower = 0;
                long equal = 0;
                if (slices[i] == null) {
                    // The bin's distinct values with their counts in this part. The squares are exact sums (see
                    // ScoreHistogram), so they equal the element-by-element ones.
                    for (int v = h.valueAtOrAbove(b << 16); v < h.valueCount() && h.value(v) >>> 16 == b; v++) {
                        int low = h.value(v) & 0xffff;
                        long count = h.partValueCount(p, v);
                        if (low < t) {
                            lower += count;
                        } else if (low == t) {
                            equal += count;
                        } else if (magnitude && count > 0) {
                            double x = Float.intBitsToFloat(h.value(v));
                            double sq = x * x;
                            keptSquares += sq < Double.POSITIVE_INFINITY ? count * sq : 0.0;
                        }
                    }
                    below += lower;
                    ties[p] = equal;
                    tiesPruned[p] = Math.min(tieBudget, equal);
                    tieBudget -= tiesPruned[p];
                    continue;
                }
                Slice s = slices[i][p];
                char[] a = s.array();
                for (int q = s.offset(), end = s.offset() + s.length(); q < end; q++) {
                    int low = a[q];
                    if (low < t) {
                        lower++;
                    } else if (low == t) {
                        equal++;
                    } else if (magnitude) {
                        double v = Float.intBitsToFloat((b << 16) | low);
                        double sq = v * v;
                        keptSquares += sq < Double.POSITIVE_INFINITY ? sq : 0.0;
                    }
                }
                below += lower;
                ties[p] = equal;
                tiesPruned[p] = Math.min(tieBudget, equal);
                tieBudget -= tiesPruned[p];
            }
            double boundaryKept = Double.NaN;
            if (magnitude) {
                long tiesKept = sum(ties) - sum(tiesPruned);
                boundaryKept = keptSquares + (finiteT ? tiesKept * ((double) value * value) : 0.0);
            }
            Threshold th = new Threshold(Threshold.Kind.AT_BITS, h.size(), bits, below, partStarts(h), ties,
                    tiesPruned, boundaryKept);
            BitMask mask = null;
            if (words[i] != null) {
                fixUp(words[i], slices[i], t, tiesPruned);
                mask = BitMask.adopt(h.size(), words[i]);
                if (mask.prunedCount() != th.prunedCount()) {
                    throw new IllegalStateException("mask prunes " + mask.prunedCount() + ", cut " + th);
                }
            } else if (masks == Masks.ALL || (masks == Masks.WHERE_READ && !h.hasValueCounts())) {
                mask = materialise(c.data(), c.score(), th, cancel);
            }
            out.add(new Selection(th, mask));
        }
        return out;
    }

    /**
     * Clears the bits of the gathered elements of the cut's bin that the cut prunes: those below {@code t} and
     * the first {@code tiesPruned[p]} ties of each part.
     */
    private static void fixUp(long[] words, Slice[] slices, int t, long[] tiesPruned) {
        for (int p = 0; p < slices.length; p++) {
            Slice s = slices[p];
            char[] a = s.array();
            long[] at = s.positions();
            long ties = 0;
            for (int q = 0; q < s.length(); q++) {
                int low = a[s.offset() + q];
                if (low < t || (low == t && ties++ < tiesPruned[p])) {
                    long index = at[q];
                    words[(int) (index >>> 6)] &= ~(1L << index);
                }
            }
        }
    }

    /**
     * The mask of a cut of {@code score} over {@code data} (not modified), in one parallel pass.
     *
     * @throws IllegalStateException if the data no longer gives the cut's counts
     */
    public static BitMask materialise(TensorData data, ScoreFunction score, Threshold th, CancellationToken cancel) {
        switch (th.kind()) {
            case KEEP_ALL:
                return BitMask.allKept(th.size());
            case PRUNE_ALL:
                return BitMask.allPruned(th.size());
            default:
                break;
        }
        if (data.elementCount() != th.size()) {
            throw new IllegalArgumentException("cut over " + th.size() + " elements for data of "
                    + data.elementCount());
        }
        HalfBits raw = score.isMagnitude() ? HalfBits.of(data) : null;
        if (raw != null) {
            return materialiseRaw(raw, data, score, th, cancel);
        }
        long[] words = new long[BitMask.wordCount(th.size())];
        int t = th.bits();
        Parts.run(th.partCount(), p -> {
            long budget = th.tiesPruned(p);
            long[] seen = {0};
            ChunkScan.scan(data, score, th.partStart(p), th.partStart(p + 1), cancel, (first, w, s, len) -> {
                int word = (int) (first >>> 6); // parts and chunks start on word boundaries
                long tiesSeen = seen[0];
                for (int i = 0; i < len; i += 64) {
                    int end = Math.min(len, i + 64);
                    long bitsOfWord = 0;
                    for (int q = i; q < end; q++) {
                        int v = ChunkScan.bits(s, w, q);
                        long keep = ((long) t - v) >>> 63; // 1 when v > t
                        if (v == t) {
                            keep = tiesSeen >= budget ? 1 : 0;
                            tiesSeen++;
                        }
                        bitsOfWord |= keep << (q - i);
                    }
                    words[word++] = bitsOfWord;
                }
                seen[0] = tiesSeen;
            });
        });
        BitMask out = BitMask.adopt(th.size(), words);
        if (out.prunedCount() != th.prunedCount()) {
            throw new IllegalStateException("materialised " + out.prunedCount() + " pruned elements, the cut " + th
                    + " says " + th.prunedCount() + " (data or score function changed?)");
        }
        return out;
    }

    /**
     * {@link #materialise} for |w| over raw BF16/FP16 patterns (see {@link HalfBits}): no float decode, the parts
     * in parallel, by the rule an export applies to the bytes it streams ({@link StreamedBits}: a part that prunes
     * some of its ties but not all first finds its last pruned one).
     */
    private static BitMask materialiseRaw(HalfBits raw, TensorData data, ScoreFunction score, Threshold th,
                                          CancellationToken cancel) {
        StreamedBits bits = StreamedBits.of(data, score, th);
        if (bits == null) {
            throw new IllegalStateException("no " + th + " among the tensor's values (data changed?)");
        }
        // The parts' chunks all start on a word boundary, and only the tensor's last ends inside a word.
        Parts.run(th.partCount(), p -> raw.scanBytes(th.partStart(p), th.partStart(p + 1), cancel,
                (first, longs, len) -> {
                    if (!bits.acceptAndMask(first, longs, len)) {
                        throw new IllegalStateException("chunk [" + first + ", " + (first + len) + ") of " + th
                                + " does not start or end on a mask word");
                    }
                }));
        return bits.result();
    }

    /**
     * The low bits of the candidate's elements in bin {@code b}, one slice per part, in element order. With
     * {@code words}, the same pass writes the mask's words: kept where the bin is above {@code b}, and
     * provisionally kept in bin {@code b} (whose positions the slices then carry for {@link #fixUp}).
     */
    private static Slice[] level2(Candidate c, int b, long[] words, CancellationToken cancel) {
        ScoreHistogram h = c.histogram();
        int parts = h.partCount();
        Slice[] out = new Slice[parts];
        int j = h.indexOf(b);
        if (c.index() != null && j >= 0) {
            for (int p = 0; p < parts; p++) {
                out[p] = c.index().slice(p, j);
            }
            return out;
        }
        if (words == null && j < 0) {
            Arrays.fill(out, Slice.EMPTY);
            return out;
        }
        Parts.run(parts, p -> {
            int len = j < 0 ? 0 : (int) h.partCount(p, j);
            if (len == 0 && words == null) {
                out[p] = Slice.EMPTY;
                return;
            }
            out[p] = words == null ? gather(c, b, p, len, cancel) : gatherAndMark(c, b, p, len, words, cancel);
        });
        return out;
    }

    /** The low bits of part {@code p}'s {@code len} elements in bin {@code b}. */
    private static Slice gather(Candidate c, int b, int p, int len, CancellationToken cancel) {
        ScoreHistogram h = c.histogram();
        char[] low = new char[len];
        int[] at = {0};
        ChunkScan.scan(c.data(), c.score(), h.partStart(p), h.partStart(p + 1), cancel, (first, w, bits, n) -> {
            int pos = at[0];
            for (int i = 0; i < n; i++) {
                int s = ChunkScan.bits(bits, w, i);
                if (s >>> 16 == b) {
                    low[pos++] = (char) s;
                }
            }
            at[0] = pos;
        });
        checkCount(b, p, len, at[0]);
        return new Slice(low, 0, len, null);
    }

    /** As {@link #gather}, also writing part {@code p}'s mask words: kept when the bin is {@code >= b}. */
    private static Slice gatherAndMark(Candidate c, int b, int p, int len, long[] words, CancellationToken cancel) {
        ScoreHistogram h = c.histogram();
        char[] low = new char[len];
        long[] positions = new long[len];
        int[] at = {0};
        ChunkScan.scan(c.data(), c.score(), h.partStart(p), h.partStart(p + 1), cancel, (first, w, bits, n) -> {
            int pos = at[0];
            int word = (int) (first >>> 6); // parts and chunks start on word boundaries
            for (int i = 0; i < n; i += 64) {
                int end = Math.min(n, i + 64);
                long bitsOfWord = 0;
                for (int q = i; q < end; q++) {
                    int s = ChunkScan.bits(bits, w, q);
                    int bin = s >>> 16;
                    bitsOfWord |= (long) ((b - 1 - bin) >>> 31) << (q - i); // 1 when bin >= b
                    if (bin == b) {
                        low[pos] = (char) s;
                        positions[pos++] = first + q;
                    }
                }
                words[word++] = bitsOfWord;
            }
            at[0] = pos;
        });
        checkCount(b, p, len, at[0]);
        return new Slice(low, 0, len, positions);
    }

    private static void checkCount(int b, int p, int expected, int found) {
        if (found != expected) {
            throw new IllegalStateException("bin " + b + " of part " + p + ": histogram counted " + expected
                    + " elements, the data holds " + found + " (data or score function changed?)");
        }
    }

    private static long[] partStarts(ScoreHistogram h) {
        long[] s = new long[h.partCount() + 1];
        for (int p = 0; p <= h.partCount(); p++) {
            s[p] = h.partStart(p);
        }
        return s;
    }

    private static long sum(long[] a) {
        long s = 0;
        for (long v : a) {
            s += v;
        }
        return s;
    }
}
