package org.sparsitybench.tools.fuzz;

/** What a generated case must do when read. */
public enum Expect {
    /** A valid file: it must load. */
    LOAD,
    /** Damaged beyond doubt: it must fail with the typed exception. */
    REJECT,
    /** Points outside its own folder: it must fail with {@link org.sparsitybench.model.UnsafePathException}. */
    UNSAFE,
    /** Load or typed failure, both are fine. */
    EITHER
}
