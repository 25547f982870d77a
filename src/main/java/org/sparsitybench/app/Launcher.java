package org.sparsitybench.app;

import java.nio.file.Files;
import java.nio.file.Path;
import org.sparsitybench.cli.SparsityBenchCli;

/**
 * Plain entry point (not an {@code Application} subclass, so the classpath launch works without JavaFX
 * modules): with arguments it runs the command line; without, it opens the workbench on the bundled sample.
 * Until the window lands, "opening the workbench" prints the sample's {@code inspect} table.
 */
public final class Launcher {
    /** The sample the workbench opens when started with no arguments. */
    static final Path DEFAULT_SAMPLE = Path.of("sample-models", "fashion-lenet5", "model.onnx");

    private Launcher() {
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            SparsityBenchCli.main(args);
            return;
        }
        Path sample = Files.exists(DEFAULT_SAMPLE) ? DEFAULT_SAMPLE : Path.of("sample-models", "fashion-lenet5.onnx");
        SparsityBenchCli.main(new String[] {"inspect", sample.toString()});
    }
}
