package org.sparsitybench.formats;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files so that a reader sees either the old file or the complete new one: content goes to a temporary
 * file in the same folder, is forced to disk, and is moved over the target in one step.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content of one file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
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
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".part");
        boolean done = false;
        try {
            // Temporary files are created owner-only; an export is an ordinary file others may read.
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the platform's default
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                content.writeTo(ch);
                ch.force(true);
            }
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
        write(target, ch -> {
            OutputStream os = java.nio.channels.Channels.newOutputStream(ch);
            content.writeTo(os);
            os.flush();
        });
    }

    /** Writes the content of one file as a stream. */
    @FunctionalInterface
    public interface StreamContent {
        void writeTo(OutputStream out) throws IOException;
    }
}
