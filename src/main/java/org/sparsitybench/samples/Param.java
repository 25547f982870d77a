package org.sparsitybench.samples;

import java.util.Arrays;
import java.util.Random;

/** A trainable tensor: its values and the gradient accumulated since the last optimizer step. */
final class Param {
    final String name;
    final long[] shape;
    final float[] value;
    final float[] grad;

    Param(String name, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        this.name = name;
        this.shape = shape.clone();
        this.value = new float[Math.toIntExact(n)];
        this.grad = new float[value.length];
    }

    Param filled(float v) {
        Arrays.fill(value, v);
        return this;
    }

    /** Fills with N(0, std²) from {@code rng}, in index order (so a seed fixes every value). */
    Param gaussian(Random rng, double std) {
        for (int i = 0; i < value.length; i++) {
            value[i] = (float) (rng.nextGaussian() * std);
        }
        return this;
    }

    void zeroGrad() {
        Arrays.fill(grad, 0f);
    }
}
