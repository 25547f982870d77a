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
    void aReadOutOfOrderFallsBackToAScan() {
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
