package org.sparsitybench.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskContractTest {
    @Test
    void aSubRangeMapsProgressOntoItsShareOfTheWhole() {
        List<Double> seen = new ArrayList<>();
        ProgressListener whole = (f, m) -> seen.add(f);
        ProgressListener second = whole.range(0.5, 0.75);
        second.progress(0, "start");
        second.progress(0.5, "half");
        second.progress(1, "end");
        assertEquals(List.of(0.5, 0.625, 0.75), seen);
    }

    @Test
    void aRangeOutsideZeroToOneIsRejectedWithItsBounds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProgressListener.NONE.range(0.8, 1.2));
        assertTrue(e.getMessage().contains("1.2"), e.getMessage());
    }

    @Test
    void aCancelledSourceThrowsAtTheNextCheck() throws Exception {
        CancellationToken.Source source = CancellationToken.newSource();
        LongTask<Integer> task = (progress, cancel) -> {
            cancel.throwIfCancelled();
            return 1;
        };
        assertEquals(1, task.run(ProgressListener.NONE, source));
        source.cancel();
        assertTrue(source.isCancelled());
        assertThrows(CancelledException.class, () -> task.run(ProgressListener.NONE, source));
        assertFalse(CancellationToken.NONE.isCancelled());
    }
}
