package org.sparsitybench.model;

import java.nio.file.Path;

/** A file that points outside its own folder (external data through {@code ..}, an absolute path, a symlink). */
public class UnsafePathException extends ModelFormatException {
    private static final long serialVersionUID = 1L;

    public UnsafePathException(Path file, String place, String problem) {
        super(file, place, problem);
    }
}
