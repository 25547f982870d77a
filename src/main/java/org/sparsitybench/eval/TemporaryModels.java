package org.sparsitybench.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.sparsitybench.formats.AtomicFiles;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.onnx.OnnxWriter;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.Masking;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Writes variants of a model to temporary ONNX files, exactly as an export would, for ONNX Runtime to run. The
 * caller deletes the file; {@link ConfigurationMeter} does so for every measurement.
 */
public final class TemporaryModels {
    /** Name prefix of the temporary models written for evaluation. */
    public static final String TEMP_PREFIX = ".sparsitybench-eval-";

    private TemporaryModels() {
    }

    /** The masked model as a temporary ONNX file (delete it when done). */
    public static Path write(Model model, Map<String, Mask> masks) throws IOException {
        return write(model, masks, CancellationToken.NONE);
    }

    /**
     * As {@link #write(Model, Map)}, checking {@code cancel} once per layer and while writing.
     *
     * @param masks mask per tensor name (not modified); tensors with nothing pruned are written unchanged
     * @throws org.sparsitybench.task.CancelledException when cancelled; no file remains
     */
    public static Path write(Model model, Map<String, Mask> masks, CancellationToken cancel) throws IOException {
        Map<String, TensorData> values = new LinkedHashMap<>();
        for (Map.Entry<String, Mask> e : masks.entrySet()) {
            cancel.throwIfCancelled();
            if (e.getValue().prunedCount() > 0) {
                WeightTensor t = model.tensor(e.getKey()).orElseThrow();
                values.put(t.name(), Masking.masked(t.data(), e.getValue()));
            }
        }
        return writeValues(model, values, cancel);
    }

    /**
     * The model with {@code values} in place of its tensors' values, shapes unchanged.
     *
     * @param values new values by tensor name (not modified; lazy views are streamed)
     */
    public static Path writeValues(Model model, Map<String, TensorData> values, CancellationToken cancel)
            throws IOException {
        Map<String, TensorUpdate> updates = new LinkedHashMap<>();
        values.forEach((name, v) -> updates.put(name, new TensorUpdate(model.tensor(name).orElseThrow().shape(), v)));
        return writeUpdates(model, updates, Map.of(), cancel);
    }

    /**
     * The model with tensors replaced (shapes may change, as compaction changes them) and node attributes set.
     *
     * @param updates    new shape and values by tensor name (not modified)
     * @param attributes integer attributes by node name, then attribute name (not modified)
     */
    public static Path writeUpdates(Model model, Map<String, TensorUpdate> updates,
                                    Map<String, Map<String, Long>> attributes, CancellationToken cancel)
            throws IOException {
        Path dir = model.file().toAbsolutePath().getParent();
        // Beside the model, so that external data it names resolves; named after this process so that a killed
        // sweep's leftovers are removed by the next one.
        Path tmp = AtomicFiles.createProcessTempFile(Files.isWritable(dir) ? dir
                : Path.of(System.getProperty("java.io.tmpdir")), TEMP_PREFIX, ".onnx");
        Files.delete(tmp);
        // Changed tensors go inline (below 2 GB), unchanged external ones keep naming the model's own data file:
        // no data file of the scratch copy's own is left beside the model.
        OnnxWriter.forScratchCopies().write(model, updates, attributes, Set.of(), Map.of(), tmp, ProgressListener.NONE,
                cancel);
        return tmp;
    }
}
