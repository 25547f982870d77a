package org.sparsitybench.tools.fuzz;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Which cases a run of {@code n} cases gets: fewer than the catalogue holds, an evenly spaced selection of it
 * (every generator family is represented); more, the whole catalogue followed by random cases, each built from
 * its own seed derived from the run's seed. Random cases are built one at a time, so a run of 100,000 never
 * holds more than one in memory.
 */
public final class FuzzPlan {
    private FuzzPlan() {
    }

    public static Iterator<FuzzCase> cases(Corpus corpus, Sandbox sandbox, int n, long seed) {
        Cases catalogue = new Cases();
        corpus.catalogue(catalogue, sandbox);
        List<FuzzCase> fixed = catalogue.list();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < n;
            }

            @Override
            public FuzzCase next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int i = next++;
                if (n <= fixed.size()) {
                    return fixed.get((int) ((long) i * fixed.size() / n));
                }
                if (i < fixed.size()) {
                    return fixed.get(i);
                }
                int k = i - fixed.size();
                return corpus.random(k, caseSeed(seed, k), sandbox);
            }
        };
    }

    /** The seed of random case {@code k} of a run seeded {@code seed} (a SplitMix64 step: well spread). */
    public static long caseSeed(long seed, int k) {
        long z = seed + 0x9E3779B97F4A7C15L * (k + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }
}
