package org.sparsitybench.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.LayerSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningMethods;
import picocli.CommandLine.Option;

/**
 * The pruning options a command that prunes as one of its steps takes (finetune), as a picocli mixin: the same
 * names and meanings as {@code prune}'s. {@link #given()} says whether any was given; {@link #config} turns them
 * into the engine's {@link PruningConfig}. Methods that need data of their own (wanda, sensitivity allocation)
 * are refused here: they belong to {@code prune}.
 */
final class PruningOptions {
    @Option(names = "--method", paramLabel = "METHOD",
            description = "magnitude | global | random | l1-structured | l2-structured | nm (default magnitude when "
                    + "--sparsity is given).")
    String method;

    @Option(names = "--sparsity", paramLabel = "S", description = "Target sparsity 0..1 (prunes before training).")
    Double sparsity;

    @Option(names = "--allocation", paramLabel = "A", description = "uniform | global | layer-normalized | erk.")
    String allocation;

    @Option(names = "--layer", paramLabel = "NAME=S", description = "Per-layer sparsity override (repeatable).")
    List<String> layers = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "NAME", description = "Keep this layer dense (repeatable).")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--nm", paramLabel = "N:M", description = "N:M pattern for --method nm (default 2:4).")
    String nm;

    @Option(names = "--config", paramLabel = "FILE", description = "A pruning configuration (JSON) or a project "
            + "(.sbproj); options given too override it.")
    Path config;

    /** Whether any pruning option was given (else the model's own zeros are the mask). */
    boolean given() {
        return method != null || sparsity != null || allocation != null || !layers.isEmpty() || !exclude.isEmpty()
                || nm != null || config != null;
    }

    /**
     * The configuration the options describe.
     *
     * @param seed seed of the random method
     */
    PruningConfig config(Model model, long seed) throws IOException {
        PruningConfig base = null;
        if (config != null) {
            if (config.getFileName().toString().endsWith(org.sparsitybench.project.Project.EXTENSION)) {
                base = org.sparsitybench.project.ProjectFiles.read(config).project().config();
            } else {
                try {
                    base = PruningConfig.fromJson(Files.readString(config, StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw new ModelFormatException(config, "", e.getMessage());
                }
            }
        }
        String m = method != null ? method : base != null ? base.global().method() : "magnitude";
        Allocation alloc = allocation != null ? PruneCommand.parseAllocation(allocation)
                : "global".equals(m) ? Allocation.GLOBAL : base != null ? base.global().allocation() : Allocation.UNIFORM;
        String engineMethod = "global".equals(m) ? "magnitude" : m;
        if (engineMethod.equals("wanda") || alloc == Allocation.SENSITIVITY) {
            throw new SparsityBenchCli.UsageException("finetune does not calibrate: prune with wanda or the "
                    + "sensitivity allocation first ('sparsitybench prune'), then finetune the result");
        }
        try {
            PruningMethods.byId(engineMethod);
        } catch (IllegalArgumentException e) {
            throw new SparsityBenchCli.UsageException(e.getMessage());
        }
        double target = sparsity != null ? sparsity : base != null ? base.global().target() : 0.5;
        if (!(target >= 0 && target <= 1)) {
            throw new SparsityBenchCli.UsageException("--sparsity " + target + " outside [0, 1]");
        }
        String pattern = nm != null ? nm : base != null && base.global().nmPattern() != null ? base.global().nmPattern()
                : "2:4";
        PruningConfig cfg = new PruningConfig(new GlobalSettings(target, engineMethod, alloc, pattern, seed, null),
                base == null ? Map.of() : base.layers());
        for (String spec : layers) {
            int eq = spec.lastIndexOf('=');
            if (eq <= 0) {
                throw new SparsityBenchCli.UsageException("--layer '" + spec + "' is not NAME=S");
            }
            double s;
            try {
                s = Double.parseDouble(spec.substring(eq + 1));
            } catch (NumberFormatException e) {
                throw new SparsityBenchCli.UsageException("--layer '" + spec + "': sparsity is not a number");
            }
            if (!(s >= 0 && s <= 1)) {
                throw new SparsityBenchCli.UsageException("--layer '" + spec + "': sparsity outside [0, 1]");
            }
            cfg = cfg.withLayer(requirePrunable(model, spec.substring(0, eq)), LayerSettings.override(s));
        }
        for (String e : exclude) {
            cfg = cfg.withLayer(requirePrunable(model, e), LayerSettings.excludedLayer());
        }
        return cfg;
    }

    private static String requirePrunable(Model m, String name) {
        if (m.tensor(name).filter(WeightTensor::prunable).isEmpty()) {
            throw new SparsityBenchCli.UsageException("no prunable tensor named '" + name + "' in " + m.file()
                    + " (see 'sparsitybench inspect')");
        }
        return name;
    }
}
