package org.sparsitybench.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackgroundWritesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({BackgroundWrites.FLUSH_BYTES + ", " + BackgroundWrites.WRITE_BYTES, "40, " + BackgroundWrites.WRITE_BYTES,
            BackgroundWrites.FLUSH_BYTES + ", 5", "40, 1"})
    void bytesReachTheFileInTheOrderTheyWereHandedOver(long flushBytes, int writeBytes) throws Exception {
        Path file = dir.resolve("out.bin");
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             // early flushes beside the writes; buffers written in slices of writeBytes
             BackgroundWrites writes = new BackgroundWrites(ch, 16, flushBytes, writeBytes)) {
            for (int i = 0; i < 200; i++) { // more hand-overs than buffers: each one comes back and is reused
                if (i % 7 == 3) {
                    byte[] lent = {(byte) i, (byte) -i, 42};
                    want.write(lent);
                    writes.writeBorrowed(ByteBuffer.wrap(lent));
                    continue;
                }
                ByteBuffer b = writes.take();
                for (int j = 0; j <= i % 16; j++) {
                    b.put((byte) (i * 31 + j));
                    want.write((byte) (i * 31 + j));
                }
                writes.write(b.flip());
            }
            writes.finish();
        }
        assertArrayEquals(want.toByteArray(), Files.readAllBytes(file));
    }

    /**
     * With a fixed size, no system call writes more than it, from the writer's own buffers or from lent ones; by
     * default the calls take one of the two sizes {@link WriteSizes} chooses between.
     */
    @Test
    void eachWriteCallTakesAtMostItsSize() throws Exception {
        int bufferBytes = 3 * BackgroundWrites.WRITE_BYTES + 100;
        List<Integer> fixed = writeOwnAndLent(dir.resolve("fixed.bin"), bufferBytes, BackgroundWrites.WRITE_BYTES);
        assertTrue(fixed.size() >= 7, "4 + 3 slices at least: " + fixed);
        for (int n : fixed) {
            assertTrue(n <= BackgroundWrites.WRITE_BYTES, n + " bytes in one call: " + fixed);
        }
        List<Integer> measured = writeOwnAndLent(dir.resolve("measured.bin"), bufferBytes, -1);
        assertEquals(BackgroundWrites.WRITE_BYTES, measured.get(0), "the first buffer in small calls: " + measured);
        for (int n : measured) {
            assertTrue(n <= 1 << 20, n + " bytes in one call: " + measured);
        }
    }

    /** Writes a buffer of its own and a lent one, in calls of {@code writeBytes} (-1: measured); the calls' sizes. */
    private static List<Integer> writeOwnAndLent(Path file, int bufferBytes, int writeBytes) throws Exception {
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        List<Integer> calls = new ArrayList<>();
        try (FileChannel real = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileChannel ch = new CountingChannel(real, calls);
             BackgroundWrites writes = writeBytes < 0 ? new BackgroundWrites(ch, bufferBytes)
                     : new BackgroundWrites(ch, bufferBytes, BackgroundWrites.FLUSH_BYTES, writeBytes)) {
            ByteBuffer own = writes.take();
            byte[] ownBytes = new byte[bufferBytes];
            new Random(1).nextBytes(ownBytes);
            own.put(ownBytes);
            want.write(ownBytes);
            writes.write(own.flip());
            byte[] lent = new byte[2 * BackgroundWrites.WRITE_BYTES + 7];
            new Random(2).nextBytes(lent);
            want.write(lent);
            writes.writeBorrowed(ByteBuffer.wrap(lent));
            writes.finish();
        }
        assertArrayEquals(want.toByteArray(), Files.readAllBytes(file));
        return calls;
    }

    /** {@link AtomicFiles#writeAll} writes everything, in calls of at most {@link BackgroundWrites#WRITE_BYTES}. */
    @Test
    void writeAllSlicesLargeBuffersAndWritesEveryByte() throws Exception {
        Path file = dir.resolve("all.bin");
        byte[] bytes = new byte[5 * BackgroundWrites.WRITE_BYTES / 2 + 3];
        new Random(3).nextBytes(bytes);
        List<Integer> calls = new ArrayList<>();
        ByteBuffer src = ByteBuffer.wrap(bytes, 10, bytes.length - 20); // from a position to a limit
        try (FileChannel ch = new CountingChannel(FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE), calls)) {
            AtomicFiles.writeAll(ch, src);
        }
        assertEquals(bytes.length - 10, src.position());
        assertEquals(bytes.length - 10, src.limit(), "the limit is the caller's again");
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 10, bytes.length - 10), Files.readAllBytes(file));
        assertEquals(List.of(BackgroundWrites.WRITE_BYTES, BackgroundWrites.WRITE_BYTES,
                bytes.length - 20 - 2 * BackgroundWrites.WRITE_BYTES), calls);
    }

    @Test
    void aFailedWriteReachesTheCaller() throws Exception {
        Path file = dir.resolve("read-only.bin");
        Files.write(file, new byte[4]);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             BackgroundWrites writes = new BackgroundWrites(ch, 8)) {
            writes.write(writes.take().put((byte) 1).flip());
            assertThrows(NonWritableChannelException.class, () -> {
                for (int i = 0; i < 100; i++) { // the failure surfaces at the next hand-over or at the end
                    writes.write(writes.take().put((byte) 2).flip());
                }
                writes.finish();
            });
        }
        assertArrayEquals(new byte[4], Files.readAllBytes(file));
    }
}
