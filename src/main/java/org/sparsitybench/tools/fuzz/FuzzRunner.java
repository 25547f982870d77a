package org.sparsitybench.tools.fuzz;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.UnsafePathException;
import org.sparsitybench.model.UnsupportedModelException;

/**
 * Runs cases and judges them. Each case gets its own folder; it is hashed before and after reading (any change
 * is a violation), read on a separate thread with a time limit (a hang is a violation), and the outcome is held
 * against the contract: load, or fail with the typed exception ({@link ModelFormatException}, including
 * {@link UnsafePathException}, or {@link UnsupportedModelException}) whose message names the file; anything else,
 * an {@link Error} included, is a bug. Canary FIFOs outside the case folders catch any reader that opens a file
 * there: opening a FIFO for reading wakes the canary's watcher, which records it.
 */
public final class FuzzRunner implements AutoCloseable {
    /** Violations kept with their full text; later ones are only counted. */
    private static final int KEPT_VIOLATIONS = 200;

    private final Sandbox sandbox;
    private final long timeoutMillis;
    private final List<Canary> canaries = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> escapes = new ConcurrentLinkedQueue<>();
    private volatile String current = "(no case)";
    private ExecutorService reader = newReaderThread();
    private boolean keepCases;
    private int folder;

    /**
     * @param root          an empty or new folder the run may fill
     * @param timeoutMillis longest a single read may take before it counts as a hang
     */
    public FuzzRunner(Path root, long timeoutMillis) throws IOException {
        this.timeoutMillis = timeoutMillis;
        Path r = Files.createDirectories(root).toAbsolutePath();
        try (Stream<Path> s = Files.list(r)) {
            if (s.findAny().isPresent()) {
                throw new IOException(r + " is not empty; a fuzz run needs a new or empty folder");
            }
        }
        Path cases = Files.createDirectories(r.resolve("cases"));
        Path outside = Files.createDirectories(r.resolve("outside"));
        sandbox = new Sandbox(r, cases, outside, outside.resolve("secret.bin"));
        for (Path p : List.of(cases.resolve("x.bin"), r.resolve("x.bin"), sandbox.secret())) {
            canaries.add(new Canary(p));
        }
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    /** True when every canary is a FIFO that detects opening; false where the system has no {@code mkfifo}. */
    public boolean canariesArmed() {
        return canaries.stream().allMatch(c -> c.fifo);
    }

    /** Keep every case's folder (default: only the folders of cases that broke the contract are kept). */
    public FuzzRunner keepCases(boolean keep) {
        this.keepCases = keep;
        return this;
    }

    /** Runs {@code cases} of {@code corpus}. Setting a case up must not fail; if it does, that is thrown. */
    public FuzzReport run(Corpus corpus, Iterator<FuzzCase> cases) throws IOException {
        List<String> violations = new ArrayList<>();
        Map<String, int[]> perGenerator = new TreeMap<>();
        int total = 0;
        int loaded = 0;
        int rejected = 0;
        int bugs = 0;
        int escaped = 0;
        long started = System.nanoTime();
        while (cases.hasNext()) {
            FuzzCase c = cases.next();
            total++;
            int[] counts = perGenerator.computeIfAbsent(c.generator(), k -> new int[4]);
            counts[0]++;
            Path dir = Files.createDirectory(sandbox.cases().resolve(String.format("%s-%06d", corpus.format(), folder++)));
            Path file;
            try {
                file = c.setup().create(dir);
            } catch (IOException | RuntimeException e) {
                throw new IOException("setting up " + corpus.format() + " " + c.label() + " failed: " + e, e);
            }
            Map<String, String> before = snapshot(dir);
            current = corpus.format() + " " + c.label();
            List<String> problems = new ArrayList<>();
            Outcome o = read(corpus, c, file, problems);
            if (o != null) {
                String p = judge(c, dir, file, o);
                if (p != null) {
                    problems.add(p);
                }
            }
            Map<String, String> after = snapshot(dir);
            if (!before.equals(after)) {
                problems.add("files in the case folder changed: before " + before + ", after " + after);
            }
            java.util.Set<String> opened = new java.util.LinkedHashSet<>();
            String e;
            while ((e = escapes.poll()) != null) {
                opened.add(e);
            }
            escaped += opened.size();
            problems.addAll(opened);
            if (problems.isEmpty()) {
                if (o.error() == null) {
                    loaded++;
                    counts[1]++;
                } else {
                    rejected++;
                    counts[2]++;
                }
                if (!keepCases) {
                    deleteTree(dir);
                }
            } else {
                bugs++;
                counts[3]++;
                if (violations.size() < KEPT_VIOLATIONS) {
                    violations.add(c.label() + " [" + dir + "]: " + String.join("\n", problems));
                }
            }
        }
        current = "(between cases)";
        // Nothing may appear beside the case folders or in the outside folder but what the run put there.
        try (Stream<Path> s = Files.list(sandbox.cases())) {
            List<String> stray = s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("x.bin") && !n.matches("[a-z]+-\\d{6,}")).toList();
            if (!stray.isEmpty()) {
                bugs++;
                violations.add("reading created " + stray + " in " + sandbox.cases());
            }
        }
        for (Canary c : canaries) {
            if (c.fifo && !c.stillFifo()) {
                bugs++;
                violations.add("canary " + c.path + " was replaced or removed");
            }
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        return new FuzzReport(corpus.format(), total, loaded, rejected, bugs, ms, violations, perGenerator, escaped);
    }

    /** The outcome, or null (with the problem added) when the read hung. */
    private Outcome read(Corpus corpus, FuzzCase c, Path file, List<String> problems) {
        Future<Outcome> future = reader.submit(() -> corpus.attempt(c, file));
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            reader.shutdownNow();
            reader = newReaderThread();
            problems.add("reading " + file + " did not finish within " + timeoutMillis + " ms (hang)");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            return Outcome.failed(e.getCause()); // attempt() catches everything; kept as a bug if it did not
        }
    }

