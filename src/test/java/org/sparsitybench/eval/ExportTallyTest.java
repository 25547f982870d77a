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
        assertCountedAsAScanWould(tally, values, 100);
    }

    /** Tensor "w" of {@code tally} counted from the stream, its zeros and its 10 channels' non-zeros as a scan says. */
    private static void assertCountedAsAScanWould(ExportTally tally, float[] values, int inner) {
        assertTrue(tally.counted("w"));
        assertEquals(TensorStats.of(TensorData.ofFloats(values)).zeros(), tally.zeros("w", TensorData.ofFloats(values)));
        long[] perChannel = tally.nonZerosPerChannel("w");
        for (int c = 0; c < 10; c++) {
            long nonZeros = 0;
            for (int i = inner * c; i < inner * c + inner; i++) {
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

    /** Float values that tell their zeros in a range without being read (as a |w| mask keeping no zero does). */
    private static final class Knowing implements TensorData {
        final float[] values;
        final long unknownFrom;
        final java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();

        Knowing(float[] values, long unknownFrom) {
            this.values = values;
            this.unknownFrom = unknownFrom;
        }

        @Override
        public org.sparsitybench.model.DType dtype() {
            return org.sparsitybench.model.DType.FLOAT;
        }

        @Override
        public long elementCount() {
            return values.length;
        }

        @Override
        public void readFloats(long first, FloatBuffer dst) {
            dst.put(values, (int) first, Math.min(dst.remaining(), values.length - (int) first));
        }

        @Override
        public long zerosIfKnown(long first, int count) {
            asked.incrementAndGet();
            if (first + count > unknownFrom) {
                return -1;
            }
            long z = 0;
            for (long i = first; i < first + count; i++) {
                z += values[(int) i] == 0 ? 1 : 0;
            }
            return z;
        }
    }

    @Test
    void dataThatKnowsItsZerosIsOnlyCheckedForCoverageAndAskedAtTheEnd() throws Exception {
        float[] values = new float[4000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 3 == 0 ? 0f : i;
        }
        Knowing data = new Knowing(values, Long.MAX_VALUE);
        ExportTally tally = new ExportTally();
        TensorData view = tally.observe(Map.of("w", data), Map.of("w", new ExportTally.Channels(400, 10))).get("w");
        int[] starts = {3000, 0, 1000, 2000};
        Thread other = new Thread(() -> view.readFloats(starts[0], FloatBuffer.allocate(1000)));
        other.start();
        for (int c = 1; c < 4; c++) {
            view.readFloats(starts[c], FloatBuffer.allocate(1000));
        }
        other.join();
        assertEquals(4, data.asked.get(), "one probe per chunk while reading, no count per channel segment");
        assertCountedAsAScanWould(tally, values, 400);
    }

    @Test
    void shortRowsOrDataThatStopsKnowingAreCountedOrScannedAsBefore() {
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 4 == 0 ? 0f : 1f;
        }
        // Rows of 10: a call per row at the end would cost more than counting each chunk as it comes.
        ExportTally shortRows = new ExportTally();
        Knowing data = new Knowing(values, Long.MAX_VALUE);
        TensorData view = shortRows.observe(Map.of("w", data), Map.of("w", new ExportTally.Channels(10, 100)))
                .get("w");
        view.readFloats(0, FloatBuffer.allocate(1000));
        long[] perChannel = shortRows.nonZerosPerChannel("w");
        for (int c = 0; c < 100; c++) {
            assertEquals(values[10 * c] == 0 ? 7 : 8, perChannel[c], "channel " + c);
        }
        assertEquals(250, shortRows.zeros("w", TensorData.ofFloats(values)));

        // Known for the first half only: the two ways of counting do not mix; the report scans.
        ExportTally mixed = new ExportTally();
        TensorData half = mixed.observe(Map.of("w", new Knowing(values, 500)),
                Map.of("w", new ExportTally.Channels(500, 2))).get("w");
        half.readFloats(0, FloatBuffer.allocate(500));
        half.readFloats(500, FloatBuffer.allocate(500));
        assertFalse(mixed.counted("w"));
        assertEquals(250, mixed.zeros("w", TensorData.ofFloats(values)), "scanned");
    }
}
