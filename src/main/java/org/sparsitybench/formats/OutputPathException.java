package org.sparsitybench.formats;

import java.io.IOException;

/** An output path that must not be written: the opened model itself, or something that cannot be checked. */
public class OutputPathException extends IOException {
    private static final long serialVersionUID = 1L;

    public OutputPathException(String message) {
        super(message);
    }
}
