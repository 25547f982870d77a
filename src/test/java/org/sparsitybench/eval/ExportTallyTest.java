package org.sparsitybench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparsitybench.model.TensorData;
import org.sparsitybench.model.TensorStats;

class ExportTallyTest {
    private static final float[] VALUES = {0f, -0f, 1f, Float.NaN, Float.POSITIVE_INFINITY, 2f, 0f,
            Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -3f};

    @Test
    void aTensorReadOnceInOrderIsCountedFromTheStream() {
        ExportTally tally = new ExportTally();
        TensorData view = tally.observe(Map.of("w", TensorData.ofFloats(VALUES.clone()))).get("w");
        float[] chunk = new float[4];
        for (int at = 0; at < VALUES.length; at += 4) {
            int len = Math.min(4, VALUES.length - at);
            view.readFloats(at, FloatBuffer.wrap(chunk, 0, len));
        }
        assertTrue(tally.counted("w"));
        assertEquals(3, tally.zeros("w", TensorData.ofFloats(new float[VALUES.length])),
                "counted from the stream, not from the (all-zero) data handed to zeros");
        assertEquals(TensorStats.of(TensorData.ofFloats(VALUES)).zeros(), tally.zeros("w", TensorData.ofFloats(VALUES)));
    }

    @Test
    void chunksInAnyOrderAreCountedWhenTheyCoverTheTensorOnce() throws Exception {
        ExportTally tally = new ExportTally();
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 7 == 0 ? 0f : i;
        }
        TensorData view = tally.observe(Map.of("w", TensorData.ofFloats(values)), Map.of("w",
                new ExportTally.Channels(100, 10))).get("w");
        int[] starts = {900, 0, 300, 100, 600, 200, 700, 400, 800, 500};
        Thread other = new Thread(() -> {
            for (int c = 0; c < 5; c++) {
                view.readFloats(starts[c], FloatBuffer.allocate(100));
            }
        });
        other.start();
        for (int c = 5; c < 10; c++) {
            view.readFloats(starts[c], FloatBuffer.allocate(100));
        }
        other.join();
        assertTrue(tally.counted("w"));
        assertEquals(TensorStats.of(TensorData.ofFloats(values)).zeros(), tally.zeros("w", TensorData.ofFloats(values)));
        long[] perChannel = tally.nonZerosPerChannel("w");
        for (int c = 0; c < 10; c++) {
            long nonZeros = 0;
            for (int i = 100 * c; i < 100 * c + 100; i++) {
                nonZeros += values[i] != 0 ? 1 : 0;
            }
            assertEquals(nonZeros, perChannel[c], "channel " + c);
        }
    }

    @Test
    void aTensorReadTwiceFallsBackToAScan() {
        ExportTally tally = new ExportTally();
        TensorData view = tally.observe(Map.of("w", TensorData.ofFloats(VALUES.clone()))).get("w");
        view.readFloats(0, FloatBuffer.allocate(5));
        view.readFloats(0, FloatBuffer.allocate(10)); // read again from the start: the count is no longer trusted
        assertFalse(tally.counted("w"));
        assertEquals(3, tally.zeros("w", TensorData.ofFloats(VALUES)));
    }

    @Test
    void aPartlyReadTensorIsScanned() {
        ExportTally tally = new ExportTally();
        TensorData view = tally.observe(Map.of("w", TensorData.ofFloats(VALUES.clone()))).get("w");
        view.readFloats(0, FloatBuffer.allocate(6));
        assertFalse(tally.counted("w"));
        assertEquals(10, tally.zeros("w", TensorData.ofFloats(new float[10])));
    }
}
