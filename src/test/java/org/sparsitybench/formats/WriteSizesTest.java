package org.sparsitybench.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteSizesTest {
    private static final int SMALL = BackgroundWrites.WRITE_BYTES;
    private static final int LARGE = 1 << 20;

    /**
     * Feeds {@code sizes} buffers of 1 MiB, each written at {@code smallNsPerByte} or {@code largeNsPerByte} by the
     * size it was given, until one is chosen; the sizes given, in order.
     */
    private static List<Integer> trial(WriteSizes sizes, double smallNsPerByte, double largeNsPerByte) {
        List<Integer> given = new ArrayList<>();
        while (sizes.chosen() < 0) {
            int size = sizes.next();
            given.add(size);
            double rate = size == SMALL ? smallNsPerByte : largeNsPerByte;
            sizes.record(LARGE, Math.round(rate * LARGE));
            if (given.size() > 1000) {
                throw new AssertionError("no size chosen after " + given.size() + " buffers");
            }
        }
        return given;
    }

    @Test
    void theTwoSizesTakeTurnsUntilEachWroteItsTrialThenTheCheaperIsKept() {
        WriteSizes slowLarge = WriteSizes.measured();
        List<Integer> given = trial(slowLarge, 0.5, 2.0);
        long trials = WriteSizes.TRIAL_BYTES / LARGE;
        assertEquals(2 * trials, given.size(), "each size writes its trial bytes: " + given);
        for (int i = 0; i < given.size(); i++) {
            assertEquals(i % 2 == 0 ? SMALL : LARGE, given.get(i), "in turns, small first: " + given);
        }
        assertEquals(SMALL, slowLarge.chosen());
        for (int i = 0; i < 5; i++) {
            assertEquals(SMALL, slowLarge.next(), "kept for the rest of the file");
            slowLarge.record(LARGE, 10 * LARGE); // later times change nothing
        }
        assertEquals(SMALL, slowLarge.chosen());

        WriteSizes slowSmall = WriteSizes.measured();
        trial(slowSmall, 1.2, 0.9);
        assertEquals(LARGE, slowSmall.chosen());
        assertEquals(LARGE, slowSmall.next());
    }

    @Test
    void aFixedSizeIsChosenFromTheStart() {
        WriteSizes fixed = WriteSizes.fixed(5);
        assertEquals(5, fixed.chosen());
        assertEquals(5, fixed.next());
        fixed.record(100, 1);
        assertEquals(5, fixed.next());
        assertThrows(IllegalArgumentException.class, () -> WriteSizes.fixed(0));
    }
}
