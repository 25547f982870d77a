package org.sparsitybench.ui.common;

import java.nio.file.Path;

/**
 * Where the workbench keeps its own files (autosaves, recent files): {@code -Dsparsitybench.home=DIR} if given,
 * else {@code $XDG_DATA_HOME/sparsitybench}, else {@code ~/.local/share/sparsitybench}. Never beside a user's
 * model.
 */
public final class UserFiles {
    /** System property naming the folder, for tests and portable installs. */
    public static final String HOME_PROPERTY = "sparsitybench.home";

    private UserFiles() {
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
