package org.sparsitybench.session;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recently opened models and projects, newest first, kept in {@code recent.json} in the user folder.
 * A missing or unreadable list is an empty one: recent files are a convenience and never block a start.
 */
public final class RecentFiles {
    /** Entries kept. */
    public static final int LIMIT = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    public RecentFiles(Path dir) {
        this.file = dir.resolve("recent.json");
    }

    /** The list, newest first, without entries that no longer exist. */
    public List<Path> list() {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            List<String> names = JSON.readValue(file.toFile(), new TypeReference<List<String>>() { });
            List<Path> out = new ArrayList<>();
            for (String n : names) {
                if (n != null && out.size() < LIMIT) {
                    Path p = Path.of(n);
                    if (Files.exists(p) && !out.contains(p)) {
                        out.add(p);
                    }
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** Puts {@code opened} first; returns the new list. */
    public List<Path> add(Path opened) {
        Path abs = opened.toAbsolutePath().normalize();
        List<Path> out = new ArrayList<>();
        out.add(abs);
        for (Path p : list()) {
            if (!p.equals(abs) && out.size() < LIMIT) {
                out.add(p);
            }
        }
        try {
            Files.createDirectories(file.getParent());
            List<String> names = new ArrayList<>();
            for (Path p : out) {
                names.add(p.toString());
            }
            // Atomic, with the writer's pid in the temporary's name: a killed write's leftover is deleted next time.
            org.sparsitybench.formats.AtomicFiles.writeStream(file, os -> os.write(JSON.writeValueAsBytes(names)));
        } catch (IOException e) {
            // Not remembered this time; the file opened all the same.
        }
        return out;
    }
}
