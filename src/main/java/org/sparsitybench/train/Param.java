package org.sparsitybench.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** A trainable tensor: its values and the gradient accumulated since the last optimizer step. */
public final class Param {
    public final String name;
    public final long[] shape;
    public final float[] value;
    public final float[] grad;
    /**
     * Positions held fixed (pruned weights): the optimiser never moves them, so they keep their value (0.0) to
     * the bit. Null when every position trains.
     */
    public boolean[] frozen;

    public Param(String name, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        this.name = name;
        this.shape = shape.clone();
        this.value = new float[Math.toIntExact(n)];
        this.grad = new float[value.length];
    }

    public Param filled(float v) {
        Arrays.fill(value, v);
        return this;
    }

    /** Fills with N(0, std²) from {@code rng}, in index order (so a seed fixes every value). */
    public Param gaussian(Random rng, double std) {
        for (int i = 0; i < value.length; i++) {
            value[i] = (float) (rng.nextGaussian() * std);
        }
        return this;
    }

    /** The given tensors that exist (a layer's weight and its optional bias), in order. */
    public static List<Param> present(Param... ps) {
        List<Param> out = new ArrayList<>();
        for (Param p : ps) {
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    public void zeroGrad() {
        Arrays.fill(grad, 0f);
    }
}
