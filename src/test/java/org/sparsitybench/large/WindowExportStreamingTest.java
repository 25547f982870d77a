package org.sparsitybench.large;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.cli.BenchLargeCommand;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.eval.PrunePipeline;

/**
 * The window's export streams like {@code prune}: an engine result on a generated 75M-weight BF16 checkpoint
 * (150 MB, 300 MB as float32) goes through {@link PrunePipeline#exportRequest} and {@link PruneExport#write}, as the
 * export dialog does, in a child JVM whose heap is about a third of the file ({@link WindowExportMain}).
 */
class WindowExportStreamingTest {
    private static final long HEAP_MB = 48;
    private static final double PARAMS = 7.5e7;
    private static final double SPARSITY = 0.6;

    @TempDir
    Path dir;

    @Test
    void theExportDialogsRequestStreamsACheckpointThreeTimesTheHeap() throws Exception {
        Path file = dir.resolve("llama-like.safetensors");
        Path out = dir.resolve("window.safetensors");
        BenchLargeCommand.Shape shape = BenchLargeCommand.Shape.forParams(PARAMS);
        long fileBytes = BenchLargeCommand.generate(file, shape, "BF16", 11);
        assertTrue(fileBytes > 2.9 * (HEAP_MB << 20), "the file (" + fileBytes + " bytes) is about three times the heap");

        StreamedExports.Child c = StreamedExports.run(dir, HEAP_MB, WindowExportMain.class.getName(), file.toString(),
                out.toString(), Double.toString(SPARSITY));
        assertEquals(0, c.exit(), c.err());
        assertEquals(PruneExport.reportFile(out).toString(), c.out().strip());
        assertEquals(fileBytes, Files.size(file), "the opened model is never written");
        StreamedExports.verify(file, out, SPARSITY, shape.params());
    }
}
