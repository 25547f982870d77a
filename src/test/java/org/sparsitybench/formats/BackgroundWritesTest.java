package org.sparsitybench.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
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
     * No system call writes more than {@link BackgroundWrites#WRITE_BYTES}, from its own buffers or from lent ones
     * (large writes cost several times more kernel time on the VMs this project runs on).
     */
    @Test
    void eachWriteCallTakesAtMostWriteBytes() throws Exception {
        Path file = dir.resolve("sizes.bin");
        int bufferBytes = 3 * BackgroundWrites.WRITE_BYTES + 100;
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        List<Integer> calls = new ArrayList<>();
        try (FileChannel real = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileChannel ch = new CountingChannel(real, calls);
             BackgroundWrites writes = new BackgroundWrites(ch, bufferBytes)) {
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
        assertTrue(calls.size() >= 7, "4 + 3 slices at least: " + calls);
        for (int n : calls) {
            assertTrue(n <= BackgroundWrites.WRITE_BYTES, n + " bytes in one call: " + calls);
        }
    }

    /** A file channel that notes how many bytes each write call asked for. */
    private static final class CountingChannel extends FileChannel {
        private final FileChannel real;
        private final List<Integer> calls;

        CountingChannel(FileChannel real, List<Integer> calls) {
            this.real = real;
            this.calls = calls;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            synchronized (calls) {
                calls.add(src.remaining());
            }
            return real.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            synchronized (calls) {
                calls.add(src.remaining());
            }
            return real.write(src, position);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException("gathering write");
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            real.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException("transferTo");
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException("transferFrom");
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException("map");
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException("lock");
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException("tryLock");
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
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
