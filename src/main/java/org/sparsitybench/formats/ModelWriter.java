package org.sparsitybench.formats;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.sparsitybench.model.Model;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

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
    default void write(Model model, Map<String, TensorUpdate> updates, Map<String, String> metadata, Path out)
            throws IOException {
        write(model, updates, metadata, out, ProgressListener.NONE, CancellationToken.NONE);
    }

    /**
     * As {@link #write(Model, Map, Map, Path)}, reporting the bytes written and checking {@code cancel} at least
     * once per {@link AtomicFiles#METER_CHUNK} bytes.
     *
     * @throws org.sparsitybench.task.CancelledException when cancelled; nothing is written, an earlier file at
     *                                                   {@code out} is left as it was and no temporary file remains
     */
    void write(Model model, Map<String, TensorUpdate> updates, Map<String, String> metadata, Path out,
               ProgressListener progress, CancellationToken cancel) throws IOException;

    /**
     * As {@link #write(Model, Map, Map, Path, ProgressListener, CancellationToken)}, with metadata that is known
     * only once the tensors are written (hashes of masks computed as the values streamed out): the file is written
     * with {@code placeholders} and {@code finalMetadata}, asked once every tensor is written, replaces them. Each
     * final value must have its placeholder's length, so the header keeps its size. The default asks for the final
     * metadata first (a writer that cannot go back to its header).
     *
     * @throws IllegalStateException if a final value's length differs from its placeholder's
     */
    default void write(Model model, Map<String, TensorUpdate> updates, Map<String, String> placeholders,
                       java.util.function.Supplier<Map<String, String>> finalMetadata, Path out,
                       ProgressListener progress, CancellationToken cancel) throws IOException {
        write(model, updates, finalMetadata.get(), out, progress, cancel);
    }
}
