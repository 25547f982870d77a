package org.sparsitybench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The learning-rate schedules' values over a run of 100 steps from lr = 1, and their names. */
class LrScheduleTest {
    @ParameterizedTest
    @CsvSource(textBlock = """
            cosine,   0,  1
            cosine,   50, 0.5
            cosine,   99, 0.000246719817
            step,     0,  1
            step,     49, 1
            step,     50, 0.1
            step,     74, 0.1
            step,     75, 0.01
            step,     99, 0.01
            constant, 0,  1
            constant, 99, 1
            """)
    void eachScheduleGivesItsRateAtAStep(String id, long step, double rate) {
        assertEquals(rate, LrSchedule.parse(id).at(1, step, 100), 1e-9);
    }

    @Test
    void idsAreTheCommandLineNamesAndAnUnknownOneIsRefusedNamingThem() {
        assertEquals(List.of("cosine", "step", "constant"), LrSchedule.ids());
        assertEquals(LrSchedule.STEP, LrSchedule.parse("STEP"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse("linear"));
        assertEquals("unknown learning-rate schedule 'linear'; one of [cosine, step, constant]", e.getMessage());
    }
}
