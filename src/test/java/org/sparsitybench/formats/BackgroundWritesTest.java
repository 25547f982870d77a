package org.sparsitybench.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackgroundWritesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(longs = {BackgroundWrites.FLUSH_BYTES, 40})
    void bytesReachTheFileInTheOrderTheyWereHandedOver(long flushBytes) throws Exception {
        Path file = dir.resolve("out.bin");
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             BackgroundWrites writes = new BackgroundWrites(ch, 16, flushBytes)) { // early flushes beside the writes
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
