package org.sparsitybench.project;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.sparsitybench.model.ModelFormatException;

/** Reads and writes {@code .sbproj} files; writes go to a temporary file moved into place. */
public final class ProjectFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ProjectFiles() {
    }

    /** A project opened from disk, with the model path resolved against the project's folder. */
    public record Opened(Project project, Path model, Path dataset, boolean modelChanged) {
    }

    /**
     * Reads a project and checks its model: a missing model or a changed hash is reported, never silently used.
     *
     * @throws ModelFormatException naming the project file when it is not a valid project
     */
    public static Opened read(Path file) throws IOException {
        Project p;
        try {
            p = JSON.readValue(file.toFile(), Project.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelFormatException(file, "", "not a SparsityBench project: " + e.getMessage(), e);
        }
        if (!Project.FORMAT.equals(p.format()) || p.model() == null || p.config() == null) {
            throw new ModelFormatException(file, "", "not a SparsityBench project (needs \"format\": \""
                    + Project.FORMAT + "\", \"model\" and \"config\")");
        }
        if (p.version() > Project.VERSION) {
            throw new ModelFormatException(file, "version", p.version() + " is newer than this SparsityBench ("
                    + Project.VERSION + ")");
        }
        Path dir = file.toAbsolutePath().getParent();
        Path model = resolve(file, dir, "model", p.model());
        if (!Files.exists(model)) {
            throw new ModelFormatException(file, "model", "the project's model " + model + " does not exist");
        }
        // A device, FIFO or folder would block or fail the hash below: refuse it before opening anything.
        if (!Files.isRegularFile(model)) {
            throw new ModelFormatException(file, "model", "the project's model " + model + " is not a regular file");
        }
        boolean changed;
        try {
            changed = p.modelSha256() != null && !p.modelSha256().equalsIgnoreCase(sha256(model));
        } catch (IOException e) {
            throw new ModelFormatException(file, "model", "cannot read the project's model " + model + ": " + e, e);
        }
        Path dataset = p.dataset() == null ? null : resolve(file, dir, "dataset", p.dataset());
        return new Opened(p, model, dataset, changed);
    }

    private static Path resolve(Path file, Path dir, String field, String path) throws ModelFormatException {
        try {
            return dir.resolve(path).normalize();
        } catch (InvalidPathException e) {
            throw new ModelFormatException(file, field, "'" + path.replace("\0", "\\0") + "' is not a valid path: "
                    + e.getReason());
        }
    }

    /** Writes {@code project} to {@code file}, model and dataset paths made relative to the file's folder when possible. */
    public static void write(Path file, Project project) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(project);
        Path target = file.toAbsolutePath();
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".part");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A project for {@code model} saved at {@code file}: paths relative to the project's folder, the model's hash. */
    public static Project create(Path file, Path model, Path dataset, org.sparsitybench.prune.PruningConfig config,
                                 java.util.List<Project.Snapshot> snapshots) throws IOException {
        return create(file, model, sha256(model), dataset, config, snapshots);
    }

    /** As {@link #create(Path, Path, Path, org.sparsitybench.prune.PruningConfig, java.util.List)} with the model's
     *  hash already known (the window computes it once, in the background, when the model opens). */
    public static Project create(Path file, Path model, String modelSha256, Path dataset,
                                 org.sparsitybench.prune.PruningConfig config, java.util.List<Project.Snapshot> snapshots) {
        Path dir = file.toAbsolutePath().getParent();
        return new Project(Project.FORMAT, Project.VERSION, relative(dir, model), modelSha256,
                dataset == null ? null : relative(dir, dataset), config, snapshots);
    }

    private static String relative(Path dir, Path p) {
        Path abs = p.toAbsolutePath().normalize();
        try {
            return dir.relativize(abs).toString();
        } catch (IllegalArgumentException e) {
            return abs.toString();
        }
    }

    /** Lower-case hex SHA-256 of a file, streamed. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
