package org.sparsitybench.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import javafx.application.Application;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.model.ModelFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sparsitybench gui [MODEL]}: the workbench window from the command line, so the launcher script can open it. */
@Command(name = "gui", mixinStandardHelpOptions = true,
        description = "Open the workbench window, on MODEL or on the bundled sample.")
final class GuiCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL",
            description = "An .onnx, .safetensors or .sbproj file (default: the bundled fashion-lenet5 sample).")
    Path model;

    @Override
    public Integer call() throws Exception {
        if (model != null && !Files.isRegularFile(model)) {
            throw new ModelFormatException(model, "", "no such file");
        }
        // Returns when the window closes.
        Application.launch(SparsityBenchApp.class, model == null ? new String[0] : new String[] {model.toString()});
        return SparsityBenchCli.EXIT_OK;
    }
}
