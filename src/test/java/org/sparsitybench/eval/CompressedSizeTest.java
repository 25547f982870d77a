package org.sparsitybench.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompressedSizeTest {
    @TempDir
    Path dir;

    /** Pruned-like float32 weights: {@code zeros} of them zero at random places, the rest ~N(0, 0.02). */
    private Path weights(String name, int megabytes, double zeros, long seed) throws Exception {
        Random rnd = new Random(seed);
        ByteBuffer b = ByteBuffer.allocate(megabytes << 20).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            b.putFloat(rnd.nextDouble() < zeros ? 0f : (float) (rnd.nextGaussian() * 0.02));
        }
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    @Test
    void theDefaultEstimateIsWithinThreePercentOfTheExactSizeAndSaysSo() throws Exception {
        Path f = weights("w.bin", 6, 0.5, 1);
        CompressedSize.Size estimate = CompressedSize.of(f, false);
        long exact = CompressedSize.exact(f);
        assertFalse(estimate.exact());
        assertTrue(estimate.method().startsWith("estimate: DEFLATE level 6 of 16 blocks of 64 KiB"), estimate.method());
        assertTrue(Math.abs(estimate.bytes() - exact) < 0.03 * exact, estimate.bytes() + " estimated, " + exact
                + " exact");
        CompressedSize.Size asked = CompressedSize.of(f, true);
        assertEquals(new CompressedSize.Size(exact, true, CompressedSize.exactMethod()), asked);
    }

    @Test
    void aPairIsEstimatedWhenEitherFileIsLargerThanTheSample() throws Exception {
        Path small = weights("small.bin", 1, 0.0, 2);
        Path large = weights("large.bin", 5, 0.8, 3);
        CompressedSize.Pair p = CompressedSize.of(small, large, false);
        assertFalse(p.exact());
        assertEquals(CompressedSize.exact(small), p.before().bytes(), "a file within the sample is compressed whole");
        assertTrue(p.after().bytes() < 0.5 * Files.size(large), "80 % zeros compress: " + p.after().bytes());
        CompressedSize.Pair exact = CompressedSize.of(small, large, true);
        assertTrue(exact.exact());
        assertEquals(CompressedSize.exact(large), exact.after().bytes());
    }
}
