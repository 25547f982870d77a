package org.sparsitybench.ui.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparsitybench.task.CancelledException;

/** Typed callbacks of a foreground task, on the calling thread ({@link FxTaskExecutor#direct()}). */
class BackgroundTaskTest {
    private record Opened(String name, int layers) {
    }

    private final FxTaskExecutor executor = FxTaskExecutor.direct();
    private final List<String> heard = new ArrayList<>();

    private BackgroundTask<Opened> callbacks(BackgroundTask<Opened> t) {
        return t.onSucceeded(o -> heard.add("succeeded " + o.name() + " " + o.layers()))
                .onFailed(e -> heard.add("failed " + e.getMessage()))
                .onCancelled(() -> heard.add("cancelled"));
    }

    @Test
    void exactlyOneCallbackHearsHowTheTaskEnded() {
        assertTrue(callbacks(executor.foreground("open", (p, c) -> new Opened("m", 3))).start());
        assertTrue(callbacks(executor.foreground("open", (p, c) -> {
            throw new java.io.IOException("m.onnx: truncated");
        })).start());
        assertTrue(callbacks(executor.foreground("open", (p, c) -> {
            throw new CancelledException();
        })).start());
        assertEquals(List.of("succeeded m 3", "failed m.onnx: truncated", "cancelled"), heard);
        assertFalse(executor.busyProperty().get());
        assertEquals("open: cancelled", executor.messageProperty().get());
    }

    @Test
    void aSecondForegroundTaskIsRefusedWhileOneRuns() {
        boolean[] nested = new boolean[1];
        executor.foreground("outer", (p, c) -> {
            nested[0] = callbacks(executor.foreground("inner", (p2, c2) -> new Opened("x", 1))).start();
            return new Opened("outer", 0);
        }).start();
        assertFalse(nested[0], "refused while the outer task runs");
        assertEquals(List.of(), heard, "and none of its callbacks ran");
    }
}
