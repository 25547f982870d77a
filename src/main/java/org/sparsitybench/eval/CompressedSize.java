package org.sparsitybench.eval;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * What a file would take compressed with DEFLATE (zip's algorithm, level 6): what zeros save when a model is
 * zipped. Exact on request; otherwise estimated from evenly spread blocks, because DEFLATE runs at about
 * 13-25 MB/s on weights here, so compressing a 268 MB model and its export whole took 25 s of a command whose
 * pruning took 0.1 s. The export's report and the window's totals both size files through this class.
 * Stateless.
 */
public final class CompressedSize {
    /** DEFLATE level used everywhere (zip's default). */
    public static final int LEVEL = 6;
    /** Blocks an estimate compresses, spread evenly over the file (first and last included). */
    public static final int ESTIMATE_BLOCKS = 16;
    /**
     * Bytes per estimate block: twice DEFLATE's 32 KiB window, so a block compresses as the file does. On the
     * 1B-weight BF16 model and its 50 % export, 16 blocks of 64 KiB came within 1.2 % of 128 blocks of 128 KiB,
     * 16 of 128 KiB within 0.6 %, at twice the time (0.2 s a file, the last step of the command).
     */
    public static final int ESTIMATE_BLOCK = 64 << 10;

    private CompressedSize() {
    }

    /**
     * A compressed size and how it was found.
     *
     * @param bytes  compressed bytes (exact or estimated)
     * @param exact  whether the whole file was compressed
     * @param method what was compressed, for a report
     */
    public record Size(long bytes, boolean exact, String method) {
    }

    /** A pair of sizes (a model and its export), measured the same way. */
    public record Pair(Size before, Size after) {
        /** Whether both are exact. */
        public boolean exact() {
            return before.exact() && after.exact();
        }

        /** The method, said once for both. */
        public String method() {
            return after.method();
        }
    }

    /**
     * The compressed size of {@code file}: exact when {@code exact} or when the file is no larger than the
     * estimate's sample, otherwise {@link #estimate}.
     */
    public static Size of(Path file, boolean exact) throws IOException {
        if (exact || Files.size(file) <= (long) ESTIMATE_BLOCKS * ESTIMATE_BLOCK) {
            return new Size(exact(file), true, exactMethod());
        }
        return new Size(estimate(file, ESTIMATE_BLOCKS, ESTIMATE_BLOCK), false, estimateMethod(ESTIMATE_BLOCKS,
                ESTIMATE_BLOCK));
    }

    /**
     * Both files sized the same way ({@link #of}), the two side by side on two threads. The pair is exact only
     * when both sizes are: a small model with a large export (or the reverse) gets two estimates, so the two
     * figures compare like with like.
     */
    public static Pair of(Path before, Path after, boolean exact) throws IOException {
        long sample = (long) ESTIMATE_BLOCKS * ESTIMATE_BLOCK;
        boolean both = exact || (Files.size(before) <= sample && Files.size(after) <= sample);
        FutureTask<Size> other = new FutureTask<>(() -> both ? new Size(exact(before), true, exactMethod())
                : new Size(estimate(before, ESTIMATE_BLOCKS, ESTIMATE_BLOCK), false,
                estimateMethod(ESTIMATE_BLOCKS, ESTIMATE_BLOCK)));
        Thread t = new Thread(other, "deflate " + before.getFileName());
        t.setDaemon(true);
        t.start();
        Size a = both ? new Size(exact(after), true, exactMethod())
                : new Size(estimate(after, ESTIMATE_BLOCKS, ESTIMATE_BLOCK), false,
                estimateMethod(ESTIMATE_BLOCKS, ESTIMATE_BLOCK));
        try {
            return new Pair(other.get(), a);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing " + before);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The report's words for an exact size. */
    static String exactMethod() {
        return "exact: DEFLATE level " + LEVEL + " of the whole file";
    }

    /** The report's words for an estimate. */
    static String estimateMethod(int blocks, int blockBytes) {
        return String.format(Locale.ROOT, "estimate: DEFLATE level %d of %d blocks of %d KiB spread evenly over the "
                + "file, scaled to its size (--exact-compression compresses the whole file)", LEVEL, blocks,
                blockBytes >> 10);
    }

    /**
     * The compressed size of {@code file} estimated from {@code blocks} blocks of {@code blockBytes} at evenly
     * spaced offsets {@code (size - blockBytes) / (blocks - 1) * i}, each compressed on its own, scaled by
     * {@code size / (blocks * blockBytes)}. A file no larger than the sample is compressed whole.
     *
     * @param blocks at least 2
     */
    public static long estimate(Path file, int blocks, int blockBytes) throws IOException {
        if (blocks < 2 || blockBytes <= 0) {
            throw new IllegalArgumentException(blocks + " blocks of " + blockBytes + " bytes: need 2 or more blocks");
        }
        long size = Files.size(file);
        if (size <= (long) blocks * blockBytes) {
            return exact(file);
        }
        byte[] block = new byte[blockBytes];
        byte[] sink = new byte[1 << 16];
        long compressed = 0;
        Deflater d = new Deflater(LEVEL);
        try (FileChannel ch = FileChannel.open(file)) {
            for (int i = 0; i < blocks; i++) {
                long at = (size - blockBytes) / (blocks - 1) * i;
                ByteBuffer b = ByteBuffer.wrap(block);
                while (b.hasRemaining()) {
                    if (ch.read(b, at + b.position()) < 0) {
                        throw new EOFException(file + ": shorter than " + size + " bytes while reading it");
                    }
                }
                d.reset();
                d.setInput(block);
                d.finish();
                while (!d.finished()) {
                    compressed += d.deflate(sink);
                }
            }
        } finally {
            d.end();
        }
        return Math.round(compressed * ((double) size / ((long) blocks * blockBytes)));
    }

    /** Bytes after DEFLATE of the whole file. */
    public static long exact(Path file) throws IOException {
        long[] count = new long[1];
        OutputStream counter = new OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        Deflater deflater = new Deflater(LEVEL);
        try (InputStream in = Files.newInputStream(file);
             DeflaterOutputStream d = new DeflaterOutputStream(counter, deflater, 1 << 16)) {
            in.transferTo(d);
        } finally {
            deflater.end(); // a stream given its own Deflater leaves ending it to the caller
        }
        return count[0];
    }
}
