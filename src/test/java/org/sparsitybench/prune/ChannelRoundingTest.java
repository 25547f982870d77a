package org.sparsitybench.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChannelRoundingTest {
    /** One group alone: the multiple nearest what it was asked to keep (ties keep more), as before. */
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
    void aGroupAloneKeepsTheNearestMultiple(int channels, int remove, int multiple, int expected) {
        assertArrayEquals(new int[] {expected}, ChannelRounding.removeKeepingTotal(new int[] {channels},
                new int[] {remove}, new double[] {1}, multiple));
    }

    /**
     * fashion-resnet-mini at 30 %: three 16-channel groups (the residual trunk, 297 weights a channel; two inner
     * convs, 144) and two 32-channel ones. Nearest rounding cut every 16-channel group to 8 (34 % of the weights);
     * keeping the total halves the two 32-channel groups and keeps the narrow ones (29.8 %).
     */
    @Test
    void theWidestGroupsGiveUpChannelsUntilTheTotalIsKept() {
        assertArrayEquals(new int[] {0, 0, 0, 16, 16}, ChannelRounding.removeKeepingTotal(
                new int[] {16, 16, 16, 32, 32}, new int[] {5, 5, 5, 10, 10}, new double[] {297, 144, 144, 144, 304}, 8));
    }

    @Test
    void equalGroupsShareTheRoundingSoTheTotalIsExact() {
        assertArrayEquals(new int[] {32, 16, 16, 16}, ChannelRounding.removeKeepingTotal(
                new int[] {64, 64, 64, 64}, new int[] {20, 20, 20, 20}, new double[] {1, 1, 1, 1}, 16));
    }
}
