package org.sparsitybench.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sparsitybench.model.DType;
import org.sparsitybench.model.Graph;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormat;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.TensorRole;
import org.sparsitybench.model.WeightTensor;

/**
 * Brute-force references the engine is checked against: sort everything, prune the first k. Written without the
 * engine's bit tricks: magnitudes compare with {@link Float#compare} on {@code Math.abs} (so -0 == +0 and NaN is
 * above +Inf), ties by tensor, then element index.
 */
final class Reference {
    private Reference() {
    }

    /** Kept flags of pruning the k smallest |w| of one tensor. */
    static boolean[] magnitude(float[] w, long k) {
        return global(List.of(w), k).get(0);
    }

    /** Kept flags per tensor of pruning the k smallest |w| over all of them together. */
    static List<boolean[]> global(List<float[]> tensors, long k) {
        List<float[]> scores = new ArrayList<>();
        for (float[] w : tensors) {
            float[] s = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                s[i] = Float.isNaN(w[i]) ? Float.NaN : Math.abs(w[i]);
            }
            scores.add(s);
        }
        return byScores(scores, k);
    }

    /** Kept flags per tensor of pruning the k smallest scores (Float.compare order), ties by tensor then index. */
    static List<boolean[]> byScores(List<float[]> scores, long k) {
        int total = scores.stream().mapToInt(s -> s.length).sum();
        float[] flat = new float[total];
        int at = 0;
        for (float[] s : scores) {
            System.arraycopy(s, 0, flat, at, s.length);
            at += s.length;
        }
        // Rank each score among the distinct scores, then sort (rank, position) pairs.
        float[] distinct = flat.clone();
        Float[] boxed = new Float[distinct.length];
        for (int i = 0; i < boxed.length; i++) {
            boxed[i] = distinct[i];
        }
        Arrays.sort(boxed, Float::compare);
        List<Float> unique = new ArrayList<>();
        for (Float f : boxed) {
            if (unique.isEmpty() || Float.compare(unique.get(unique.size() - 1), f) != 0) {
                unique.add(f);
            }
        }
        Map<Integer, Integer> rankOfBits = new java.util.HashMap<>();
        for (int r = 0; r < unique.size(); r++) {
            rankOfBits.put(Float.floatToIntBits(unique.get(r)), r);
        }
        long[] keys = new long[total];
        for (int i = 0; i < total; i++) {
            keys[i] = ((long) rankOfBits.get(Float.floatToIntBits(flat[i])) << 32) | i;
        }
        Arrays.sort(keys);
        boolean[] keptFlat = new boolean[total];
        Arrays.fill(keptFlat, true);
        for (int i = 0; i < k; i++) {
            keptFlat[(int) keys[i]] = false;
        }
        List<boolean[]> out = new ArrayList<>();
        at = 0;
        for (float[] s : scores) {
            out.add(Arrays.copyOfRange(keptFlat, at, at + s.length));
            at += s.length;
        }
        return out;
    }

    /** Kept flags as a mask. */
    static BitMask mask(boolean[] kept) {
        return BitMask.ofKept(kept);
    }

    /** Σ w² over the kept finite weights divided by Σ w² over all finite ones (1 when there are none). */
    static double energyRetained(float[] w, boolean[] kept) {
        double all = 0;
        double k = 0;
        for (int i = 0; i < w.length; i++) {
            if (Float.isFinite(w[i])) {
                double sq = (double) w[i] * w[i];
                all += sq;
                if (kept[i]) {
                    k += sq;
                }
            }
        }
        return all > 0 ? k / all : 1.0;
    }

    /** Number of false flags. */
    static long pruned(boolean[] kept) {
        long n = 0;
        for (boolean b : kept) {
            if (!b) {
                n++;
            }
        }
        return n;
    }

    /** Seeded N(0, scale²) floats. */
    static float[] normal(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (r.nextGaussian() * scale);
        }
        return w;
    }

    /** A prunable float32 weight tensor named {@code name} of the given shape over {@code values}. */
    static WeightTensor tensor(String name, long[] shape, float[] values) {
        return new WeightTensor(name, "MatMul", name, shape, DType.FLOAT, TensorRole.WEIGHT, true, 0, "test",
                TensorData.ofFloats(values));
    }

    /** A model of the given tensors, in order. */
    static Model model(WeightTensor... tensors) {
        return new Model(ModelFormat.SAFETENSORS, java.nio.file.Path.of("test.safetensors"), List.of(tensors),
                Graph.EMPTY, Map.of(), null);
    }
}
