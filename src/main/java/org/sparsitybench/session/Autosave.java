package org.sparsitybench.session;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sparsitybench.project.Project;
import org.sparsitybench.project.ProjectFiles;

/**
 * Keeps the session recoverable: every change offers the current state (a {@link Project}), and a background
 * thread writes the newest state to {@code autosave-<pid>.sbproj} at most {@code delay} after the first change
 * since the last write, so a crash loses at most that long of work (the window uses 10 s, well under the minute
 * the issue allows). Writes are atomic (temporary file + move). A clean exit deletes the file; a file whose
 * process is gone is an orphan, offered for recovery on the next start.
 */
public final class Autosave implements AutoCloseable {
    static final String PREFIX = "autosave-";

    private final Path file;
    private final Duration delay;
    private final AtomicReference<Project> latest = new AtomicReference<>();
    private final ScheduledExecutorService writer;
    private final Object lock = new Object();
    private boolean scheduled;
    private volatile IOException lastError;

    /** An autosave for this process in {@code dir}, writing {@code delay} after a change. */
    public Autosave(Path dir, Duration delay) {
        this.file = dir.resolve(PREFIX + ProcessHandle.current().pid() + Project.EXTENSION);
        this.delay = delay;
        removeStaleTemporaries(dir);
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sparsitybench-autosave");
            t.setDaemon(true);
            return t;
        });
    }

    /** The file this process writes. */
    public Path file() {
        return file;
    }

    /** The newest state; it reaches the disk within the delay. */
    public void offer(Project state) {
        latest.set(state);
        synchronized (lock) {
            if (scheduled) {
                return;
            }
            scheduled = true;
        }
        writer.schedule(this::writeLatest, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Writes the newest state now (tests, and before risky operations). */
    public void flush() throws IOException {
        try {
            writer.submit(this::writeLatest).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        }
        if (lastError != null) {
            throw lastError;
        }
    }

    private void writeLatest() {
        synchronized (lock) {
            scheduled = false;
        }
        Project p = latest.getAndSet(null);
        if (p == null) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            ProjectFiles.write(file, p);
            lastError = null;
        } catch (IOException e) {
            lastError = e;
        }
    }

    /** Clean exit: stops writing and deletes this process's autosave. */
    @Override
    public void close() {
        writer.shutdownNow();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
            Files.deleteIfExists(file);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // Nothing to lose: the session ended cleanly.
        }
    }

    /** A write's temporary file: {@code .autosave-PID.sbproj.RANDOM.part} (see {@code ProjectFiles.write}). */
    private static final Pattern TEMPORARY = Pattern.compile(
            "\\." + PREFIX + "(\\d+)" + Pattern.quote(Project.EXTENSION) + "\\.\\d+\\.part");

    /**
     * Deletes the temporary files of autosave writes whose process is gone (killed in the middle of a write), so
     * they do not pile up in the user folder. Those of running processes are left alone.
     *
     * @return how many were deleted
     */
    static int removeStaleTemporaries(Path dir) {
        int removed = 0;
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "." + PREFIX + "*.part")) {
            for (Path p : s) {
                Matcher m = TEMPORARY.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long pid = Long.parseLong(m.group(1));
                boolean alive = pid == ProcessHandle.current().pid()
                        || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (!alive && Files.deleteIfExists(p)) {
                    removed++;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Left for the next start; a stray temporary loses nothing.
        }
        return removed;
    }

    /** An autosave left behind by a process that is gone, with when it was written. */
    public record Orphan(Path file, Instant written) {
    }

    /** Autosaves in {@code dir} whose process no longer runs, newest first. */
    public static List<Orphan> orphans(Path dir) {
        List<Orphan> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, PREFIX + "*" + Project.EXTENSION)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                String pid = name.substring(PREFIX.length(), name.length() - Project.EXTENSION.length());
                boolean alive;
                try {
                    long id = Long.parseLong(pid);
                    alive = id != ProcessHandle.current().pid() && ProcessHandle.of(id).map(ProcessHandle::isAlive)
                            .orElse(false);
                    if (id == ProcessHandle.current().pid()) {
                        continue;
                    }
                } catch (NumberFormatException e) {
                    alive = false;
                }
                if (!alive) {
                    found.add(new Orphan(p, Files.getLastModifiedTime(p).toInstant()));
                }
            }
        } catch (IOException e) {
            return found;
        }
        found.sort(Comparator.comparing(Orphan::written).reversed());
        return found;
    }

    /** Deletes orphans once the user recovered one or declined. */
    public static void discard(List<Orphan> orphans) {
        for (Orphan o : orphans) {
            try {
                Files.deleteIfExists(o.file());
            } catch (IOException e) {
                // A stale autosave that cannot be deleted is offered again next time; nothing is lost.
            }
        }
    }

    /** The newest orphan, if any. */
    public static Optional<Orphan> newest(Path dir) {
        List<Orphan> o = orphans(dir);
        return o.isEmpty() ? Optional.empty() : Optional.of(o.get(0));
    }
}
