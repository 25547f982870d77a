package org.sparsitybench.tools.fuzz;

import java.io.IOException;
import java.nio.file.Path;

/** Creates one case's files in its own empty folder and returns the file to read. */
@FunctionalInterface
public interface CaseSetup {
    Path create(Path dir) throws IOException;
}
