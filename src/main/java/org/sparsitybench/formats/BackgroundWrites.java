package org.sparsitybench.formats;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.sparsitybench.task.CancelledException;

/**
 * Writes a file's bytes on a thread of its own while the caller prepares the next ones: the caller fills a buffer
 * ({@link #take}), hands it over ({@link #write}) and fills the next while this thread does the {@code write}
 * system calls. Its buffers are direct, so the JDK copies nothing into a buffer of its own before each call (a
 * heap buffer costs a copy of every byte, on the thread that writes). Bytes reach the channel in
 * the order they were handed over. One writer per file; {@link #close} always, {@link #finish} to wait for the
 * last bytes.
 *
 * <p>Every {@value #FLUSH_BYTES} bytes a third thread asks the file system to write out what it holds so far
 * ({@link FileChannel#force force(false)}), so the disk works while the export goes on: the atomic write's final
 * {@code force(true)} then waits for the last stretch only, not for the whole file (a 2 GB export left 2 GB dirty,
 * below the kernel's own writeback threshold, for the final force to write out in one go).
 *
 * <p>Given the file's path, the writing thread writes with direct I/O instead ({@link DirectWrites}), where the
 * file system takes it: the bytes go to the disk without passing through the page cache, and there is nothing left
 * to flush early. Its buffers are aligned for that, so that a batch at a block boundary goes out without a copy.
 */
public final class BackgroundWrites implements AutoCloseable {
    /**
     * Buffers in circulation: one being filled by each of two threads, one being written, one ready so neither side
     * waits for the other.
     */
    static final int BUFFERS = 4;

    /** Bytes written between two early flushes. */
    static final long FLUSH_BYTES = 128L << 20;

    /**
     * The smaller of the two call sizes {@link WriteSizes} chooses between, and the size of every call of
     * {@link AtomicFiles#writeAll}. On this project's VMs, while the host is slow to back memory handed back to it,
     * {@code dd} of 2 GB took 4.0-4.7 s in 1 MiB blocks and 1.1-1.7 s in 64 KiB ones.
     */
    public static final int WRITE_BYTES = 64 << 10;

    /**
     * Files of at least this many bytes are worth writing with direct I/O: below it, the page cache's copy is cheap
     * and the file system's own writeback soon done; above it, on this project's VMs, filling new page-cache memory
     * and writing it out again cost a 2 GB export more than the disk's own time (see docs/large-models.md).
     */
    public static final long DIRECT_MIN_BYTES = 64L << 20;

    /** Alignment of the buffers' addresses: a page, the block size of direct I/O on common file systems. */
    static final int BUFFER_ALIGN = 4096;

    private static final ByteBuffer END = ByteBuffer.allocate(0);

    private final FileChannel channel;
    private final BlockingQueue<ByteBuffer> free;
    private final BlockingQueue<ByteBuffer> pending;
    /** Buffers of the caller's (a mapped window) written as they are and not recycled. */
    private final java.util.Set<ByteBuffer> borrowed = java.util.Collections.newSetFromMap(
            new java.util.IdentityHashMap<>());
    private final Thread thread;
    private final Thread flusher;
    /** Direct writes to the file, or null: through the channel (the page cache). */
    private final DirectWrites direct;
    private final long flushBytes;
    private final WriteSizes sizes;
    /** Flushes asked for and not yet started (at most one counts: a flush writes out everything written so far). */
    private final java.util.concurrent.Semaphore flushes = new java.util.concurrent.Semaphore(0);
    private volatile boolean writing = true;
    private volatile Throwable failure;
    private volatile boolean finished;

    /**
     * @param channel     the file, positioned where the bytes go (not closed here)
     * @param bufferBytes size of each of the {@value #BUFFERS} direct buffers
     */
    public BackgroundWrites(FileChannel channel, int bufferBytes) {
        this(channel, bufferBytes, FLUSH_BYTES);
    }

    /**
     * As {@link #BackgroundWrites(FileChannel, int)}, writing {@code file} (the channel's, not null) with direct I/O
     * where its file system takes it and the channel is at a block boundary.
     */
    public BackgroundWrites(FileChannel channel, java.nio.file.Path file, int bufferBytes) {
        this(channel, bufferBytes, FLUSH_BYTES, WriteSizes.measured(), DirectWrites.open(channel, file));
    }

    /** Direct writes through {@code direct} (tests hand in one whose writes fail). */
    BackgroundWrites(FileChannel channel, int bufferBytes, DirectWrites direct) {
        this(channel, bufferBytes, FLUSH_BYTES, WriteSizes.measured(), direct);
    }

    /** As {@link #BackgroundWrites(FileChannel, int)}, flushing every {@code flushBytes} (tests flush often). */
    BackgroundWrites(FileChannel channel, int bufferBytes, long flushBytes) {
        this(channel, bufferBytes, flushBytes, WriteSizes.measured(), null);
    }

