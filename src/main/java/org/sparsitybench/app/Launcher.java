package org.sparsitybench.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import javafx.application.Application;

/**
 * Plain entry point (not an {@code Application} subclass, so the classpath launch works without JavaFX
 * modules): with a subcommand it runs the command line; otherwise it opens the workbench window, on the model
 * given as the only argument or on the bundled sample.
 */
public final class Launcher {
    /** The sample the workbench opens when started with no arguments. */
    static final Path DEFAULT_SAMPLE = Path.of("sample-models", "fashion-lenet5", "model.onnx");
    private static final Set<String> GUI_FLAGS = Set.of("--gui");

    private Launcher() {
    }

    public static void main(String[] args) {
        boolean gui = args.length == 0 || GUI_FLAGS.contains(args[0])
                || (args.length == 1 && Files.isRegularFile(Path.of(args[0])));
        if (!gui) {
            Cli.main(args);
            return;
        }
        String[] rest = args.length > 0 && GUI_FLAGS.contains(args[0])
                ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        Application.launch(SparsityBenchApp.class, rest);
    }

    /** The bundled sample, if this working directory has it. */
    static Path defaultSample() {
        Path bundled = org.sparsitybench.session.UserFiles.samples().resolve(DEFAULT_SAMPLE.subpath(1, 3));
        return Files.exists(bundled) ? bundled : null;
    }
}
