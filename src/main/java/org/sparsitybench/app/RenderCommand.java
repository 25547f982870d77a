package org.sparsitybench.app;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.ui.common.ChartTheme;
import org.sparsitybench.ui.render.ViewRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sparsitybench render MODEL --out DIR [--theme light|dark|both] [--sparsity S]}: the workbench's
 * main views as PNG files, without a window. The model is positional like every other command's; {@code --model}
 * is kept, hidden, for command lines written before. It lives in {@code app} because the CLI may not import the UI; the
 * launcher adds it to the command line.
 */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Render the workbench's views (distribution, heatmap, overview, curves, sensitivity) to PNG "
                + "files without a window. With a model card and test data beside the model, the curves and the "
                + "sensitivity table are measured first.")
public final class RenderCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "The model file (.onnx, .safetensors).")
    Path model;

    /** The old spelling, {@code --model M}: deprecated, hidden from the help. */
    @Option(names = "--model", hidden = true, paramLabel = "MODEL", description = "Deprecated: give MODEL as the "
            + "first argument.")
    Path modelOption;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the images (created).")
    Path out;

    @Option(names = "--theme", defaultValue = "light", paramLabel = "light|dark|both", description = "Colours (default: ${DEFAULT-VALUE}).")
    String theme;

    @Option(names = "--sparsity", defaultValue = "0.5", description = "Target sparsity of the shown configuration, 0 to 1 (default: ${DEFAULT-VALUE}).")
    double sparsity;

    @Option(names = "--layer", paramLabel = "TENSOR", description = "Layer for distribution and heatmap (default: the largest).")
    String layer;

    @Option(names = "--limit", defaultValue = "2000", description = "Samples evaluated per measured point (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--latency-runs", defaultValue = "20", description = "Timed runs per point; 0 skips latency (default: ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path file = modelFile();
        List<ChartTheme> themes;
        try {
            themes = "both".equalsIgnoreCase(theme) ? List.of(ChartTheme.LIGHT, ChartTheme.DARK) : List.of(ChartTheme.of(theme));
        } catch (IllegalArgumentException e) {
            throw new SparsityBenchCli.UsageException("--theme " + theme + ": one of light, dark, both");
        }
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new SparsityBenchCli.UsageException("--sparsity " + sparsity + ": need a value from 0 to 1");
        }
        if (limit < 1 || latencyRuns < 0) {
            throw new SparsityBenchCli.UsageException("--limit " + limit + " / --latency-runs " + latencyRuns
                    + ": need limit >= 1 and runs >= 0");
        }
        if (!Files.isRegularFile(file)) {
            throw new SparsityBenchCli.UsageException(file + ": no such model file");
        }
        ViewRenderer.Options base = ViewRenderer.Options.defaults(sparsity);
        ViewRenderer.Options options = new ViewRenderer.Options(sparsity, layer, limit, latencyRuns, base.sweepMethods(), base.sweepLevels(),
                base.sensitivityLevels());
        PrintWriter w = spec.commandLine().getOut();
        ViewRenderer.Measured measured = ViewRenderer.measure(file, options, (fraction, message) -> { },
                CancellationToken.NONE);
        for (ChartTheme t : themes) {
            for (Path p : ViewRenderer.write(measured, t, out)) {
                w.println(p);
            }
        }
        w.printf(Locale.ROOT, "%s at %.1f%% achieved sparsity; layer %s%n", measured.model(),
                100 * measured.result().achievedSparsity(), measured.layer());
        if (measured.sweep().isEmpty()) {
            w.println("no model card with test data beside the model: curves and sensitivity are drawn empty");
        }
        w.flush();
        return SparsityBenchCli.EXIT_OK;
    }

    /** The model from the argument or the deprecated option (a note on stderr), exactly one of them. */
    private Path modelFile() {
        if (model != null && modelOption != null) {
            throw new SparsityBenchCli.UsageException("give the model once: MODEL or the deprecated --model, not both");
        }
        if (model == null && modelOption == null) {
            throw new SparsityBenchCli.UsageException("missing the model: sparsitybench render MODEL --out DIR");
        }
        if (modelOption != null) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("note: --model is deprecated; give the model first: sparsitybench render MODEL --out DIR");
            err.flush();
            return modelOption;
        }
        return model;
    }
}
