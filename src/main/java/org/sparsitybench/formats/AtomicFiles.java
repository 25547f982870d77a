package org.sparsitybench.formats;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * Writes files so that a reader sees either the old file or the complete new one: content goes to a temporary
 * file in the same folder, is forced to disk, and is moved over the target in one step.
 *
 * <p>The temporary file is named {@code .NAME.pidPID-RANDOM.part}. A process killed mid-write (SIGKILL, power
 * loss) cannot delete it, so every write first removes the leftovers of its own target whose writing process is
 * gone ({@link #removeStaleTemporaries}).
 *
 * <p>Test-only hook: the system property {@value #WRITE_DELAY_PROPERTY} (milliseconds) makes every
 * {@link Meter#advance} sleep that long, so that fault tests can kill or cancel an export while its bytes are
 * being written. It is read once; nothing sets it outside tests.
 */
public final class AtomicFiles {
    /** Test-only: milliseconds to sleep per metered chunk (see the class comment). */
    public static final String WRITE_DELAY_PROPERTY = "sparsitybench.test.writeDelayMs";
    /** Bytes per metered step of {@link Meter#outputStream}: cancellation is checked at least this often. */
    public static final int METER_CHUNK = 1 << 20;

    private static final long WRITE_DELAY_MS = Long.getLong(WRITE_DELAY_PROPERTY, 0L);
    private static final long PID = ProcessHandle.current().pid();
    private static final String PART = ".part";
    private static final Pattern TEMP_MIDDLE = Pattern.compile("pid(\\d+)-\\d+|\\d+");

    private AtomicFiles() {
    }

    /**
     * Writes all of {@code src} (from its position to its limit; its position ends at the limit) at the channel's
     * position, at most {@link BackgroundWrites#WRITE_BYTES} per system call: larger writes into new page-cache
     * memory cost the kernel several times more on the VMs this project runs on.
     */
    public static void writeAll(FileChannel channel, ByteBuffer src) throws IOException {
        writeAll(channel, src, BackgroundWrites.WRITE_BYTES);
    }

    /** As {@link #writeAll(FileChannel, ByteBuffer)}, at most {@code callBytes} (positive) per system call. */
    static void writeAll(FileChannel channel, ByteBuffer src, int callBytes) throws IOException {
        int limit = src.limit();
        try {
            while (src.position() < limit) {
                src.limit(Math.min(limit, src.position() + callBytes));
                while (src.hasRemaining()) {
                    channel.write(src);
                }
                src.limit(limit);
            }
        } finally {
            src.limit(limit);
        }
    }

    /** Writes the content of one file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    /**
     * Writes the content of one file through {@code channel}, given the path of the temporary file it writes as well
     * (to open it a second time, for direct I/O say); the path is not the target's.
     */
    @FunctionalInterface
    public interface FileContent {
        void writeTo(FileChannel channel, Path file) throws IOException;
    }

    /**
     * Refuses an output that is the input itself (same path, or the same file through a link).
     *
     * @throws OutputPathException naming both paths
     */
    public static void refuseOverwrite(Path input, Path output) throws OutputPathException {
        Path in = input.toAbsolutePath().normalize();
        Path out = output.toAbsolutePath().normalize();
        boolean same = in.equals(out);
        if (!same && Files.exists(out)) {
            try {
                same = Files.isSameFile(in, out);
            } catch (NoSuchFileException e) {
                same = false;
            } catch (IOException e) {
                throw new OutputPathException(output + ": cannot tell whether it is the opened model: " + e.getMessage());
            }
        }
        if (same) {
            throw new OutputPathException(output + ": refusing to overwrite the model that was opened (" + input
                    + "); choose another output path");
        }
    }

    /**
     * Writes {@code target} atomically: {@code content} fills a temporary sibling which then replaces the target.
     * On any failure the temporary file is deleted and an existing target is left untouched.
     */
    public static void write(Path target, Content content) throws IOException {
        write(target, content, written -> { });
    }

    /** Looks at a complete temporary file before it replaces its target; throwing keeps the target as it was. */
    @FunctionalInterface
    public interface Check {
        void check(Path written) throws IOException;
    }

    /**
     * As {@link #write(Path, Content)}, running {@code beforeCommit} on the complete temporary file (same folder,
     * so files it refers to by relative name are found) before it replaces the target; when the check throws, the
     * temporary file is deleted and the target left untouched.
     */
    public static void write(Path target, Content content, Check beforeCommit) throws IOException {
        writeFile(target, (channel, file) -> content.writeTo(channel), beforeCommit);
    }

    /** As {@link #write(Path, Content)}, the content given the temporary file's path too. */
    public static void writeFile(Path target, FileContent content) throws IOException {
        writeFile(target, content, written -> { });
    }

    /** As {@link #write(Path, Content, Check)}, the content given the temporary file's path too. */
    public static void writeFile(Path target, FileContent content, Check beforeCommit) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        removeStaleTemporaries(abs);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".pid" + PID + "-", PART);
        boolean done = false;
        try {
            // Temporary files are created owner-only; an export is an ordinary file others may read.
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the platform's default
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                content.writeTo(ch, tmp);
                ch.force(true);
            }
            beforeCommit.check(tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Convenience for stream-shaped content. */
    public static void writeStream(Path target, StreamContent content) throws IOException {
        writeStream(target, content, written -> { });
    }

    /** Stream-shaped content, checked before it replaces the target ({@link #write(Path, Content, Check)}). */
    public static void writeStream(Path target, StreamContent content, Check beforeCommit) throws IOException {
        write(target, ch -> {
            OutputStream os = java.nio.channels.Channels.newOutputStream(ch);
            content.writeTo(os);
            os.flush();
        }, beforeCommit);
    }

    /** Writes the content of one file as a stream. */
    @FunctionalInterface
    public interface StreamContent {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Deletes temporary files an earlier {@link #write} of {@code target} left behind when its process died: those
     * named {@code .NAME.pidPID-RANDOM.part} whose process no longer runs (or whose PID now belongs to a process
     * started after the file was last written), and the older {@code .NAME.RANDOM.part} last written before this
     * process started. Files of live writers are left alone.
     *
     * @return the files deleted
     */
    public static List<Path> removeStaleTemporaries(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        String prefix = "." + abs.getFileName() + ".";
        List<Path> removed = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return removed;
        }
        List<Path> candidates;
        try (Stream<Path> list = Files.list(dir)) {
            candidates = list.filter(p -> {
                String n = p.getFileName().toString();
                return n.length() > prefix.length() + PART.length() && n.startsWith(prefix) && n.endsWith(PART);
            }).toList();
        }
        Instant started = ProcessHandle.current().info().startInstant().orElse(Instant.EPOCH);
        for (Path p : candidates) {
            String n = p.getFileName().toString();
            Matcher m = TEMP_MIDDLE.matcher(n.substring(prefix.length(), n.length() - PART.length()));
            if (!m.matches()) {
                continue; // another target's temporary (e.g. NAME.data's), not ours to judge
            }
            FileTime written;
            try {
                written = Files.getLastModifiedTime(p);
            } catch (NoSuchFileException e) {
                continue;
            }
            boolean stale = m.group(1) != null ? writerGone(Long.parseLong(m.group(1)), written)
                    : written.toInstant().isBefore(started);
            if (stale && Files.deleteIfExists(p)) {
                removed.add(p);
            }
        }
        return removed;
    }

    /** Whether process {@code pid} cannot have written a file last modified at {@code written}. */
    private static boolean writerGone(long pid, FileTime written) {
        return ProcessHandle.of(pid).map(h -> h.info().startInstant()
                .map(s -> s.isAfter(written.toInstant())).orElse(false)).orElse(true);
    }

    /**
     * A new empty scratch file {@code PREFIXpidPID-RANDOMSUFFIX} in {@code dir}, for this process to delete when done.
     * Files of the same prefix and suffix whose process is gone (killed before it could delete them) are deleted
     * first, so that scratch files beside a user's model do not pile up.
     */
    public static Path createProcessTempFile(Path dir, String prefix, String suffix) throws IOException {
        Pattern own = Pattern.compile(Pattern.quote(prefix) + "pid(\\d+)-\\d+" + Pattern.quote(suffix));
        List<Path> candidates;
        try (Stream<Path> list = Files.list(dir)) {
            candidates = list.filter(p -> own.matcher(p.getFileName().toString()).matches()).toList();
        }
        for (Path p : candidates) {
            Matcher m = own.matcher(p.getFileName().toString());
            try {
                if (m.matches() && writerGone(Long.parseLong(m.group(1)), Files.getLastModifiedTime(p))) {
                    Files.deleteIfExists(p);
                }
            } catch (NoSuchFileException e) {
                // deleted meanwhile
            }
        }
        return Files.createTempFile(dir, prefix + "pid" + PID + "-", suffix);
    }

    /**
     * A new empty scratch folder {@code PREFIXpidPID-RANDOM} in {@code dir}, for this process to delete with
     * {@link #deleteTree} when done. Folders of the same prefix whose process is gone are deleted first.
     */
    public static Path createProcessTempDirectory(Path dir, String prefix) throws IOException {
        Pattern own = Pattern.compile(Pattern.quote(prefix) + "pid(\\d+)-\\d+");
        List<Path> candidates;
        try (Stream<Path> list = Files.list(dir)) {
            candidates = list.filter(p -> own.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
        }
        for (Path p : candidates) {
            Matcher m = own.matcher(p.getFileName().toString());
            try {
                if (m.matches() && writerGone(Long.parseLong(m.group(1)), Files.getLastModifiedTime(p))) {
                    deleteTree(p);
                }
            } catch (NoSuchFileException e) {
                // deleted meanwhile
            }
        }
        return Files.createTempDirectory(dir, prefix + "pid" + PID + "-");
    }

    /** Deletes {@code folder} and everything in it (links are deleted, not followed); nothing if it is gone. */
    public static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(folder)) {
            all = walk.sorted(java.util.Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }

    /** A meter for a write of about {@code expectedBytes} (0 if unknown: no fractions are reported). */
    public static Meter meter(long expectedBytes, ProgressListener progress, CancellationToken cancel) {
        return new Meter(expectedBytes, progress, cancel);
    }

    /**
     * Counts the bytes a writer has written: at each step it checks cancellation (throwing
     * {@link org.sparsitybench.task.CancelledException} before anything is committed) and reports progress.
     */
    public static final class Meter {
        private final long expected;
        private final ProgressListener progress;
        private final CancellationToken cancel;
        private long written;

        private Meter(long expected, ProgressListener progress, CancellationToken cancel) {
            this.expected = expected;
            this.progress = progress;
            this.cancel = cancel;
        }

        /** Records {@code bytes} more written; throws if cancelled. */
        public void advance(long bytes) {
            written += bytes;
            if (WRITE_DELAY_MS > 0) {
                try {
                    Thread.sleep(WRITE_DELAY_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new org.sparsitybench.task.CancelledException();
                }
            }
            cancel.throwIfCancelled();
            if (expected > 0) {
                progress.progress(Math.min(1, (double) written / expected), "writing");
            }
        }

        /** Throws if cancelled; for the last check before a file is committed. */
        public void check() {
            cancel.throwIfCancelled();
        }

        public long written() {
            return written;
        }

        /** {@code out} with every write metered in steps of at most {@link #METER_CHUNK} bytes. */
        public OutputStream outputStream(OutputStream out) {
            return new java.io.FilterOutputStream(out) {
                private int pending;

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    if (++pending >= METER_CHUNK) {
                        advance(pending);
                        pending = 0;
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    while (len > 0) {
                        int n = Math.min(len, METER_CHUNK - pending);
                        out.write(b, off, n);
                        off += n;
                        len -= n;
                        pending += n;
                        if (pending >= METER_CHUNK) {
                            advance(pending);
                            pending = 0;
                        }
                    }
                }

                @Override
                public void flush() throws IOException {
                    if (pending > 0) {
                        advance(pending);
                        pending = 0;
                    }
                    out.flush();
                }
            };
        }
    }
}
