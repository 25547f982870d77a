package org.sparsitybench.formats;

import java.io.IOException;
import java.nio.file.Path;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormatException;

/** Reads one model format. */
public interface ModelReader {
    /**
     * @param file the model file (never modified)
     * @throws ModelFormatException when the file is not a valid model of this format, naming file and place
     * @throws IOException          when the file cannot be read at all
     */
    Model read(Path file) throws IOException;
}
