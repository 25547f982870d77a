package org.sparsitybench.formats.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The seeded validation hold-out: sizes, disjointness, and the same split for the same seed. */
class InMemoryDataTest {
    /** 100 one-value samples whose value is their index, label index % 10. */
    private static InMemoryData hundred() {
        float[] v = new float[100];
        int[] l = new int[100];
        for (int i = 0; i < 100; i++) {
            v[i] = i;
            l[i] = i % 10;
        }
        return new InMemoryData(Path.of("hundred.csv"), "train", v, l, new long[] {1});
    }

    private static Set<Float> values(InMemoryData d) {
        Set<Float> s = new HashSet<>();
        for (float f : d.values()) {
            s.add(f);
        }
        return s;
    }

    @Test
    void aTenPercentHoldOutIsDisjointFromTheTrainingPartAndCoversEverySample() {
        InMemoryData[] split = hundred().holdOut(0.1, 7);
        assertEquals(90, split[0].count());
        assertEquals(10, split[1].count());
        assertEquals("train", split[0].role());
        assertEquals("validation", split[1].role());
        Set<Float> train = values(split[0]);
        Set<Float> all = new HashSet<>(train);
        all.addAll(values(split[1]));
        assertEquals(100, all.size());
        for (int i = 0; i < split[1].count(); i++) {
            assertEquals((int) split[1].values()[i] % 10, split[1].labels()[i], "labels travel with their samples");
        }
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        assertArrayEquals(hundred().holdOut(0.1, 7)[1].values(), hundred().holdOut(0.1, 7)[1].values());
        assertFalse(Arrays.equals(hundred().holdOut(0.1, 7)[1].values(), hundred().holdOut(0.1, 8)[1].values()));
    }

    @Test
    void theValidationPartAloneIsTheHoldOutsValidationPart() {
        InMemoryData held = hundred().validationPart(0.1, 7);
        assertArrayEquals(hundred().holdOut(0.1, 7)[1].values(), held.values());
        assertEquals("validation", held.role());
    }

    @Test
    void aSplitOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> hundred().holdOut(1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> hundred().holdOut(0, 1));
    }
}
