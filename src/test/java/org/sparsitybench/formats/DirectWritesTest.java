package org.sparsitybench.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectWritesTest {
    @TempDir
    Path dir;

    /**
     * Heap bytes, aligned and unaligned direct buffers, odd lengths and buffers larger than the staging buffer, in
     * one stream: the file holds them in order, and the aligned stretches went to the disk directly.
     */
    @Test
    void bytesOfEveryKindReachTheFileInOrderAndAlignedOnesGoDirect() throws Exception {
        Path file = dir.resolve("out.bin");
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        Random random = new Random(7);
        long direct;
        int align;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             DirectWrites writes = DirectWrites.open(ch, file)) {
            assertNotNull(writes, "the file system of " + dir + " takes O_DIRECT (" + Files.getFileStore(dir).type()
                    + ")");
            align = (int) Files.getFileStore(file).getBlockSize();
            writes.append(heap(random, 20, want));                            // a header: staged
            writes.append(aligned(random, align - 20, align, 0, want));      // completes the block: staged
            writes.append(aligned(random, 3 * align, align, 0, want));       // the staged block and these: direct
            writes.append(aligned(random, 2 * align + 5, align, 0, want));   // two blocks direct, 5 bytes staged
            writes.append(aligned(random, 3 * align, align, 1, want));       // unaligned address: staged
            writes.append(heap(random, DirectWrites.STAGE_BYTES + 3 * align, want)); // more than the stage holds
            writes.append(aligned(random, align - 5, align, 0, want));       // completes a block: staged
            writes.append(heap(random, 777, want));                           // a partial last block
            writes.finish();
            direct = writes.directBytes();
            assertNull(writes.fallback());
            assertEquals(want.size(), ch.position(), "the channel's position is at the end");
        }
        assertArrayEquals(want.toByteArray(), Files.readAllBytes(file));
        assertEquals(0, direct % align, direct + " bytes direct, not whole blocks");
        // All but the partial last block: what was staged went out in whole blocks.
        assertEquals(want.size() - 777, direct);
    }

    /** A direct write that fails (EINVAL, say) hands that write and all later ones to the ordinary channel. */
    @Test
    void aFailingDirectWriteFallsBackToTheOrdinaryChannelWithoutLosingAByte() throws Exception {
        Path file = dir.resolve("fallback.bin");
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        Random random = new Random(8);
        int align = 4096;
        List<Integer> directCalls = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileChannel other = FileChannel.open(file, StandardOpenOption.WRITE);
             DirectWrites writes = new DirectWrites(ch, new FailingChannel(other, directCalls, 2 * align), align)) {
            writes.append(aligned(random, 2 * align, align, 0, want));      // direct, up to the failure
            writes.append(aligned(random, 3 * align, align, 0, want));      // fails: through the channel
            writes.append(heap(random, 3 * align + 11, want));              // after the failure
            writes.finish();
            assertNotNull(writes.fallback());
            assertEquals(2L * align, writes.directBytes());
        }
        assertArrayEquals(want.toByteArray(), Files.readAllBytes(file));
        assertEquals(List.of(2 * align, 3 * align), directCalls, "no direct write after the failure");
    }

    /** The writing thread of a {@link BackgroundWrites} given the file's path writes it directly. */
    @Test
    void backgroundWritesGivenThePathWriteDirectly() throws Exception {
        Path file = dir.resolve("background.bin");
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        Random random = new Random(9);
        long direct;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             BackgroundWrites writes = new BackgroundWrites(ch, file, 64 << 10)) {
            ByteBuffer head = heap(random, 4096, want);
            writes.writeBorrowed(head);
            for (int i = 0; i < 40; i++) {
                ByteBuffer b = writes.take();
                byte[] bytes = new byte[i == 39 ? 1000 : b.capacity()];
                random.nextBytes(bytes);
                want.write(bytes);
                writes.write(b.put(bytes).flip());
            }
            writes.finish();
            direct = writes.directBytes();
        }
        assertArrayEquals(want.toByteArray(), Files.readAllBytes(file));
        assertEquals(4096 + 39L * (64 << 10), direct, "all but the last 1000 bytes");
    }

    private static ByteBuffer heap(Random random, int n, ByteArrayOutputStream want) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        want.writeBytes(bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** A direct buffer of {@code n} random bytes whose address is {@code offset} past a multiple of {@code align}. */
    private static ByteBuffer aligned(Random random, int n, int align, int offset, ByteArrayOutputStream want) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        want.writeBytes(bytes);
        ByteBuffer b = DirectWrites.aligned(n + offset, align);
        b.position(offset);
        b.put(bytes).flip().position(offset);
        assertEquals(offset, b.alignmentOffset(b.position(), align));
        return b;
    }

    /** Writes through {@code real} until {@code failAfter} bytes went through, then every write fails. */
    private static final class FailingChannel extends CountingChannel {
        private final List<Integer> calls;
        private final int failAfter;
        private long written;

        FailingChannel(FileChannel real, List<Integer> calls, int failAfter) {
            super(real, calls);
            this.calls = calls;
            this.failAfter = failAfter;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            if (written >= failAfter) {
                calls.add(src.remaining());
                throw new IOException("Invalid argument");
            }
            int n = super.write(src, position);
            written += n;
            return n;
        }
    }
}
