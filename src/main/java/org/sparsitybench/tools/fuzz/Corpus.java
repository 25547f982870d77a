package org.sparsitybench.tools.fuzz;

import java.nio.file.Path;

/** The generators of one file format and the way its files are read. */
public interface Corpus {
    /** The format's name on the command line: onnx, safetensors, npz, idx, sbproj. */
    String format();

    /** The hand-written cases (edge values, path escapes); always the same, in the same order. */
    void catalogue(Cases cases, Sandbox sandbox);

    /**
     * One random case, rebuilt exactly from {@code seed}.
     *
     * @param index the case's number among the random cases (names it)
     */
    FuzzCase random(int index, long seed, Sandbox sandbox);

    /** Reads the case's file through the product's reader, then uses what loaded; never throws. */
    Outcome attempt(FuzzCase c, Path file);
}
