package org.sparsitybench.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.train.ImageSet;

/** Reading scikit-learn's digits CSV: 64 pixels then the label per line. */
class DigitsCsvTest {
    @TempDir
    Path dir;

    @Test
    void readsPixelsAndLabels() throws IOException {
        String row1 = String.join(",", Collections.nCopies(64, "16")) + ",3";
        String row2 = String.join(",", Collections.nCopies(64, "0")) + ",9";
        Path csv = Files.writeString(dir.resolve("d.csv"), row1 + "\n" + row2 + "\n");
        ImageSet set = DigitsCsv.read(csv);
        assertEquals(2, set.count());
        assertEquals(16f, set.values()[63]);
        assertEquals(0f, set.values()[64]);
        assertArrayEquals(new int[] {3, 9}, set.labels());
    }

    @Test
    void aShortLineIsAFormatErrorNamingTheLine() throws IOException {
        String ok = String.join(",", Collections.nCopies(64, "1")) + ",3";
        Path csv = Files.writeString(dir.resolve("d.csv"), ok + "\n1,2,3\n");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> DigitsCsv.read(csv));
        assertEquals("line 2", e.place());
        assertTrue(e.problem().startsWith("3 values"), e.getMessage());
    }

    @Test
    void aPixelAboveSixteenIsAFormatError() throws IOException {
        Path csv = Files.writeString(dir.resolve("d.csv"), "17," + String.join(",", Collections.nCopies(63, "0")) + ",1\n");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> DigitsCsv.read(csv));
        assertTrue(e.problem().contains("outside 0..16"), e.getMessage());
    }
}
