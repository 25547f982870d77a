package org.sparsitybench.tools.bench.large;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.Masking;
import org.sparsitybench.prune.PruningResult;

/** Export: what {@code bench large} hands the format's writer, which streams it to disk. */
final class StreamedExport {
    /** The writer's metadata entry naming what wrote the export. */
    static final Map<String, String> METADATA = Map.of("sparsitybench", "bench large");

    private StreamedExport() {
    }

    /**
     * One update per tensor the result prunes: its values seen through the mask (a lazy view, so nothing is
     * copied until the writer streams it).
     *
     * @param model  the source (not modified)
     * @param result the engine's masks (not modified)
     */
    static Map<String, TensorUpdate> maskedUpdates(Model model, PruningResult result) {
        Map<String, TensorUpdate> updates = new LinkedHashMap<>();
        for (Map.Entry<String, Mask> e : result.masks().entrySet()) {
            if (e.getValue().prunedCount() > 0) {
                WeightTensor t = model.tensor(e.getKey()).orElseThrow();
                updates.put(t.name(), new TensorUpdate(t.shape(), Masking.masked(t.data(), e.getValue())));
            }
        }
        return updates;
    }
}
