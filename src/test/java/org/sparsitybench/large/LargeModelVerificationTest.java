package org.sparsitybench.large;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.formats.TensorUpdate;
import org.sparsitybench.formats.safetensors.SafeTensorsWriter;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.Mask;
import org.sparsitybench.prune.Masking;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;
import org.sparsitybench.tools.bench.large.ExportVerification;
import org.sparsitybench.tools.bench.large.LlamaCheckpoint;
import org.sparsitybench.tools.bench.large.LlamaShape;

/** The generated checkpoint has LLaMA's names and shapes, and the export check catches exports that are wrong. */
class LargeModelVerificationTest {
    @TempDir
    Path dir;

    private Model model;
    private PruningResult result;

    @BeforeEach
    void pruneASmallCheckpoint() throws Exception {
        Path file = dir.resolve("small.safetensors");
        LlamaCheckpoint.generate(file, LlamaShape.forParams(3e6), "BF16", 11);
        model = ModelFiles.read(file);
        result = new PruningEngine(model).run(PruningConfig.of(GlobalSettings.of(0.5, "magnitude", Allocation.GLOBAL)),
                ProgressListener.NONE, CancellationToken.NONE);
    }

    @Test
    void shapesFollowLlama() {
        assertEquals(new LlamaShape(4096, 11008, 32), LlamaShape.forParams(6.7e9));
        assertEquals(new LlamaShape(2048, 5632, 17), LlamaShape.forParams(1e9));
        long[] gate = LlamaShape.forParams(1e9).tensors().get("model.layers.16.mlp.gate_proj.weight");
        assertEquals(List.of(5632L, 2048L), List.of(gate[0], gate[1]));
        assertEquals(LlamaShape.forParams(3e6).params(), model.totalParams());
        assertEquals(List.of("model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight"),
                model.tensors().subList(0, 2).stream().map(WeightTensor::name).toList());
        assertFalse(model.tensor("model.norm.weight").orElseThrow().prunable());
        assertTrue(model.tensor("lm_head.weight").orElseThrow().prunable());
    }

    @Test
    void theMaskedExportVerifies() throws Exception {
        ExportVerification v = ExportVerification.check(model, export(masked()), result);
        assertTrue(v.ok(), v.problems().toString());
        assertEquals(model.prunableTensors().size(), v.prunedTensors());
        assertEquals(model.tensors().size() - model.prunableTensors().size(), v.untouchedIdentical());
    }

    @Test
    void anUnprunedTensorInTheExportFailsVerification() throws Exception {
        Map<String, TensorUpdate> updates = masked();
        updates.remove("lm_head.weight");
        ExportVerification v = ExportVerification.check(model, export(updates), result);
        assertFalse(v.ok());
        assertEquals(1, v.problems().size(), v.problems().toString());
        assertTrue(v.problems().get(0).startsWith("lm_head.weight: "), v.problems().toString());
    }

    @Test
    void aChangedNormFailsVerification() throws Exception {
        Map<String, TensorUpdate> updates = masked();
        WeightTensor norm = model.tensor("model.norm.weight").orElseThrow();
        float[] values = norm.data().readAllFloats();
        values[3] = 0f;
        updates.put(norm.name(), new TensorUpdate(norm.shape(), TensorData.ofFloats(values)));
        ExportVerification v = ExportVerification.check(model, export(updates), result);
        assertEquals(List.of("model.norm.weight: not byte-identical"), v.problems());
    }

    private Map<String, TensorUpdate> masked() {
        Map<String, TensorUpdate> updates = new LinkedHashMap<>();
        for (Map.Entry<String, Mask> e : result.masks().entrySet()) {
            WeightTensor t = model.tensor(e.getKey()).orElseThrow();
            updates.put(t.name(), new TensorUpdate(t.shape(), Masking.masked(t.data(), e.getValue())));
        }
        return updates;
    }

    private Model export(Map<String, TensorUpdate> updates) throws Exception {
        Path out = dir.resolve("export-" + updates.hashCode() + ".safetensors");
        new SafeTensorsWriter().write(model, updates, Map.of(), out);
        return ModelFiles.read(out);
    }
}