    /** null when the outcome keeps the contract and the case's expectation, else what went wrong. */
    static String judge(FuzzCase c, Path dir, Path file, Outcome o) {
        if (o.error() == null) {
            return switch (c.expect()) {
                case REJECT -> "loaded (" + o.loaded() + ") although it must fail with the typed exception";
                case UNSAFE -> "loaded (" + o.loaded() + ") although it points outside its folder";
                default -> null;
            };
        }
        if (!Outcome.READ.equals(o.phase())) {
            return "loaded, but " + o.phase() + " threw " + trace(o.error());
        }
        if (o.error() instanceof UnsupportedModelException) {
            return c.expect() == Expect.LOAD || c.expect() == Expect.UNSAFE
                    ? "expected " + c.expect() + " but got " + trace(o.error()) : null;
        }
        if (!(o.error() instanceof ModelFormatException e)) {
            return "the reader threw " + o.error().getClass().getName() + " instead of the typed exception: "
                    + trace(o.error());
        }
        if (c.expect() == Expect.LOAD) {
            return "valid input rejected: " + trace(e);
        }
        if (c.expect() == Expect.UNSAFE && !(e instanceof UnsafePathException)) {
            return "path escape reported as " + e.getClass().getSimpleName() + ", not UnsafePathException: " + trace(e);
        }
        if (c.expect() == Expect.UNSAFE && (!e.getMessage().contains(file.toString()) || !file.equals(e.file()))) {
            return "UnsafePathException does not name the file " + file + ": " + trace(e);
        }
        boolean namesFile = e.getMessage().contains(file.getFileName().toString())
                || e.file() != null && e.file().toAbsolutePath().startsWith(dir);
        if (!namesFile) {
            return "the error does not name the file " + file + ": " + trace(e);
        }
        return null;
    }

    static String trace(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        String[] lines = sw.toString().split("\n");
        if (lines.length <= 40) {
            return sw.toString();
        }
        return String.join("\n", Arrays.copyOf(lines, 40)) + "\n\t... " + (lines.length - 40) + " more lines";
    }

    /** Relative path to content hash (regular files), link target (symlinks) or kind, without following links. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    m.put(rel, "link:" + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    m.put(rel, "dir");
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    m.put(rel, Bytes.sha256(p) + " " + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
                } else {
                    m.put(rel, "other");
                }
            }
        }
        return m;
    }

    /** Deletes a folder and what is in it; symbolic links are deleted, never followed. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static ExecutorService newReaderThread() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-reader");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void close() {
        reader.shutdownNow();
        for (Canary c : canaries) {
            c.disarm();
        }
    }

    /**
     * A FIFO whose watcher blocks opening it for writing; the open returns only when someone opens it for reading,
     * which is then recorded against the case being read. Without {@code mkfifo}, a plain file (detects nothing
     * by itself; {@link #canariesArmed()} says so).
     */
    private final class Canary {
        final Path path;
        final boolean fifo;
        private volatile boolean closing;
        private final Thread watcher;

        Canary(Path path) throws IOException {
            this.path = path;
            this.fifo = mkfifo(path);
            if (!fifo) {
                Files.write(path, new byte[] {'c', 'a', 'n', 'a', 'r', 'y'});
                watcher = null;
                return;
            }
            watcher = new Thread(this::watch, "fuzz-canary-" + path.getFileName());
            watcher.setDaemon(true);
            watcher.start();
        }

        private void watch() {
            while (!closing) {
                try (OutputStream out = new FileOutputStream(path.toFile())) {
                    if (!closing) {
                        escapes.add("opened " + path + ", a file outside the case's folder (while reading "
                                + current + ")");
                        Thread.sleep(5); // the reader may still hold it open; do not spin on re-opening
                    }
                } catch (IOException e) {
                    if (!closing) {
                        escapes.add("canary " + path + " broke: " + e);
                    }
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        boolean stillFifo() {
            try {
                return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
            } catch (IOException e) {
                return false;
            }
        }

        void disarm() {
            if (watcher == null) {
                return;
            }
            closing = true;
            // Opening a FIFO read-write never blocks on Linux, and it releases the watcher's blocked open.
            try (RandomAccessFile release = new RandomAccessFile(path.toFile(), "rw")) {
                watcher.join(5_000);
            } catch (IOException e) {
                // nothing to release
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static boolean mkfifo(Path p) {
            try {
                Process proc = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
                proc.getInputStream().readAllBytes();
                return proc.waitFor(10, TimeUnit.SECONDS) && proc.exitValue() == 0
                        && Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
