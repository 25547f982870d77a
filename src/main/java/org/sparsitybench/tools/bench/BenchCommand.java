package org.sparsitybench.tools.bench;

import java.util.concurrent.Callable;
import org.sparsitybench.cli.SparsityBenchCli;
import org.sparsitybench.tools.bench.large.BenchLargeCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sparsitybench bench ...}: speed measurements of the engine beside peers, printed as JSON. To add a bench:
 * write its picocli command in {@code tools.bench} (or a sub-package) and list its class in {@code subcommands}
 * below; a peer script is located through {@link PeerScripts}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the engine's speed (not a test: prints medians as JSON).",
        subcommands = {BenchPruneCommand.class, BenchSparseCommand.class, BenchLargeCommand.class, BenchTrainCommand.class, BenchSparseGptCommand.class, BenchReconstructCommand.class,
                BenchE2eCommand.class, BenchCompactCommand.class})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new SparsityBenchCli.UsageException("bench needs a subcommand: " + spec.subcommands().keySet());
    }
}
