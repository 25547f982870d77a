package org.sparsitybench.model;

/** What a tensor does in its layer; decides the default prunability and how views label it. */
public enum TensorRole {
    /** A weight matrix or kernel: Conv/Gemm/MatMul/RNN weights, embedding tables. */
    WEIGHT,
    /** An additive bias vector. */
    BIAS,
    /** Normalisation parameters: scale, shift, running mean and variance. */
    NORM,
    /** Shapes, indices, axes: integers that describe the computation, not learned values. */
    SHAPE,
    /** Anything else. */
    OTHER
}
