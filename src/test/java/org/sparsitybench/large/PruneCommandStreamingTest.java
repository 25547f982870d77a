package org.sparsitybench.large;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.tools.bench.large.LlamaCheckpoint;
import org.sparsitybench.tools.bench.large.LlamaShape;

/**
 * The user's command streams too: {@code sparsitybench prune} on a generated 150M-weight BF16 checkpoint (300 MB,
 * 600 MB as float32) in a child JVM whose heap is about a third of the file. An export that built a float array
 * per pruned tensor (the whole model as float32) fails there with OutOfMemoryError; the command must instead
 * finish, and its export, re-read here, must hold exactly the kept weights and zeros where it pruned, with every
 * other tensor byte-identical to the source.
 */
class PruneCommandStreamingTest {
    private static final long HEAP_MB = 96;
    private static final double PARAMS = 1.5e8;
    private static final double SPARSITY = 0.6;

    @TempDir
    Path dir;

    @Test
    void pruningACheckpointThreeTimesTheHeapStreamsTheExport() throws Exception {
        Path file = dir.resolve("llama-like.safetensors");
        Path out = dir.resolve("llama-like.pruned.safetensors");
        LlamaShape shape = LlamaShape.forParams(PARAMS);
        long fileBytes = LlamaCheckpoint.generate(file, shape, "BF16", 7);
        assertTrue(fileBytes > 2.9 * (HEAP_MB << 20), "the file (" + fileBytes + " bytes) is about three times the heap");

        StreamedExports.Child c = StreamedExports.run(dir, HEAP_MB, SparsityBenchCli.class.getName(), "prune",
                file.toString(), "--out", out.toString(), "--sparsity", Double.toString(SPARSITY), "--method",
                "magnitude", "--allocation", "global");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("60.00% achieved") && c.out().contains("report: "), c.out());
        assertEquals(fileBytes, Files.size(file), "the input is never written");
        StreamedExports.verify(file, out, SPARSITY, shape.params());
    }
}
