package org.sparsitybench.large;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.app.Cli;
import org.sparsitybench.tools.bench.large.LlamaShape;

/**
 * The large-model path streams: {@code bench large} on a generated 150M-weight BF16 checkpoint (300 MB, 600 MB as
 * float32) runs in a child JVM whose heap is a third of the file. Any step that copied the model into the heap,
 * as bytes or as floats (a reader buffering the file, an export building float arrays for every tensor), would
 * fail with OutOfMemoryError; the run must instead finish, prune globally to the target and verify its export.
 */
class LargeModelStreamingTest {
    private static final String HEAP = "-Xmx96m";
    private static final double PARAMS = 1.5e8;

    @TempDir
    Path dir;

    @Test
    void aCheckpointThreeTimesTheHeapIsPrunedAndExportedByStreaming() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Cli.class.getName(), "bench", "large", "--params", Double.toString(PARAMS),
                "--repeats", "1", "--sparsity", "0.6", "--dir", dir.toString()));
        Path out = dir.resolve("out.json");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean finished = p.waitFor(300, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly().waitFor();
        }
        String errors = Files.readString(err, StandardCharsets.UTF_8);
        assertTrue(finished, "bench large finished in time; stderr: " + errors);
        assertEquals(0, p.exitValue(), errors);
        assertTrue(!errors.contains("OutOfMemoryError"), errors);

        JsonNode json = new ObjectMapper().readTree(out.toFile());
        long fileBytes = json.at("/file/bytes").asLong();
        long maxHeap = json.at("/memory/maxHeapMB").asLong() << 20;
        assertTrue(fileBytes > 3 * maxHeap, "file " + fileBytes + " bytes, heap " + maxHeap);
        assertEquals(LlamaShape.forParams(PARAMS).params(), json.at("/file/params").asLong());

        JsonNode th = json.get("globalThreshold");
        long prunable = th.get("prunableParams").asLong();
        assertEquals(Math.rint(0.6 * prunable), th.get("pruned").asLong(), 0.0);
        assertTrue(th.get("targetMet").asBoolean());

        JsonNode export = json.get("export");
        assertTrue(export.get("verified").asBoolean(), export.toString());
        assertEquals(json.at("/layerList/prunableTensors").asInt(), export.get("prunedTensors").asInt());
        assertEquals(export.get("prunedTensors").asInt(), export.get("prunedTensorsMatchingMasks").asInt());
        assertTrue(export.get("untouchedTensors").asInt() > 0, "norms are copied, not pruned");
        assertEquals(export.get("untouchedTensors").asInt(), export.get("untouchedTensorsByteIdentical").asInt());
        assertTrue(export.get("zerosInExportedPrunableTensors").asLong() >= th.get("pruned").asLong());
        assertTrue(json.at("/memory/peakHeapUsedSampledMB").asLong() <= json.at("/memory/maxHeapMB").asLong());
        try (var left = Files.list(dir)) {
            assertEquals(List.of("err.txt", "out.json"), left.map(f -> f.getFileName().toString()).sorted().toList(),
                    "the generated file and the export are deleted without --keep");
        }
    }
}
