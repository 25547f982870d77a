package org.sparsitybench.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparsitybench.model.Model;
import org.sparsitybench.model.ModelFormatException;
import org.sparsitybench.model.WeightTensor;
import org.sparsitybench.prune.Allocation;
import org.sparsitybench.prune.ChannelRounding;
import org.sparsitybench.prune.GlobalSettings;
import org.sparsitybench.prune.LayerSettings;
import org.sparsitybench.prune.PruningConfig;
import org.sparsitybench.prune.PruningMethods;
import org.sparsitybench.prune.method.NmPattern;
import org.sparsitybench.project.Project;
import org.sparsitybench.project.ProjectFiles;
import picocli.CommandLine.Option;

/**
 * The pruning options, declared once for every command that prunes ({@code prune}, and {@code finetune} as its
 * first step), as a picocli mixin. {@link #given()} says whether any was given; {@link #config} turns them, over
 * an optional {@code --config}, into the engine's {@link PruningConfig}: options given override the file, the file
 * overrides the defaults (magnitude, uniform, 0.5, 2:4, seed 0, channels rounded to multiples of
 * {@link ChannelRounding#DEFAULT}).
 */
final class PruningOptions {
    static final String DEFAULT_METHOD = "magnitude";

    @Option(names = "--method", paramLabel = "METHOD", completionCandidates = PruneCommand.MethodIds.class,
            description = "${COMPLETION-CANDIDATES} (default " + DEFAULT_METHOD + ").")
    String method;

    @Option(names = "--sparsity", paramLabel = "S", description = "Target sparsity 0..1 (default 0.5).")
    Double sparsity;

    @Option(names = "--allocation", paramLabel = "A", completionCandidates = PruneCommand.AllocationIds.class,
            description = "${COMPLETION-CANDIDATES}.")
    String allocation;

    @Option(names = "--layer", paramLabel = "NAME=S", description = "Per-layer sparsity override (repeatable).")
    List<String> layers = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "NAME", description = "Keep this layer dense (repeatable).")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--nm", paramLabel = "N:M", description = "N:M pattern for --method nm, wanda and sparsegpt (default 2:4).")
    String nm;

    @Option(names = "--round-channels", paramLabel = "N", description = "Structured methods keep a multiple of N "
            + "channels of each Conv (runtimes tile convolutions by 8 or 16 channels); 1 keeps the counts as allocated "
            + "(default " + ChannelRounding.DEFAULT + ", or a --config's own).")
    Integer roundChannels;

    @Option(names = "--config", paramLabel = "FILE", description = "A pruning configuration (JSON) or a project "
            + "(.sbproj); options given too override it.")
    Path config;

    /** Whether any pruning option was given (else the model's own zeros are the mask). */
    boolean given() {
        return method != null || sparsity != null || allocation != null || !layers.isEmpty() || !exclude.isEmpty()
                || nm != null || config != null;
    }

    /** The method as the user named it ({@code global} included), or the default. */
    String methodName() {
        return method != null ? method : DEFAULT_METHOD;
    }

    /** Usage errors the options show on their own: an unknown method, a sparsity or N:M pattern out of range. */
    void check() {
        if (method != null && !PruneCommand.METHODS.contains(method)) {
            throw new SparsityBenchCli.UsageException("unknown method '" + method + "'; one of " + PruneCommand.METHODS);
        }
        if (roundChannels != null && roundChannels < 1) {
            throw new SparsityBenchCli.UsageException("--round-channels " + roundChannels + " must be at least 1");
        }
        if (sparsity != null && !(sparsity >= 0 && sparsity <= 1)) {
            throw new SparsityBenchCli.UsageException("--sparsity " + sparsity + " outside [0, 1]");
        }
        if ("nm".equals(method) || nm != null) {
            try {
                NmPattern.parse(nm != null ? nm : "2:4");
            } catch (IllegalArgumentException e) {
                throw new SparsityBenchCli.UsageException("--nm " + e.getMessage());
            }
        }
    }

    /** The layers named by --layer and --exclude: settings the user fixed. */
    Set<String> fixedLayers() {
        Set<String> fixed = new HashSet<>(exclude);
        layers.forEach(spec -> fixed.add(spec.substring(0, spec.lastIndexOf('='))));
        return fixed;
    }

    /**
     * The configuration the options describe.
     *
     * @param model     the model the layers are checked against (not modified)
     * @param modelFile the model's path as given (messages, the project's model hash)
     * @param seed      seed of the random method, or null for the --config's (else 0)
     * @param err       where a project saved for another model is warned about
     */
    PruningConfig config(Model model, Path modelFile, Long seed, PrintWriter err) throws IOException {
        check();
        PruningConfig base = base(modelFile, err);
        GlobalSettings b = base == null ? null : base.global();
        String m = method != null ? method : b != null ? b.method() : DEFAULT_METHOD;
        Allocation alloc = allocation != null ? PruneCommand.parseAllocation(allocation)
                : "global".equals(m) ? Allocation.GLOBAL : b != null ? b.allocation() : Allocation.UNIFORM;
        String engineMethod = "global".equals(m) ? "magnitude"
                : method != null ? ReconstructOptions.engineMethod(m, nm != null) : m;
        try {
            PruningMethods.byId(engineMethod);
        } catch (IllegalArgumentException e) {
            throw new SparsityBenchCli.UsageException(e.getMessage());
        }
        double target = sparsity != null ? sparsity : b != null ? b.target() : 0.5;
        if (!(target >= 0 && target <= 1)) {
            throw new SparsityBenchCli.UsageException("--sparsity " + target + " outside [0, 1]");
        }
        GlobalSettings g = new GlobalSettings(target, engineMethod, alloc,
                nm != null ? nm : b != null ? b.nmPattern() : "2:4",
                seed != null ? seed : b != null ? b.seed() : 0, b != null ? b.calibration() : null);
        // A configuration read back keeps its own rounding (absent: none), so a report's config reproduces its masks.
        g = g.withRoundChannels(roundChannels != null ? roundChannels
                : b != null ? b.roundChannels() : Integer.valueOf(ChannelRounding.DEFAULT));
        PruningConfig cfg = new PruningConfig(g, base == null ? Map.of() : base.layers());
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
            cfg = cfg.withLayer(requirePrunable(model, modelFile, spec.substring(0, eq)), LayerSettings.override(s));
        }
        for (String e : exclude) {
            cfg = cfg.withLayer(requirePrunable(model, modelFile, e), LayerSettings.excludedLayer());
        }
        return cfg;
    }

    /** The --config file's configuration, or null; warns when a project was saved for another model. */
    private PruningConfig base(Path modelFile, PrintWriter err) throws IOException {
        if (config == null) {
            return null;
        }
        if (config.getFileName().toString().endsWith(Project.EXTENSION)) {
            var opened = ProjectFiles.read(config);
            String hash = opened.project().modelSha256();
            if (hash != null && !hash.equalsIgnoreCase(ProjectFiles.sha256(modelFile))) {
                err.println("warning: " + config + " was saved for a model with SHA-256 " + hash + "; " + modelFile
                        + " differs, so layer settings may not fit it");
                err.flush();
            }
            return opened.project().config();
        }
        try {
            return PruningConfig.fromJson(Files.readString(config, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(config, "", e.getMessage());
        }
    }

    static String requirePrunable(Model m, Path modelFile, String name) {
        if (m.tensor(name).filter(WeightTensor::prunable).isEmpty()) {
            throw new SparsityBenchCli.UsageException("no prunable tensor named '" + name + "' in " + modelFile
                    + " (see 'sparsitybench inspect')");
        }
        return name;
    }
}
