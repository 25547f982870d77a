package org.sparsitybench.formats.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.model.ModelFormatException;

/** CSV datasets: features then a label, streamed from the file in batches. */
class CsvDataTest {
    @TempDir
    Path dir;

    @Test
    void aHeaderIsSkippedAndBatchesFollowTheFile() throws Exception {
        Path f = dir.resolve("d.csv");
        Files.writeString(f, "a,b,label\n1,2,0\n\n3,4,1\n5,6,2\n");
        LabeledData d = Datasets.open(f);
        assertEquals(3, d.count());
        assertArrayEquals(new long[] {2}, d.sampleShape());
        try (LabeledData.Cursor c = d.batches(2)) {
            LabeledData.Batch a = c.next();
            assertArrayEquals(new float[] {1, 2, 3, 4}, a.values());
            assertArrayEquals(new int[] {0, 1}, a.labels());
            LabeledData.Batch b = c.next();
            assertArrayEquals(new float[] {5, 6}, b.values());
            assertEquals(2, b.first());
            assertNull(c.next());
        }
    }

    @Test
    void badRowsNameTheirRecord() throws Exception {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "1,2,0\n3,x,1\n");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Datasets.open(f));
        assertTrue(e.getMessage().contains("record 1"), e.getMessage());
        Files.writeString(f, "1,2,0\n3,4\n");
        assertThrows(ModelFormatException.class, () -> Datasets.open(f));
        Files.writeString(f, "1,2,-1\n");
        assertTrue(assertThrows(ModelFormatException.class, () -> Datasets.open(f)).getMessage().contains("class index"));
    }
}
