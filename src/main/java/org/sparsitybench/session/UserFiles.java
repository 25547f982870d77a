package org.sparsitybench.session;

import java.nio.file.Path;

/**
 * Where the workbench keeps its own files (autosaves, recent files): {@code -Dsparsitybench.home=DIR} if given,
 * else {@code $XDG_DATA_HOME/sparsitybench}, else {@code ~/.local/share/sparsitybench}. Never beside a user's
 * model.
 */
public final class UserFiles {
    /** System property naming the folder, for tests and portable installs. */
    public static final String HOME_PROPERTY = "sparsitybench.home";

    /** System property naming the bundled sample models' folder (set by the installed launchers). */
    public static final String SAMPLES_PROPERTY = "sparsitybench.samples";

    private UserFiles() {
    }

    /**
     * The bundled sample models: {@code -Dsparsitybench.samples=DIR} (the installed packages point it into the
     * app folder), else {@code sample-models} in the working folder (a source checkout).
     */
    public static Path samples() {
        String explicit = System.getProperty(SAMPLES_PROPERTY);
        return explicit != null && !explicit.isBlank() ? Path.of(explicit) : Path.of("sample-models");
    }

    public static Path home() {
        String explicit = System.getProperty(HOME_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "sparsitybench");
        }
        return Path.of(System.getProperty("user.home"), ".local", "share", "sparsitybench");
    }
}
