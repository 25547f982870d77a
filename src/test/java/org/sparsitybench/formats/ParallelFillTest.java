package org.sparsitybench.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelFillTest {
    @Test
    void everyPieceIsFilledOnceOnTwoThreads() throws IOException {
        for (boolean helper : new boolean[] {true, false}) {
            try (ParallelFill fill = new ParallelFill(helper)) {
                for (int round = 0; round < 50; round++) {
                    AtomicIntegerArray filled = new AtomicIntegerArray(37);
                    Set<String> threads = ConcurrentHashMap.newKeySet();
                    fill.run(37, i -> {
                        filled.incrementAndGet(i);
                        threads.add(Thread.currentThread().getName());
                        busy();
                    });
                    for (int i = 0; i < 37; i++) {
                        assertEquals(1, filled.get(i), "piece " + i);
                    }
                    assertTrue(helper || threads.size() == 1, threads.toString());
                }
            }
        }
    }

    @Test
    void aFailingPieceFailsTheRunWithItsOwnException() {
        IOException boom = new IOException("piece 5");
        try (ParallelFill fill = new ParallelFill(true)) {
            for (int round = 0; round < 20; round++) {
                IOException e = assertThrows(IOException.class, () -> fill.run(40, i -> {
                    busy();
                    if (i == 5) {
                        throw boom;
                    }
                }));
                assertSame(boom, e);
                RuntimeException r = assertThrows(IllegalStateException.class, () -> fill.run(3, i -> {
                    throw new IllegalStateException("piece " + i);
                }));
                assertTrue(r.getMessage().startsWith("piece "), r.getMessage());
            }
        }
    }

    private static void busy() {
        long x = 0;
        for (int k = 0; k < 2000; k++) {
            x += k * 31L;
        }
        if (x == 42) {
            throw new AssertionError();
        }
    }
}