    /** As {@link #BackgroundWrites(FileChannel, int, long)}, at most {@code writeBytes} per system call. */
    BackgroundWrites(FileChannel channel, int bufferBytes, long flushBytes, int writeBytes) {
        this(channel, bufferBytes, flushBytes, WriteSizes.fixed(writeBytes), null);
    }

    private BackgroundWrites(FileChannel channel, int bufferBytes, long flushBytes, WriteSizes sizes,
                             DirectWrites direct) {
        this.channel = channel;
        this.direct = direct;
        this.flushBytes = flushBytes;
        this.sizes = sizes;
        this.free = new ArrayBlockingQueue<>(BUFFERS);
        this.pending = new ArrayBlockingQueue<>(BUFFERS + 2);
        for (int i = 0; i < BUFFERS; i++) {
            free.add(DirectWrites.aligned(bufferBytes, BUFFER_ALIGN).order(ByteOrder.LITTLE_ENDIAN));
        }
        this.thread = new Thread(this::drain, "sparsitybench-write");
        thread.setDaemon(true);
        this.flusher = new Thread(this::flushEarly, "sparsitybench-flush");
        flusher.setDaemon(true);
        thread.start();
        if (direct == null) {
            flusher.start();
        }
    }

    /** An empty buffer to fill (position 0, limit its capacity); waits while all are in flight. */
    public ByteBuffer take() throws IOException {
        ByteBuffer b = poll(free);
        b.clear();
        return b;
    }

    /** Queues {@code buffer} (one from {@link #take}, flipped) to be written; it comes back through {@link #take}. */
    public void write(ByteBuffer buffer) throws IOException {
        put(buffer);
    }

    /**
     * Queues the caller's {@code buffer} (a mapped window, say; from its position to its limit) to be written as it
     * is; the caller must not change it until {@link #finish}.
     */
    public void writeBorrowed(ByteBuffer buffer) throws IOException {
        synchronized (borrowed) {
            borrowed.add(buffer);
        }
        put(buffer);
    }

    /** Waits until every queued byte is in the channel; rethrows a failure of the writing thread. */
    public void finish() throws IOException {
        put(END);
        try {
            thread.join();
            stopFlushing();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException();
        }
        rethrow();
        finished = true;
    }

    /** Stops the writing thread (when the export failed or was cancelled: what is queued is dropped). */
    @Override
    public void close() {
        if (finished) {
            return;
        }
        thread.interrupt();
        flusher.interrupt();
        try {
            thread.join();
            flusher.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (direct != null) {
            direct.close();
        }
        finished = true;
    }

    /** Bytes written with direct I/O (0 when it was not used); read after {@link #finish}. */
    public long directBytes() {
        return direct == null ? 0 : direct.directBytes();
    }

    private void drain() {
        try {
            long sinceFlush = 0;
            while (true) {
                ByteBuffer b = pending.take();
                if (b == END) {
                    if (direct != null) {
                        direct.finish();
                        direct.close();
                    }
                    return;
                }
                if (direct != null) {
                    direct.append(b);
                    recycle(b);
                    continue;
                }
                int n = b.remaining();
                sinceFlush += n;
                long t0 = System.nanoTime();
                AtomicFiles.writeAll(channel, b, sizes.next());
                sizes.record(n, System.nanoTime() - t0);
                if (sinceFlush >= flushBytes) {
                    sinceFlush = 0;
                    flushes.release();
                }
                recycle(b);
            }
        } catch (InterruptedException e) {
            failure = new InterruptedIOException("writing stopped");
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Gives a buffer of the writer's own back to {@link #take}; a borrowed one is forgotten. */
    private void recycle(ByteBuffer b) {
        boolean own;
        synchronized (borrowed) {
            own = !borrowed.remove(b);
        }
        if (own) {
            free.add(b);
        }
    }

    /** The flushing thread: one {@code force(false)} per request, requests that piled up meanwhile taken as one. */
    private void flushEarly() {
        try {
            while (true) {
                flushes.acquire();
                flushes.drainPermits();
                if (!writing) {
                    return;
                }
                channel.force(false);
            }
        } catch (InterruptedException e) {
            // stopped
        } catch (IOException | RuntimeException e) {
            // Only a head start: the final force of the atomic write reports what fails.
        }
    }

    /** Ends the flushing thread once its current flush (if any) is done: nothing touches the channel afterwards. */
    private void stopFlushing() throws InterruptedException {
        writing = false;
        flushes.release();
        flusher.join();
    }

    private void put(ByteBuffer b) throws IOException {
        rethrow();
        try {
            while (!pending.offer(b, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                rethrow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException();
        }
    }

    private ByteBuffer poll(BlockingQueue<ByteBuffer> q) throws IOException {
        try {
            while (true) {
                rethrow();
                ByteBuffer b = q.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (b != null) {
                    return b;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException();
        }
    }

    private void rethrow() throws IOException {
        Throwable t = failure;
        if (t == null) {
            return;
        }
        if (t instanceof IOException io) {
            throw new IOException(io.getMessage(), io);
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IOException(t);
    }
}
