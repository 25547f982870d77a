package org.sparsitybench.large;

import java.nio.file.Path;
import org.sparsitybench.eval.PruneExport;
import org.sparsitybench.eval.PrunePipeline;
import org.sparsitybench.formats.ModelFiles;
import org.sparsitybench.model.Model;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningEngine;
import org.sparsitybench.prune.PruningResult;
import org.sparsitybench.task.CancellationToken;
import org.sparsitybench.task.ProgressListener;

/**
 * The window's export without the window, for a child JVM: opens MODEL, runs the engine (global magnitude at
 * SPARSITY) and exports its result to OUT as the export dialog does ({@link PrunePipeline#exportRequest}, then
 * {@link PruneExport#write}). Prints the report's path.
 */
public final class WindowExportMain {
    private WindowExportMain() {
    }

    public static void main(String[] args) throws Exception {
        Model model = ModelFiles.read(Path.of(args[0]));
        PruningResult result = new PruningEngine(model).run(PruningConfig.of(GlobalSettings.of(
                Double.parseDouble(args[2]), "magnitude", Allocation.GLOBAL)), ProgressListener.NONE,
                CancellationToken.NONE);
        PruneExport.Request request = PrunePipeline.exportRequest(model, result,
                new PruneExport.Options(Path.of(args[1]), false, false), CancellationToken.NONE);
        System.out.println(PruneExport.write(request, ProgressListener.NONE, CancellationToken.NONE).file());
    }
}
