package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChannelRoundingTest {
    @ParameterizedTest(name = "{0} channels, remove {1}, multiple {2}: remove {3}")
    @CsvSource(textBlock = """
            16, 5, 8, 8
            16, 3, 8, 0
            16, 4, 8, 0
            32, 10, 8, 8
            32, 13, 8, 16
            20, 3, 8, 4
            20, 1, 8, 0
            20, 19, 8, 12
            6, 3, 8, 3
            16, 5, 1, 5
            16, 0, 8, 0
            64, 20, 16, 16
            """)
    void keptChannelsBecomeTheNearestMultiple(int channels, int remove, int multiple, int expected) {
        assertEquals(expected, ChannelRounding.remove(channels, remove, multiple));
    }
}
