package org.sparsitybench.formats;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.sparsitybench.model.Model;

/** Writes a model back in its own format, changing only what it is told to. */
public interface ModelWriter {
    /**
     * Writes {@code model} to {@code out}, atomically (temporary file in the target folder, then a move).
     *
     * @param model    the loaded model (not modified; its file is never written)
     * @param updates  new values by tensor name; tensors not named are copied unchanged
     * @param metadata entries to add to or replace in the file's metadata
     * @param out      target path; must not be the model's own file
     * @throws IOException on write failure; an earlier file at {@code out} is then left as it was
     */
    void write(Model model, Map<String, TensorUpdate> updates, Map<String, String> metadata, Path out)
            throws IOException;
}
