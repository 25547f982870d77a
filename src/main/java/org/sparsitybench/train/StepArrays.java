package org.sparsitybench.train;

import java.util.Arrays;

/**
 * Arrays an op fills anew in every training step, kept from one step to the next instead of allocated each time:
 * a LeNet-5 step of 128 allocated about 20 MB, and the zeroing of fresh arrays (and the cache misses on memory
 * that had gone cold) showed in the profile. An array is found by slot and length, so a batch of another size (the
 * last, short batch of an epoch) gets arrays of its own size.
 *
 * <p>Only what a training step uses and then discards goes here: a training forward's output (read by the next
 * layer and kept by it until the backward of the same step, which always comes before the next training forward)
 * and a backward's output (read by the layer before, within the same backward pass). Inference outputs are never
 * reused, since a caller may keep them. An array handed out holds whatever the last step wrote: an op that adds
 * into it must clear it first ({@link #zeros}).
 */
final class StepArrays {
    private final float[][] floats;
    private final int[][] ints;

    /** @param slots how many arrays of each type the op keeps */
    StepArrays(int slots) {
        floats = new float[slots][];
        ints = new int[slots][];
    }

    /** Float array {@code slot} of {@code length} values, holding the last step's values (or zeros if new). */
    float[] floats(int slot, int length) {
        float[] a = floats[slot];
        if (a == null || a.length != length) {
            a = new float[length];
            floats[slot] = a;
        }
        return a;
    }

    /** As {@link #floats}, filled with 0. */
    float[] zeros(int slot, int length) {
        float[] a = floats[slot];
        if (a == null || a.length != length) {
            return floats(slot, length);
        }
        Arrays.fill(a, 0f);
        return a;
    }

    /** Int array {@code slot} of {@code length} values, holding the last step's values (or zeros if new). */
    int[] ints(int slot, int length) {
        int[] a = ints[slot];
        if (a == null || a.length != length) {
            a = new int[length];
            ints[slot] = a;
        }
        return a;
    }
}
