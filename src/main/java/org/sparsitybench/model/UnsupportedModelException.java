package org.sparsitybench.model;

/**
 * A well-formed model that asks for something SparsityBench does not do (a graph it cannot rewrite safely, a
 * dtype it cannot write). The CLI maps it to exit code 4.
 */
public class UnsupportedModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnsupportedModelException(String message) {
        super(message);
    }
}
