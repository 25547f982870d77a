package org.sparsitybench.tools.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Format-blind damage to a valid file: truncation, bit flips, insertions, deletions, duplicated runs. */
public final class ByteMutations {
    private ByteMutations() {
    }

    /** Damaged bytes and what was done. */
    public record Mutation(byte[] bytes, String what) {
    }

    /**
     * One kind of damage.
     *
     * @see #ALL
     */
    @FunctionalInterface
    public interface Mutator {
        /**
         * @param src            the valid file (not modified)
         * @param lengthPrefixes {offset, length} of length fields the format has (may be empty)
         * @param index          the case's number within this mutator; small numbers pick fixed edge cases
         */
        Mutation apply(byte[] src, List<int[]> lengthPrefixes, Random r, int index);
    }

    /** A mutator and its name (the generator name of its cases). */
    public record Named(String name, Mutator mutator) {
    }

    /** Every format-blind mutator, in a fixed order. */
    public static final List<Named> ALL = List.of(new Named("truncate", ByteMutations::truncate),
            new Named("flip", ByteMutations::flip), new Named("insert", ByteMutations::insert),
            new Named("delete", ByteMutations::delete), new Named("duplicate", ByteMutations::duplicate));

    /** Cut to 0 bytes, 1 byte, one byte short, or a random length. */
    public static Mutation truncate(byte[] s, List<int[]> prefixes, Random r, int index) {
        int len = index == 0 ? 0 : index == 1 ? 1 : index == 2 ? s.length - 1 : r.nextInt(s.length);
        return new Mutation(Arrays.copyOf(s, len), "truncated to " + len + " of " + s.length + " bytes");
    }

    /** 1 to 20 bytes changed: a bit flipped or a random value. */
    public static Mutation flip(byte[] s, List<int[]> prefixes, Random r, int index) {
        byte[] b = s.clone();
        int n = 1 + r.nextInt(20);
        StringBuilder what = new StringBuilder(n + " byte(s) changed:");
        for (int k = 0; k < n; k++) {
            int at = r.nextInt(b.length);
            b[at] = r.nextBoolean() ? (byte) (b[at] ^ (1 << r.nextInt(8))) : (byte) r.nextInt(256);
            if (k < 6) {
                what.append(" @").append(at).append('=').append(b[at] & 0xff);
            }
        }
        return new Mutation(b, what.toString());
    }

    public static Mutation insert(byte[] s, List<int[]> prefixes, Random r, int index) {
        int at = r.nextInt(s.length + 1);
        byte[] ins = new byte[1 + r.nextInt(16)];
        r.nextBytes(ins);
        return new Mutation(Bytes.splice(s, at, 0, ins), ins.length + " random bytes inserted at " + at);
    }

    public static Mutation delete(byte[] s, List<int[]> prefixes, Random r, int index) {
        int at = r.nextInt(s.length);
        int n = 1 + r.nextInt(Math.min(16, s.length - at));
        return new Mutation(Bytes.splice(s, at, n, new byte[0]), n + " bytes deleted at " + at);
    }

    public static Mutation duplicate(byte[] s, List<int[]> prefixes, Random r, int index) {
        int from = r.nextInt(s.length);
        int len = 1 + r.nextInt(Math.min(256, s.length - from));
        int to = r.nextBoolean() ? from + len : r.nextInt(s.length + 1);
        return new Mutation(Bytes.splice(s, to, 0, Arrays.copyOfRange(s, from, from + len)),
                "bytes [" + from + ", " + (from + len) + ") copied to " + to);
    }

    /** A random mutator applied once, for random cases. */
    public static Mutation any(byte[] s, Random r) {
        Named m = ALL.get(r.nextInt(ALL.size()));
        Mutation mu = m.mutator().apply(s, List.of(), r, 3 + r.nextInt(1000));
        return new Mutation(mu.bytes(), m.name() + ": " + mu.what());
    }
}
