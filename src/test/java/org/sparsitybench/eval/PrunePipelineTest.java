package org.sparsitybench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.testing.Fixtures;

/** The one way from a configuration to an export request, as {@code prune} and the window's export use it. */
class PrunePipelineTest {
    @TempDir
    Path dir;

    private Model copyOf(String sample) throws Exception {
        Path copy = dir.resolve(sample + ".onnx");
        Files.copy(Fixtures.projectDir().resolve("sample-models").resolve(sample).resolve("model.onnx"), copy);
        return ModelFiles.read(copy);
    }

    private static PrunePipeline.Request request(Model m, PruningConfig config) {
        return new PrunePipeline.Request(m, m.file(), config.global().method(), config, null, 128, null, Set.of());
    }

    private PruneExport.Options options(boolean compact) {
        return new PruneExport.Options(dir.resolve(compact ? "c.onnx" : "m.onnx"), compact, false);
    }

    @Test
    void aStructuredResultReportsTheSameGroupsWithAndWithoutCompaction() throws Exception {
        Model m = copyOf("fashion-lenet-300-100");
        PrunePipeline.Pruned p = PrunePipeline.prune(request(m, PruningConfig.of(new GlobalSettings(0.5,
                "l1-structured", Allocation.UNIFORM, null, 0, null))), ProgressListener.NONE, CancellationToken.NONE);
        PruneExport.Request plain = PrunePipeline.exportRequest(p, options(false), CancellationToken.NONE);
        PruneExport.Request compacted = PrunePipeline.exportRequest(p, options(true), CancellationToken.NONE);
        JsonNode groups = plain.extra().get("groups");
        assertEquals(groups, compacted.extra().get("groups"));
        int removed = 0;
        for (JsonNode g : groups) {
            removed += g.get("removed").asInt();
        }
        assertTrue(removed > 0, groups.toString());
        // The compacted tensors are narrower by exactly the removed channels.
        long slicedParams = compacted.compaction().tensors().values().stream().mapToLong(t -> t.values().length).sum();
        long denseParams = compacted.compaction().tensors().keySet().stream()
                .mapToLong(n -> m.tensor(n).orElseThrow().elementCount()).sum();
        assertTrue(slicedParams < denseParams, slicedParams + " of " + denseParams);
    }

    @Test
    void theWindowsExportOfAnNmResultCountsItsPatternViolationsAsPruneDoes() throws Exception {
        Model m = copyOf("fashion-lenet-300-100");
        PruningConfig config = PruningConfig.of(new GlobalSettings(0.5, "nm", Allocation.UNIFORM, "2:4", 0, null));
        PrunePipeline.Pruned p = PrunePipeline.prune(request(m, config), ProgressListener.NONE, CancellationToken.NONE);
        PruneExport.Request window = PrunePipeline.exportRequest(m, p.result(), options(false), CancellationToken.NONE);
        assertEquals("2:4", window.extra().get("nmPattern").asText());
        assertEquals(0, window.extra().get("nmViolations").asInt());
        assertEquals(window.extra(), PrunePipeline.exportRequest(p, options(false), CancellationToken.NONE).extra());
    }

    @Test
    void aSensitivityAllocationWithoutDataIsRefusedNamingTheModel() throws Exception {
        Model m = copyOf("digits-mlp");
        PruningConfig config = PruningConfig.of(GlobalSettings.of(0.5, "magnitude", Allocation.SENSITIVITY));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrunePipeline.prune(
                request(m, config), ProgressListener.NONE, CancellationToken.NONE));
        assertTrue(e.getMessage().contains(m.file().toString()) && e.getMessage().contains("sensitivity"),
                e.getMessage());
    }
}
