package org.sparsitybench.formats;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends a file's bytes with direct I/O ({@code O_DIRECT}): the disk reads them from the process's buffers and the
 * kernel puts nothing in the page cache. Writing a large export through the page cache costs the kernel a copy of
 * every byte into new cache memory, which on this project's VMs (they hand freed memory back to their host) cost
 * 1.3-4.3 s of kernel time for 2 GB; the export is forced to disk before it is moved into place anyway, and direct
 * writes put it there with 0.3 s of kernel time (2026-12-04: a 2 GB copy in 1 MiB blocks took 1.1-1.3 s direct
 * against 5.1 s buffered, {@code force} included).
 *
 * <p>Direct I/O takes only aligned stretches: the file position, the length and the memory address must be
 * multiples of the file system's block size. A direct buffer at an aligned address that arrives at an aligned
 * position goes to the disk as it is (its aligned part); other bytes are copied into an aligned staging buffer,
 * written when full. The last partial block goes through the ordinary channel at {@link #finish}. When a direct
 * write fails (a file system that accepts {@code O_DIRECT} at open but not at write, say), that write and every
 * later one go through the ordinary channel: the file's bytes are the same either way. Used by one thread.
 */
final class DirectWrites implements AutoCloseable {
    /** Size of the staging buffer for bytes that arrive unaligned. */
    static final int STAGE_BYTES = 1 << 20;

    private final FileChannel buffered;
    private final int align;
    private final ByteBuffer stage;
    private FileChannel direct;
    /** File offset of the staging buffer's first byte; a multiple of {@link #align} while direct. */
    private long stageAt;
    /** File offset of the next byte. */
    private long position;
    private long directBytes;
    private IOException fallback;

    DirectWrites(FileChannel buffered, FileChannel direct, int align) throws IOException {
        if (align < 1 || (align & (align - 1)) != 0 || align > STAGE_BYTES) {
            throw new IllegalArgumentException("block size " + align + " must be a power of two up to " + STAGE_BYTES);
        }
        this.buffered = buffered;
        this.direct = direct;
        this.align = align;
        this.position = buffered.position();
        if (position % align != 0) {
            throw new IllegalArgumentException("position " + position + " is not a multiple of the block size " + align);
        }
        this.stageAt = position;
        this.stage = aligned(STAGE_BYTES, align);
    }

    /**
     * Direct writes to {@code file}, which {@code buffered} writes at its position; null when the file system does
     * not take direct I/O or the position is not at a block boundary (the caller writes through {@code buffered}).
     */
    static DirectWrites open(FileChannel buffered, Path file) {
        FileChannel direct = null;
        try {
            long block = Files.getFileStore(file).getBlockSize();
            if (block < 1 || block > STAGE_BYTES || (block & (block - 1)) != 0 || buffered.position() % block != 0) {
                return null;
            }
            direct = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            return new DirectWrites(buffered, direct, (int) block);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            closeQuietly(direct);
            return null;
        }
    }

    /** A direct buffer of {@code bytes} whose first byte's address is a multiple of {@code align} (a power of two). */
    static ByteBuffer aligned(int bytes, int align) {
        // alignedSlice drops the bytes before the first aligned address and those after the last whole unit
        int whole = (bytes + align - 1) & -align;
        return ByteBuffer.allocateDirect(whole + align).alignedSlice(align).limit(bytes).slice();
    }

    /** Appends {@code src} from its position to its limit; its position ends at the limit. */
    void append(ByteBuffer src) throws IOException {
        int limit = src.limit();
        try {
            while (src.hasRemaining()) {
                if (direct == null ? stage.position() == 0 : stage.position() % align == 0 && straight(src)) {
                    // An aligned buffer at a block boundary goes to the disk as it is (whole blocks), after the
                    // whole blocks staged before it; once direct writes are off, anything goes straight through the
                    // ordinary channel.
                    if (stage.position() > 0) {
                        writeStage();
                    }
                    int n = direct == null ? src.remaining() : src.remaining() & -align;
                    src.limit(src.position() + n);
                    write(src, position);
                    src.limit(limit);
                    position += n;
                    stageAt = position;
                    continue;
                }
                int n = Math.min(src.remaining(), stage.remaining());
                src.limit(src.position() + n);
                stage.put(src);
                src.limit(limit);
                position += n;
                if (!stage.hasRemaining()) {
                    writeStage();
                }
            }
        } finally {
            src.limit(limit);
        }
    }

    /**
     * Writes what is staged, its whole blocks directly and the last partial block through the ordinary channel, and
     * leaves the ordinary channel's position at the end of the bytes appended.
     */
    void finish() throws IOException {
        int staged = stage.position();
        if (staged > 0) {
            stage.flip();
            int blocks = staged & -align;
            if (direct != null && blocks > 0) {
                stage.limit(blocks);
                write(stage, stageAt);
                stage.limit(staged);
            }
            long at = stageAt + stage.position();
            while (stage.hasRemaining()) {
                at += buffered.write(stage, at);
            }
            stage.clear();
            stageAt = position;
        }
        buffered.position(position);
    }

    /** Bytes the disk took by direct I/O so far. */
    long directBytes() {
        return directBytes;
    }

    /** Why direct writes stopped, or null while they go on. */
    IOException fallback() {
        return fallback;
    }

    @Override
    public void close() {
        closeQuietly(direct);
        direct = null;
    }

    private boolean straight(ByteBuffer src) {
        return src.remaining() >= align && src.isDirect() && src.alignmentOffset(src.position(), align) == 0;
    }

    private void writeStage() throws IOException {
        stage.flip();
        write(stage, stageAt);
        stage.clear();
        stageAt = position;
    }

    /** Writes all of {@code src} at {@code at}: directly while that works, through the ordinary channel after. */
    private void write(ByteBuffer src, long at) throws IOException {
        int start = src.position();
        if (direct != null) {
            try {
                while (src.hasRemaining()) {
                    int n = direct.write(src, at + (src.position() - start));
                    directBytes += n;
                }
                return;
            } catch (IOException e) {
                fallback = e;
                close();
            }
        }
        while (src.hasRemaining()) {
            buffered.write(src, at + (src.position() - start));
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException e) {
            // nothing was written through it that the ordinary channel does not also see
        }
    }
}
