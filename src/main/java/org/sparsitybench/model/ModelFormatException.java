package org.sparsitybench.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A model or data file that cannot be read as what it claims to be. The message always names the file, the
 * place inside it (byte offset, tensor or node name) and what was expected, so it can be shown as it is.
 */
public class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String place;
    private final String problem;

    /**
     * @param file    the file that was read (not modified)
     * @param place   where in the file: "offset 1234", "tensor conv1.weight", "node Conv_3"; may be empty
     * @param problem what was expected and what was found
     */
    public ModelFormatException(Path file, String place, String problem) {
        this(file, place, problem, null);
    }

    public ModelFormatException(Path file, String place, String problem, Throwable cause) {
        super(compose(file, place, problem), cause);
        this.file = file;
        this.place = place == null ? "" : place;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    private static String compose(Path file, String place, String problem) {
        String where = (place == null || place.isEmpty()) ? "" : place + ": ";
        return (file == null ? "<unknown file>" : file.toString()) + ": " + where + problem;
    }

    public Path file() {
        return file;
    }

    public String place() {
        return place;
    }

    public String problem() {
        return problem;
    }
}
